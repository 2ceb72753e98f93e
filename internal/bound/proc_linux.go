package bound

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// sysProcAttr makes the kernel kill the child when the parent dies, so that
// a killed meshroll leaves no evaluation running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

func canMeasure() bool { return true }

var pageSize = int64(os.Getpagesize())

// rss returns the resident memory of process pid in bytes, from the second
// field of /proc/PID/statm; 0 when it cannot be read.
func rss(pid int) int64 {
	var buf [128]byte
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	n, _ := f.Read(buf[:])
	f.Close()
	fields := bytes.Fields(buf[:n])
	if len(fields) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * pageSize
}

// killedForMemory reports whether the child died of SIGKILL that the parent
// did not send: the kernel's OOM killer, which may stop a child growing
// fast toward the ceiling before a poll sees it.
func killedForMemory(cmd *exec.Cmd) bool {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return false
	}
	return ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
