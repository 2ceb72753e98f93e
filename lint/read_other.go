//go:build !unix

package lint

import (
	"io"
	"os"
)

// openFile opens a file for reading, with its size when it is a regular
// file (-1 otherwise).
func openFile(path string) (io.ReadCloser, int64, error) {
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
