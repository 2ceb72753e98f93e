//go:build !unix

package rawfile

import (
	"io"
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
