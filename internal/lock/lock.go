package lock

import (
	"time"
)

// Mode is how a lock is held.
type Mode int

// The modes of a lock.
const (
	Shared Mode = iota
	Exclusive
)

// Lock is a held lock.
type Lock struct {
	release func() error
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.release == nil {
		return nil
	}
	err := l.release()
	l.release = nil
	return err
}

// pollEvery is how often a lock held by another process is tried again.
const pollEvery = 25 * time.Millisecond

// Dir locks the directory dir, waiting while another process holds it in
// a mode that conflicts. waiting, when not nil, is called once if the lock
// is not free at once (to say so), and wait bounds the wait: past it, Dir
// gives up with an error naming dir. A wait of 0 waits without end.
func Dir(dir string, mode Mode, wait time.Duration, waiting func()) (*Lock, error) {
	l, err := open(dir)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	told := false
	for {
		ok, err := l.try(mode)
		if err != nil {
			l.close()
			return nil, err
		}
		if ok {
			return &Lock{release: l.close}, nil
		}
		if !told && waiting != nil {
			waiting()
			told = true
		}
		if wait > 0 && time.Since(start) > wait {
			l.close()
			return nil, &BusyError{Dir: dir, Waited: wait}
		}
		time.Sleep(pollEvery)
	}
}

// BusyError reports a lock that another process held for longer than the
// wait.
type BusyError struct {
	Dir    string
	Waited time.Duration
}

func (e *BusyError) Error() string {
	return "another meshroll has been writing in " + e.Dir + " for " + e.Waited.String() + "; try again when it is done"
}
