package sysmem

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestTotalMatchesMeminfo checks Total against /proc/meminfo's MemTotal.
func TestTotalMatchesMeminfo(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/meminfo is Linux's")
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) == 3 && fields[0] == "MemTotal:" && fields[2] == "kB" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := Total(), kb<<10; got != want {
				t.Errorf("Total() = %d, /proc/meminfo says %d", got, want)
			}
			return
		}
	}
	t.Fatal("no MemTotal in /proc/meminfo")
}
