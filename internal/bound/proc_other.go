//go:build !linux

package bound

import (
	"os/exec"
	"syscall"
)

// Without /proc, the memory ceiling is the child's Go memory limit alone,
// and the deadline bounds the rest.

func sysProcAttr() *syscall.SysProcAttr { return nil }

func canMeasure() bool { return false }

func rss(int) int64 { return 0 }

func killedForMemory(*exec.Cmd) bool { return false }
