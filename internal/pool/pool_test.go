package pool

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestRun(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 64} {
		out := make([]int, 100)
		var calls atomic.Int32
		err := Run(len(out), workers, func(i int) error {
			calls.Add(1)
			out[i] = i * i
			if i == 70 || i == 30 {
				return fmt.Errorf("job %d", i)
			}
			return nil
		})
		if err == nil || err.Error() != "job 30" {
			t.Errorf("workers=%d: error %v, want the lowest failing job's", workers, err)
		}
		if calls.Load() != 100 {
			t.Errorf("workers=%d: %d calls, want every job run", workers, calls.Load())
		}
		for i, v := range out {
			if v != i*i {
				t.Fatalf("workers=%d: out[%d] = %d", workers, i, v)
			}
		}
	}
	if err := Run(0, 4, func(int) error { return errors.New("never") }); err != nil {
		t.Errorf("no jobs: %v", err)
	}
}
