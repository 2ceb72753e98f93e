//go:build !unix

package tree

// fileID identifies a file across its hard links.
type fileID struct{ dev, ino uint64 }

// inode is unknown here; writes never swap directories on these systems.
func inode(string) (fileID, bool) { return fileID{}, false }
