//go:build unix

package tree

import (
	"io"
	"io/fs"
	"syscall"
)

// createFile writes data to a new file at p with plain system calls: an
// os.File also sets the descriptor up for the runtime's poller, three more
// system calls per file, which on a tree of thousands of files shows.
func createFile(p string, data []byte, perm fs.FileMode) error {
	fd, err := openRetry(p, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &fs.PathError{Op: "open", Path: p, Err: err}
	}
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return &fs.PathError{Op: "write", Path: p, Err: err}
		}
		if n == 0 {
			syscall.Close(fd)
			return &fs.PathError{Op: "write", Path: p, Err: io.ErrShortWrite}
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: p, Err: err}
	}
	return nil
}

func openRetry(p string, mode int, perm uint32) (int, error) {
	for {
		fd, err := syscall.Open(p, mode, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
