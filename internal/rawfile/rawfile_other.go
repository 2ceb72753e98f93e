//go:build !unix

package rawfile

import (
	"io"
	"io/fs"
	"os"
)

// Open opens a file for reading, with its size when it is a regular file
// (-1 otherwise).
func Open(path string) (io.ReadCloser, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, nil
}

// WriteFile writes data to path, creating or truncating it.
var WriteFile = os.WriteFile

// CreateNew writes data to a new file at path, failing when anything is
// there already.
func CreateNew(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
