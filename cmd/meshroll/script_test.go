package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite the expected output in testdata/script with the actual output")

// TestMain lets testscript run meshroll in-process as the command
// "meshroll", with the real Main.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"meshroll": func() { os.Exit(Main()) },
	})
}

// TestScript runs the CLI scripts in testdata/script. Each gets the
// repository's fixtures directory as $FIXTURES.
func TestScript(t *testing.T) {
	fixtures, err := filepath.Abs("../../fixtures")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *updateScripts,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
