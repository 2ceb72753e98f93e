//go:build race

package hugeheap

// The race detector shadows every heap allocation: preparing the heap would
// cost it gigabytes of shadow memory for nothing.
const raceEnabled = true
