//go:build !unix

package edit

import "os"

// canWrite reports whether the file at p is writable.
func canWrite(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().Perm()&0o200 != 0
}
