// Package lock serialises meshroll processes that write the same files: an
// advisory lock on a directory, taken before reading what a write is based
// on and held until the write is done. Readers that must not see a write
// half-done (check) take it shared.
//
// On Unix the lock is flock(2) on the directory itself, so that it leaves
// no file behind in a repository; elsewhere it is a lock on a file named
// .meshroll.lock in the directory. The lock is released when the process
// ends, however it ends.
package lock
