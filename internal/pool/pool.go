// Package pool runs independent jobs on a few goroutines and keeps their
// results in the order of the jobs, so that output never depends on
// scheduling.
package pool

import (
	"runtime"
	"sync"
)

// Run calls fn(i) for i in 0..n-1 on at most workers goroutines (the
// number of processors when workers <= 0) and returns the error of the
// lowest i that failed. Every job runs, whatever the others return.
func Run(n, workers int, fn func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
