// Package hostile runs the meshroll binary, as a user or a CI job would,
// against hostile and careless input, and checks from outside the process
// what it did: its exit status, what it printed, how long it ran and the
// peak memory of it and its children, and what it left on disk.
//
// TestMain builds meshroll once, without the race detector (the suite
// measures memory, which the race detector multiplies), into a temporary
// directory; run starts it. The package has only test files.
package hostile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// meshroll is the path of the binary TestMain built from the repository at
// root.
var meshroll string

const root = "../.."

// consulted stats meshroll's sources once, from within a test (see
// consultSources).
var consulted = sync.OnceValue(func() error { return consultSources(root) })

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "meshroll-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	meshroll = filepath.Join(dir, "meshroll")
	build := exec.Command("go", "build", "-o", meshroll, "./cmd/meshroll")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building meshroll: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// consultSources stats every file meshroll is built from. go test caches a
// passing run by the test binary and the files the tests consult (from
// within m.Run); the binary built here depends on sources this package does
// not import, and without this a changed meshroll would be answered from
// the cache.
func consultSources(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "fixtures") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(name) {
		case ".go", ".cue", ".mod", ".sum":
			_, err := os.Stat(path)
			return err
		}
		return nil
	})
}

// result is what one run of meshroll did, seen from outside.
type result struct {
	Code   int
	Stdout string
	Stderr string
	// Wall is the time from start to exit.
	Wall time.Duration
	// MaxRSS is the peak resident memory, in bytes, of meshroll and of
	// every child process it waited for (the kernel's ru_maxrss of the
	// process as reaped): the bounded evaluations of CUE included.
	MaxRSS int64
}

// run runs meshroll with args in dir, with NO_COLOR set and without the Go
// runtime settings of the test's environment (GOGC, GOMEMLIMIT, GODEBUG),
// so that it runs as a user's would. A failure to start it fails the test;
// any exit status is a result.
func run(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if err := consulted(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(meshroll, args...)
	cmd.Dir = dir
	cmd.Env = append(environ(), "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{Wall: time.Since(start), Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running meshroll %q: %v", args, err)
	}
	r.Code = cmd.ProcessState.ExitCode()
	r.MaxRSS = maxRSS(cmd.ProcessState)
	return r
}

// environ is the test's environment without the settings that change how
// the Go runtime of meshroll behaves.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS", "MESHROLL_BOUND_JOB":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// write creates the files of a scenario under dir: name → content.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
