//go:build unix

package edit

import (
	"os"

	"golang.org/x/sys/unix"
)

// canWrite reports whether this process may write the file at p, and the
// file is not marked read-only for everyone (which root could write, but a
// person marked so on purpose).
func canWrite(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().Perm()&0o222 != 0 && unix.Access(p, unix.W_OK) == nil
}
