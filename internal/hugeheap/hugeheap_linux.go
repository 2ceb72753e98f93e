//go:build linux

package hugeheap

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

const hugePage = 2 << 20

// advise maps size bytes of heap and marks them MADV_HUGEPAGE; the slice
// becomes garbage when advise returns.
func advise(size int) (start, end uintptr, err error) {
	b := make([]byte, size)
	base := unsafe.Pointer(unsafe.SliceData(b))
	p := uintptr(base)
	start = (p + hugePage - 1) &^ (hugePage - 1)
	end = (p + uintptr(size)) &^ (hugePage - 1)
	if start >= end {
		return 0, 0, nil
	}
	err = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(base, start-p)), end-start), unix.MADV_HUGEPAGE)
	return start, end, err
}
