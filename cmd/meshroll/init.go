package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/scaffold"
)

func newInitCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Scaffold intents, configuration, a pre-commit hook and a CI workflow",
		Long: `Init sets up a GitOps repository for meshroll. Into DIR (default: the current
directory) it writes

  intents/reviews.cue             an example rollout, commented field by field
  .meshroll.yaml                  where the intents and the rendered tree are
  .pre-commit-config.yaml         meshroll check before every commit
  .github/workflows/meshroll.yml  check, lint to code scanning, and the traffic
                                  diff as a pull request comment

The example renders, checks and lints clean as written. Init never overwrites
a file: when any of them exists it names them and writes nothing (exit status 2).

.meshroll.yaml is read from the root of the git repository, so DIR should be
one (git init).`,
		Example: `  meshroll init
  meshroll init deploy/gitops`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			files, err := scaffold.Files(scaffold.Options{Version: buildVersion()})
			if err != nil {
				return err
			}
			written, err := scaffold.Write(dir, files)
			var exists *scaffold.ExistsError
			if errors.As(err, &exists) {
				return usageErrorf("%w", err)
			}
			if err != nil {
				return err
			}
			if a.quiet {
				return nil
			}
			for _, p := range written {
				fmt.Fprintf(a.stdout, "created %s\n", p)
			}
			printNextSteps(a, dir)
			return nil
		},
	}
}

// printNextSteps tells what to run after init, in dir.
func printNextSteps(a *app, dir string) {
	root := gitRoot(dir)
	abs, _ := filepath.Abs(dir)
	if root != "" && root != abs {
		fmt.Fprintf(a.stdout, "\nnote: meshroll reads %s at the root of the git repository, %s, not in %s: move the files there, or make %s a repository of its own\n",
			config.FileName, root, dir, dir)
	}
	steps := [][2]string{}
	if filepath.Clean(dir) != "." {
		steps = append(steps, [2]string{shellJoin("cd", dir), ""})
	}
	if root == "" {
		steps = append(steps, [2]string{"git init", "meshroll reads " + config.FileName + " at the repository root"})
	}
	steps = append(steps,
		[2]string{"meshroll render", "render the example rollout into rendered/"},
		[2]string{"meshroll check", "what the hook and CI run: is rendered up to date?"},
		[2]string{"pre-commit install", "run meshroll check before every commit"},
		[2]string{`git add -A && git commit -m "meshroll init"`, ""},
	)
	fmt.Fprintln(a.stdout, "\nNext:")
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 3, ' ', 0)
	for _, s := range steps {
		if s[1] == "" {
			fmt.Fprintf(tw, "  %s\n", s[0])
		} else {
			fmt.Fprintf(tw, "  %s\t# %s\n", s[0], s[1])
		}
	}
	tw.Flush()
}

// gitRoot returns the absolute path of the git repository that holds dir
// (the nearest directory at or above it with a .git entry, as meshroll finds
// .meshroll.yaml), or "" when there is none.
func gitRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
