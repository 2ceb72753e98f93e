//go:build !linux && !darwin

package tree

// canExchange is false where there is no atomic exchange of directories:
// writes use the journal.
const canExchange = false

func exchange(a, b string) error { return errNoSwap }
