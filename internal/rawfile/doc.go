// Package rawfile reads and writes regular files with plain system calls
// where the system has them. An os.File registers its descriptor with the
// Go runtime's poller, which a regular file cannot use: three or four system
// calls per file, a quarter of linting a small file and a noticeable part of
// writing a tree of thousands.
package rawfile
