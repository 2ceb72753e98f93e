package tree

import (
	"errors"

	"golang.org/x/sys/unix"
)

const canExchange = true

// exchange swaps the directories a and b in one system call
// (renamex_np(2) with RENAME_SWAP). A file system that cannot is
// errNoSwap.
func exchange(a, b string) error {
	err := unix.RenamexNp(a, b, unix.RENAME_SWAP)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EBUSY) {
		return errNoSwap
	}
	return err
}
