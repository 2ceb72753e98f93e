//go:build windows

package lock

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

type handle struct{ f *os.File }

func open(dir string) (*handle, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".meshroll.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return &handle{f: f}, nil
}

func (h *handle) try(mode Mode) (bool, error) {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if mode == Exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	err := windows.LockFileEx(windows.Handle(h.f.Fd()), flags, 0, 1, 0, &windows.Overlapped{})
	switch err {
	case nil:
		return true, nil
	case windows.ERROR_LOCK_VIOLATION:
		return false, nil
	}
	return false, fmt.Errorf("locking: %w", err)
}

func (h *handle) close() error { return h.f.Close() }
