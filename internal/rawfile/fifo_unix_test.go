//go:build unix

package rawfile

import (
	"io"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenNeverWaitsOnAPipe puts a named pipe with no writer where a file
// is read: opening and reading it must fail or return at once, not block
// the command forever.
func TestOpenNeverWaitsOnAPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.yaml")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	done := make(chan error, 1)
	go func() {
		f, size, err := Open(p)
		if err == nil {
			_, err = io.ReadAll(f)
			f.Close()
			if size != -1 {
				t.Errorf("size of a pipe = %d, want -1", size)
			}
		}
		done <- err
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Open or Read of a named pipe without a writer blocks")
	}
}
