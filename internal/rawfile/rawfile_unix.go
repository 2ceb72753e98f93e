//go:build unix

package rawfile

import (
	"io"
	"io/fs"
	"syscall"
)

// Open opens a file for reading, with its size when it is a regular file
// (-1 otherwise). It never waits: a named pipe put where a file was opens at
// once, and reading it fails rather than blocks (O_NONBLOCK, which regular
// files ignore).
func Open(path string) (io.ReadCloser, int64, error) {
	fd, err := open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := file(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, 0, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	size := int64(-1)
	if st.Mode&syscall.S_IFMT == syscall.S_IFREG {
		size = st.Size
	}
	return f, size, nil
}

// WriteFile writes data to path, creating or truncating it, as os.WriteFile.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	fd, err := open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := file(fd)
	for len(data) > 0 {
		n, err := f.Write(data)
		if err != nil {
			f.Close()
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := f.Close(); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

// CreateNew writes data to a new file at path. It fails when anything is
// there already, a symbolic link included (which it never follows), so a
// link planted where meshroll writes cannot redirect the write.
func CreateNew(path string, data []byte, perm fs.FileMode) error {
	fd, err := open(path, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, uint32(perm.Perm()))
	if err != nil {
		return &fs.PathError{Op: "create", Path: path, Err: err}
	}
	f := file(fd)
	for len(data) > 0 {
		n, err := f.Write(data)
		if err != nil {
			f.Close()
			return &fs.PathError{Op: "write", Path: path, Err: err}
		}
		data = data[n:]
	}
	if err := f.Close(); err != nil {
		return &fs.PathError{Op: "close", Path: path, Err: err}
	}
	return nil
}

func open(path string, mode int, perm uint32) (int, error) {
	for {
		fd, err := syscall.Open(path, mode, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// file is a file descriptor used with plain system calls.
type file int

func (f file) Read(p []byte) (int, error) {
	for {
		n, err := syscall.Read(int(f), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f file) Write(p []byte) (int, error) {
	for {
		n, err := syscall.Write(int(f), p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.ErrShortWrite
		}
		return n, nil
	}
}

func (f file) Close() error { return syscall.Close(int(f)) }
