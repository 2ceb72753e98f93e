//go:build unix

package tree

import (
	"os"
	"syscall"
)

// fileID identifies a file across its hard links.
type fileID struct{ dev, ino uint64 }

func inode(p string) (fileID, bool) {
	fi, err := os.Lstat(p)
	if err != nil {
		return fileID{}, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true //nolint:unconvert // the types differ by system
}
