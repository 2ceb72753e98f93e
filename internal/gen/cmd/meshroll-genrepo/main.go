// Command meshroll-genrepo makes a git repository of n rollouts for timing meshroll
// diff --base as a whole process: the rollouts committed at canary, and in
// the working tree every tenth advanced to expand and every seventh given
// an A/B route.
//
//	go run ./internal/gen/cmd/meshroll-genrepo -n 1000 /tmp/repo
//	cd /tmp/repo && time meshroll diff --base HEAD -o markdown > /dev/null
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/meshroll/meshroll/internal/gen"
)

func main() {
	n := flag.Int("n", 1000, "number of rollouts")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: meshroll-genrepo [-n N] DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *n); err != nil {
		fmt.Fprintln(os.Stderr, "meshroll-genrepo:", err)
		os.Exit(1)
	}
}

func run(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	git := func(args ...string) error {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=genrepo", "GIT_AUTHOR_EMAIL=genrepo@example.com",
			"GIT_COMMITTER_NAME=genrepo", "GIT_COMMITTER_EMAIL=genrepo@example.com")
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	intents := filepath.Join(dir, "intents")
	if err := git("init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := gen.Write(intents, n, gen.Options{Phase: func(int) string { return "canary" }}); err != nil {
		return err
	}
	if err := git("add", "."); err != nil {
		return err
	}
	if err := git("commit", "-q", "-m", "rollouts at canary"); err != nil {
		return err
	}
	phase := func(i int) string {
		if i%10 == 0 {
			return "expand"
		}
		return "canary"
	}
	return gen.Write(intents, n, gen.Options{Phase: phase, ExtraRoute: func(i int) bool { return i%7 == 0 }})
}
