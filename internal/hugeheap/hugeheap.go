// Package hugeheap asks Linux to back the Go heap with transparent huge
// pages.
//
// meshroll is a short-lived process that, on a whole repository, builds a
// few hundred MiB of small objects (a YAML node per scalar of every
// manifest) and exits. On virtual machines a page fault is expensive, and
// faulting that heap in 4 KiB at a time cost linting 5,000 services more
// than half of its wall time. The Go runtime leaves huge pages to the
// kernel's default, which on most distributions is "madvise": only memory
// marked MADV_HUGEPAGE gets them.
package hugeheap

import (
	"runtime"
	"strings"
)

// Size is the heap Advise prepares: more than most runs use (linting 5,000
// services peaks near 300 MiB, rendering 10,000 rollouts near 800 MiB). It is
// address space, not memory: pages are backed only when the program writes
// to them.
const Size = 1 << 30

// Advise allocates size bytes, marks the memory MADV_HUGEPAGE, and lets it
// go. The runtime hands that address range out again for the process's
// later allocations, which then fault in 2 MiB at a time. It costs about
// 10 ms, so it is for runs that will build a large heap. It does nothing on
// other systems, in builds with the race detector, when GODEBUG has
// disablethp=1 (the runtime's own switch against huge pages), or when the
// kernel refuses.
func Advise(size int, godebug string) {
	if disabled(godebug) || raceEnabled {
		return
	}
	advise(size)
	runtime.GC() // frees the allocation now, while the heap is tiny
}

// disabled reports whether godebug, the value of GODEBUG, turns huge pages
// off.
func disabled(godebug string) bool {
	for _, kv := range strings.Split(godebug, ",") {
		if strings.TrimSpace(kv) == "disablethp=1" {
			return true
		}
	}
	return false
}
