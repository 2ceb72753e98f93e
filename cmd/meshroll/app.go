package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/bound"
	"github.com/meshroll/meshroll/internal/junit"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/intent"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

// app carries what every command needs from the process: its streams and
// environment. Commands receive it through their constructors, so that tests
// run the CLI in-process with their own streams and no global state.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// terminal tells whether stdout is a terminal, for colour.
	terminal bool

	// The global flags, set on every command: --color and --quiet.
	color string
	quiet bool
}

// Main runs meshroll with the process's arguments and streams and returns the
// exit status: 0 success, 1 findings or stale output, 2 bad input or misuse.
func Main() int {
	// Output is buffered: render, for one, prints a line per file, and a
	// system call per line is a noticeable part of rendering thousands.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	a := &app{stdin: os.Stdin, stdout: out, stderr: os.Stderr, getenv: os.Getenv, terminal: isTerminal(os.Stdout)}
	code := a.run(os.Args[1:])
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "meshroll: writing the output: %v\n", err)
		if code == 0 {
			code = 2
		}
	}
	return code
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// run executes one command line and prints any error once, here.
func (a *app) run(args []string) int {
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var se schema.Errors
	if errors.As(err, &se) {
		for _, e := range se {
			fmt.Fprintln(a.stderr, e.Error())
		}
		fmt.Fprintf(a.stderr, "meshroll: %s in the intent; nothing was written\n", plural(len(se), "problem"))
		if err := a.reportIntentErrors(cmd, se); err != nil {
			fmt.Fprintf(a.stderr, "meshroll: writing the report: %v\n", err)
		}
		return 2
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(a.stderr, "meshroll: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(a.stderr, "meshroll: %v\n", err)
	return 2
}

// reportIntentErrors prints the problems of invalid intent on standard
// output in the format the command's -o asks for, as MR905 diagnostics, so
// that CI turns them into annotations as it does lint findings: JSON, SARIF,
// GitHub workflow commands, Markdown, or JUnit XML. Text goes to standard
// error alone (run has printed it).
func (a *app) reportIntentErrors(cmd *cobra.Command, se schema.Errors) error {
	f := cmd.Flags().Lookup("output")
	if f == nil {
		return nil
	}
	format := f.Value.String()
	switch format {
	case "text", "":
		return nil
	case "junit":
		return junit.Write(a.stdout, intentErrorSuites(se))
	}
	r, err := report.New(format, reportOptions(a))
	if err != nil {
		return nil // the command would have refused the format
	}
	return r.Report(a.stdout, intent.Errors(se))
}

// intentErrorSuites is invalid intent as a JUnit report: one test case in
// error per problem.
func intentErrorSuites(se schema.Errors) junit.Suites {
	s := junit.Suite{Name: "intent"}
	for _, e := range se {
		s.Cases = append(s.Cases, junit.Case{
			Name: e.Pos.String(), ClassName: "intent", File: e.Pos.File, Line: e.Pos.Line,
			Error: &junit.Problem{Message: e.Msg, Type: lint.InvalidIntentID, Text: e.Error()},
		})
	}
	return junit.Suites{Name: "meshroll test", Suites: []junit.Suite{s}}
}

// exitError carries an exit status other than 2 (the default for any error).
// A nil err means the command already reported what went wrong.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errFindings is returned by a command that printed findings at or above the
// failure threshold, or found stale output: exit status 1, nothing more to say.
var errFindings = &exitError{code: 1}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "meshroll",
		Short: "Render, lint and review Istio rollouts from CUE intent",
		Long: `meshroll renders the rollout intent of each service, written in CUE (or the
same shape in YAML or JSON), into Istio manifests for every phase of a progressive
rollout; lints Istio manifests against documented best practices and the team's
own CUE policies; and shows what a change does to live traffic.

It never talks to a cluster and never executes what it reads.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Every run checks the global flags and sets the bounds of CUE
		// evaluation from the configuration, whichever command it is.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch a.color {
			case "auto", "always", "never":
			default:
				return usageErrorf("--color %q: want auto, always or never", a.color)
			}
			applyLimits(cmd)
			return nil
		},
	}
	a.color = "auto"
	root.PersistentFlags().StringVar(&a.color, "color", "auto", "colour in text output: auto (on a terminal, unless NO_COLOR is set), always or never")
	root.PersistentFlags().BoolVarP(&a.quiet, "quiet", "q", false, "print only findings, failures and errors; commands whose output is the answer (plan, route, rules, explain, schema, version) print it anyway")
	root.AddCommand(
		newRenderCmd(a),
		newCheckCmd(a),
		newPlanCmd(a),
		newRouteCmd(a),
		newTestCmd(a),
		newDiffCmd(a),
		newAdvanceCmd(a),
		newRollbackCmd(a),
		newGateCmd(a),
		newPromoteCmd(a),
		newMCPCmd(a),
		newVersionCmd(a),
		newLintCmd(a),
		newRulesCmd(a),
		newExplainCmd(a),
		newInitCmd(a),
		newSchemaCmd(a),
		newKRMCmd(a),
	)
	// cobra's completion command, made now so that it gets examples too.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			// A shell cobra does not complete (tcsh, ksh) is misuse, with a
			// sentence, not the help and success.
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return usageErrorf("meshroll completes bash, zsh, fish and powershell, not %q: name one of them, as in meshroll completion bash", args[0])
			}
			c.Example = `  meshroll completion bash > ~/.local/share/bash-completion/completions/meshroll
  meshroll completion zsh > "${fpath[1]}/_meshroll"
  meshroll completion fish > ~/.config/fish/completions/meshroll.fish`
		}
	}
	return root
}

// usageErrorf reports a misused command: exit status 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// plural formats n things: "1 problem", "3 problems".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// applyLimits sets the bounds of every CUE evaluation of this run (see
// internal/bound) from the limits of .meshroll.yaml, named by the
// command's --config or found at the repository root; the defaults where
// it sets none. A configuration that cannot be read leaves the defaults: the
// command reports it when it needs the file.
func applyLimits(cmd *cobra.Command) {
	lim := bound.Defaults()
	path := ""
	if f := cmd.Flags().Lookup("config"); f != nil {
		path = f.Value.String()
	}
	if cfg, err := repo.LoadConfig(path); err == nil {
		if cfg.Limits.Memory > 0 {
			lim.Memory = cfg.Limits.Memory
		}
		if cfg.Limits.Time > 0 {
			lim.Time = cfg.Limits.Time
		}
	}
	bound.SetDefault(lim)
}
