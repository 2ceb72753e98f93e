package lock

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// Each Dir opens the directory anew, and flock locks belong to an open
// file, so two locks in one process conflict as two processes' would.

func TestExclusiveWaitsForExclusive(t *testing.T) {
	dir := t.TempDir()
	first, err := Dir(dir, Exclusive, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Bool
	told := make(chan struct{})
	done := make(chan struct{})
	go func() {
		second, err := Dir(dir, Exclusive, 0, func() { close(told) })
		if err != nil {
			t.Error(err)
		}
		got.Store(true)
		second.Unlock()
		close(done)
	}()
	<-told // the second waits, and says so
	time.Sleep(50 * time.Millisecond)
	if got.Load() {
		t.Fatal("a second exclusive lock was granted while the first was held")
	}
	first.Unlock()
	<-done
}

func TestSharedLocks(t *testing.T) {
	dir := t.TempDir()
	a, err := Dir(dir, Shared, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Dir(dir, Shared, time.Second, nil)
	if err != nil {
		t.Fatalf("two shared locks conflict: %v", err)
	}
	_, err = Dir(dir, Exclusive, 100*time.Millisecond, nil)
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("an exclusive lock under shared ones: %v, want a BusyError", err)
	}
	a.Unlock()
	b.Unlock()
	c, err := Dir(dir, Exclusive, time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Unlock()
	c.Unlock() // twice is harmless
}

func TestMissingDirectory(t *testing.T) {
	if _, err := Dir(t.TempDir()+"/missing", Exclusive, 0, nil); err == nil {
		t.Error("locking a directory that does not exist: no error")
	}
}
