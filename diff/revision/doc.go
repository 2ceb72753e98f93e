// Package revision reads the intents of a git revision for meshroll diff
// --base, and renders them and those of the working tree.
//
// It reads a revision only through git's plumbing — git ls-tree and git
// cat-file --batch, which apply no filters and run no hooks — with the
// pager, the filesystem monitor and every transport turned off, so that
// nothing the repository configures runs and nothing is fetched. It leaves
// the working tree and the index alone: a dirty working tree is what a
// developer compares. The revision's files are copied into a temporary
// directory with their layout, refusing paths that could leave it and
// skipping symbolic links, and loaded from there.
package revision
