package bound

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

// EnvJob is the environment variable that makes a process a bounded child
// running the job it names.
const EnvJob = "MESHROLL_BOUND_JOB"

// envMemory passes the memory ceiling to the child, for its Go memory limit.
const envMemory = "MESHROLL_BOUND_MEMORY"

// The default limits. An honest repository stays far below them: loading
// 10,000 rollouts written in one file with a CUE definition, defaults and
// references takes meshroll about 4 s and 410 MiB on a 2-core machine
// (test/hostile checks it).
const (
	DefaultMemory = 1 << 30
	DefaultTime   = 20 * time.Second
)

// Limits bound one evaluation. A zero field is no bound of that kind; zero
// Limits run the job in-process, for fuzzing and benchmarks.
type Limits struct {
	// Memory is the most resident memory, in bytes, the child may use.
	Memory int64
	// Time is the longest the child may run.
	Time time.Duration
}

// Defaults returns the default limits.
func Defaults() Limits { return Limits{Memory: DefaultMemory, Time: DefaultTime} }

// IsZero reports whether l bounds nothing.
func (l Limits) IsZero() bool { return l.Memory == 0 && l.Time == 0 }

var (
	defaultMu     sync.Mutex
	defaultLimits = Defaults()
)

// Default returns the limits jobs run under unless told otherwise:
// Defaults(), or what SetDefault set.
func Default() Limits {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultLimits
}

// SetDefault sets the limits of Default for this process, from the
// configuration of the repository a command works on.
func SetDefault(l Limits) {
	defaultMu.Lock()
	defer defaultMu.Unlock()
	defaultLimits = l
}

// ExceededError reports that an evaluation passed a limit. Subject names
// what was being evaluated (a file) when it did.
type ExceededError struct {
	Subject string
	// Memory is true when the memory ceiling was passed, false for time.
	Memory bool
	Limits Limits
}

func (e *ExceededError) Error() string {
	what := ""
	if e.Memory {
		what = fmt.Sprintf("evaluation exceeded %d MiB", e.Limits.Memory>>20)
	} else {
		what = "evaluation exceeded " + formatSeconds(e.Limits.Time)
	}
	if e.Subject == "" {
		return what
	}
	return e.Subject + ": " + what
}

// Reason is the error without its subject: "evaluation exceeded 1024 MiB".
func (e *ExceededError) Reason() string {
	c := *e
	c.Subject = ""
	return c.Error()
}

// Setting names the key of .meshroll.yaml that raises the limit passed.
func (e *ExceededError) Setting() string {
	if e.Memory {
		return "limits.memory"
	}
	return "limits.time"
}

func formatSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

// Progress is how a job running in a child says what it is evaluating now.
// In-process it does nothing.
type Progress func(subject string)

// Func is the body of a job: it reads its input and returns its output.
type Func func(input []byte, progress Progress) ([]byte, error)

// Job is a function that can run in a bounded child.
type Job struct {
	name string
	fn   Func
}

var (
	jobsMu sync.Mutex
	jobs   = map[string]*Job{}
)

// Register makes fn runnable in a child under name. It is called from
// package-level variable declarations, so that every binary that links the
// package — meshroll and the test binaries alike — can serve the job when
// it is started as a child.
func Register(name string, fn Func) *Job {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if _, dup := jobs[name]; dup {
		panic("bound: job registered twice: " + name)
	}
	j := &Job{name: name, fn: fn}
	jobs[name] = j
	return j
}

// isChild is true in a process started as a bounded child. Such a process
// must never start another: a binary whose main or TestMain forgot to call
// Serve would otherwise run its tests in the child and fork without end.
var isChild = os.Getenv(EnvJob) != ""

// Serve runs the job named by MESHROLL_BOUND_JOB and exits, when this
// process was started as a bounded child; otherwise it returns at once.
// Call it first in main and in TestMain.
func Serve() {
	name := os.Getenv(EnvJob)
	if name == "" {
		return
	}
	os.Exit(serve(name, os.Stdin, os.Stdout))
}

// Frame types of the child's output.
const (
	frameProgress = 'p'
	frameResult   = 'r'
	frameError    = 'e'
)

func serve(name string, in io.Reader, out io.Writer) int {
	if m, err := strconv.ParseInt(os.Getenv(envMemory), 10, 64); err == nil && m > 0 {
		// The soft limit makes the collector run hard before the heap
		// reaches the ceiling, so that garbage does not kill an honest
		// evaluation; the parent still kills the child past it.
		debug.SetMemoryLimit(m)
	}
	w := bufio.NewWriter(out)
	defer w.Flush()
	jobsMu.Lock()
	j := jobs[name]
	jobsMu.Unlock()
	if j == nil {
		writeFrame(w, frameError, []byte("this binary has no job "+strconv.Quote(name)))
		return 1
	}
	input, err := io.ReadAll(in)
	if err != nil {
		writeFrame(w, frameError, []byte("reading the job: "+err.Error()))
		return 1
	}
	progress := func(subject string) {
		writeFrame(w, frameProgress, []byte(subject))
		// The mark must reach the parent before the evaluation it names
		// starts, or a limit would name the file before it.
		w.Flush()
	}
	result, err := j.fn(input, progress)
	if err != nil {
		writeFrame(w, frameError, []byte(err.Error()))
		return 1
	}
	writeFrame(w, frameResult, result)
	return 0
}

func writeFrame(w io.Writer, typ byte, payload []byte) {
	var hdr [5]byte
	hdr[0] = typ
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(payload)))
	w.Write(hdr[:])
	w.Write(payload)
}

// one child at a time: see the package documentation.
var slot = make(chan struct{}, 1)

// pollEvery is how often the parent reads the child's resident memory.
// Allocating and touching memory takes the child at least about 1 ms per
// 10 MiB, so the child overshoots the ceiling by little.
const pollEvery = 5 * time.Millisecond

// Run runs the job on input under lim and returns its output. Zero limits
// run it in-process. Past a limit Run returns an *ExceededError whose
// Subject is the job's last progress mark; a job's own failure is an error
// with its message.
func (j *Job) Run(input []byte, lim Limits) ([]byte, error) {
	if lim.IsZero() {
		return j.fn(input, func(string) {})
	}
	if isChild {
		return nil, errors.New("bound: a bounded child may not start another; call bound.Serve first in main and TestMain")
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bound: finding this program to run a bounded evaluation: %w", err)
	}
	slot <- struct{}{}
	defer func() { <-slot }()
	// The kernel sends the child its parent-death signal when the thread
	// that started it exits, not the process: this goroutine keeps its
	// thread until the child is reaped.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), EnvJob+"="+j.name)
	if lim.Memory > 0 {
		cmd.Env = append(cmd.Env, envMemory+"="+strconv.FormatInt(lim.Memory, 10))
	}
	cmd.Stdin = bytes.NewReader(input)
	stderr := &tail{max: 4 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bound: starting a bounded evaluation: %w", err)
	}

	type outcome struct {
		result  []byte
		failure string
		err     error
	}
	var mu sync.Mutex
	subject := ""
	done := make(chan outcome, 1)
	go func() {
		r := bufio.NewReader(stdout)
		var o outcome
		for {
			typ, payload, err := readFrame(r, lim.Memory)
			if err != nil {
				if !errors.Is(err, io.EOF) {
					o.err = err
				}
				break
			}
			switch typ {
			case frameProgress:
				mu.Lock()
				subject = string(payload)
				mu.Unlock()
			case frameResult:
				o.result = payload
			case frameError:
				o.failure = string(payload)
			}
		}
		done <- o
		// Drain what a child that broke the protocol still writes, until
		// it is killed.
		io.Copy(io.Discard, r)
	}()

	var deadline <-chan time.Time
	if lim.Time > 0 {
		t := time.NewTimer(lim.Time)
		defer t.Stop()
		deadline = t.C
	}
	var poll <-chan time.Time
	if lim.Memory > 0 && canMeasure() {
		t := time.NewTicker(pollEvery)
		defer t.Stop()
		poll = t.C
	}
	exceeded := func(memory bool) ([]byte, error) {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		mu.Lock()
		defer mu.Unlock()
		return nil, &ExceededError{Subject: subject, Memory: memory, Limits: lim}
	}
	for {
		select {
		case <-deadline:
			return exceeded(false)
		case <-poll:
			if rss(cmd.Process.Pid) > lim.Memory {
				return exceeded(true)
			}
		case o := <-done:
			if o.err != nil {
				// Not our protocol: a binary whose TestMain does not
				// call Serve is running its tests in the child.
				cmd.Process.Kill()
			}
			werr := cmd.Wait()
			switch {
			case o.err != nil:
				return nil, fmt.Errorf("bound: reading a bounded evaluation: %w", o.err)
			case o.failure != "":
				return nil, errors.New(o.failure)
			case werr != nil || o.result == nil:
				mu.Lock()
				defer mu.Unlock()
				if lim.Memory > 0 && killedForMemory(cmd) {
					// The kernel's OOM killer or the Go runtime stopped it
					// near the ceiling before a poll saw it.
					return nil, &ExceededError{Subject: subject, Memory: true, Limits: lim}
				}
				msg := fmt.Sprintf("bound: the evaluation of %s failed (%v)", orDash(subject), werr)
				if s := stderr.String(); s != "" {
					msg += ": " + s
				}
				return nil, errors.New(msg)
			}
			return o.result, nil
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readFrame reads one frame, refusing payloads larger than max (when
// positive) plus slack: the child's output is bounded by its memory.
func readFrame(r io.Reader, max int64) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, nil, errors.New("truncated frame")
		}
		return 0, nil, err
	}
	switch hdr[0] {
	case frameProgress, frameResult, frameError:
	default:
		return 0, nil, fmt.Errorf("unknown frame type %q", hdr[0])
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if max > 0 && int64(n) > max+1<<20 {
		return 0, nil, fmt.Errorf("frame of %d bytes", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, errors.New("truncated frame")
	}
	return hdr[0], buf, nil
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}
