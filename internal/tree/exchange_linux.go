package tree

import (
	"errors"

	"golang.org/x/sys/unix"
)

const canExchange = true

// exchange swaps the directories a and b in one system call
// (renameat2(2) with RENAME_EXCHANGE). A file system that cannot is
// errNoSwap.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EBUSY) {
		return errNoSwap
	}
	return err
}
