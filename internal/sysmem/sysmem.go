// Package sysmem tells how much memory the machine has.
package sysmem

// Total returns the machine's physical memory in bytes, or 0 when it cannot
// tell.
func Total() uint64 { return total() }
