package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/meshroll/meshroll/internal/bound"
)

var updateScripts = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

// TestMain makes the test binary double as the meshroll command for the
// scripts, so they run the CLI built from this package, with no separate
// build.
func TestMain(m *testing.M) {
	bound.Serve()
	testscript.Main(m, map[string]func(){
		"meshroll": func() { os.Exit(Main()) },
		// expect-exit N meshroll ARGS... runs meshroll and succeeds when it
		// exits with status N, so scripts can tell 1 (findings) from 2
		// (bad input).
		"expect-exit": func() {
			if len(os.Args) < 3 || os.Args[2] != "meshroll" {
				fmt.Fprintln(os.Stderr, "usage: expect-exit N meshroll ARGS...")
				os.Exit(2)
			}
			want, err := strconv.Atoi(os.Args[1])
			if err != nil {
				fmt.Fprintln(os.Stderr, "expect-exit: bad status:", os.Args[1])
				os.Exit(2)
			}
			a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
			if got := a.run(os.Args[3:]); got != want {
				fmt.Fprintf(os.Stderr, "meshroll exited with status %d, want %d\n", got, want)
				os.Exit(1)
			}
			os.Exit(0)
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script. Each gets the
// repository's fixtures directory as $FIXTURES.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	// krm.txtar runs the real kustomize; CI sets MESHROLL_REQUIRE_KUSTOMIZE
	// so that it cannot pass by skipping.
	if _, err := exec.LookPath("kustomize"); err != nil && os.Getenv("MESHROLL_REQUIRE_KUSTOMIZE") == "1" {
		t.Fatalf("kustomize is not on the PATH, and MESHROLL_REQUIRE_KUSTOMIZE=1 requires it: %v", err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
	})
}
