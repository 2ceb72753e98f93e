// Package tree replaces the generated files of an output directory as one
// transaction: every new file is written beside its target first, a journal
// records the renames, and only then are targets replaced, so that a failed
// or interrupted write leaves the previous tree (a later write finishes an
// interrupted one from the journal). Files that do not start with the
// generated-file header are never overwritten or deleted.
package tree
