package hostile

import (
	"os"
	"syscall"
)

// maxRSS is the ru_maxrss of a reaped process, which Linux gives in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10
	}
	return 0
}
