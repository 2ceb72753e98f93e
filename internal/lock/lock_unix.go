//go:build unix

package lock

import (
	"fmt"

	"golang.org/x/sys/unix"
)

type handle struct{ fd int }

func open(dir string) (*handle, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return &handle{fd: fd}, nil
}

func (h *handle) try(mode Mode) (bool, error) {
	how := unix.LOCK_SH
	if mode == Exclusive {
		how = unix.LOCK_EX
	}
	for {
		err := unix.Flock(h.fd, how|unix.LOCK_NB)
		switch err {
		case nil:
			return true, nil
		case unix.EWOULDBLOCK:
			return false, nil
		case unix.EINTR:
			continue
		}
		return false, fmt.Errorf("locking: %w", err)
	}
}

func (h *handle) close() error { return unix.Close(h.fd) }
