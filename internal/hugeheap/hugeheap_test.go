//go:build linux

package hugeheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestAdviseMarksTheHeap checks in /proc/self/smaps that the memory Advise
// prepared is marked for huge pages ("hg" in VmFlags), so that the heap the
// runtime later hands out from it faults in 2 MiB pages.
func TestAdviseMarksTheHeap(t *testing.T) {
	start, end, err := advise(64 << 20)
	if err != nil {
		t.Skipf("the kernel refuses MADV_HUGEPAGE here: %v", err)
	}
	if end-start < hugePage {
		t.Fatalf("advise marked %d bytes, want at least one huge page", end-start)
	}
	flags, err := vmFlags(start)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Errorf("the mapping at %#x has VmFlags %q, without hg", start, flags)
	}
}

func TestDisabled(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                        false,
		"disablethp=0":            false,
		"disablethp=1":            true,
		"gctrace=1, disablethp=1": true,
		"xdisablethp=1":           false,
	} {
		if got := disabled(godebug); got != want {
			t.Errorf("disabled(%q) = %v, want %v", godebug, got, want)
		}
	}
}

// vmFlags returns the VmFlags line of the mapping that holds addr.
func vmFlags(addr uintptr) (string, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return "", err
	}
	defer f.Close()
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 && !strings.Contains(line[:strings.IndexByte(line, ' ')], ":") {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmFlags:")), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no mapping holds %#x", addr)
}
