// Package tree writes the generated files of an output directory as one
// transaction, and tells how a directory differs from what it should hold.
//
// A write takes an exclusive lock on the directory's parent (package lock),
// so that overlapping runs take turns, each reading what the last one left.
// Then:
//
//   - A directory that does not exist is built in a hidden directory beside
//     it and renamed into place: it appears whole or not at all.
//   - An existing directory is rebuilt beside itself, every file it keeps
//     (generated or not, hidden ones included) carried over as a hard link
//     and every new or changed file written afresh, and the two are swapped
//     in one atomic system call (renameat2 RENAME_EXCHANGE on Linux,
//     renamex_np RENAME_SWAP on macOS). Whatever stops the process, kill -9
//     included, the directory holds the previous tree or the new one, never
//     a mix. The previous tree, now beside it, is then removed; a file
//     someone added to it meanwhile is moved into the new one.
//   - Where that cannot be done (another system, a file system without hard
//     links or the swap), each file is written beside its target, a journal
//     records the renames, and only then are targets replaced; an
//     interrupted write is finished from the journal by the next one, and
//     check reports it meanwhile. The journal is never trusted: every entry
//     must name a generated file inside the directory.
//
// Before its commit point (the swap, or the journal) a write stops when its
// context is cancelled, as on SIGINT or SIGTERM, and leaves nothing behind.
//
// Files that do not start with the generated-file header are never
// overwritten or deleted, nothing is written through a symbolic link, and
// the output directory itself must not be one. Hidden directories a killed
// write leaves beside the output are removed by the next write, as far as
// they hold only what meshroll wrote or carried over.
package tree
