package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/repo"
)

// lintFlags are the lint command's flags as given.
type lintFlags struct {
	output    string
	failOn    string
	disable   []string
	enable    []string
	severity  []string
	namespace string
	policies  []string
	intents   []string
	exclude   []string
	config    string
	istio     string
	args      []string
	// changed reports whether a flag was given, so that defaults do not
	// override the configuration file.
	changed func(name string) bool
}

// lintFlagSet defines the lint flags on a fresh flag set, filling f.
func lintFlagSet(f *lintFlags) *pflag.FlagSet {
	fs := pflag.NewFlagSet("lint", pflag.ContinueOnError)
	fs.StringVarP(&f.output, "output", "o", "text", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning or info")
	fs.StringSliceVar(&f.disable, "disable", nil, "rule IDs not to run (comma-separated, repeatable)")
	fs.StringSliceVar(&f.enable, "enable", nil, "rule IDs to run although the configuration disables them")
	fs.StringArrayVar(&f.severity, "severity", nil, "override a rule's severity, as ID=error|warning|info (repeatable)")
	fs.StringVar(&f.namespace, "namespace", "", `namespace of objects that name none (default "default")`)
	fs.StringArrayVar(&f.policies, "policy", nil, "directory of CUE policies to check too (repeatable)")
	fs.StringSliceVar(&f.intents, "intents", nil, "rollout intent to lint: rendered in memory, findings reported at the intent's lines, with the intent-level rules")
	fs.StringVar(&f.config, "config", "", "configuration file (default: .meshroll.yaml at the repository root)")
	fs.StringArrayVar(&f.exclude, "exclude", nil, "gitignore-style `PATTERN` of files and directories not to read, relative to the working directory (repeatable; adds to exclude in .meshroll.yaml)")
	fs.StringVar(&f.istio, "istio-version", "", istioVersionUsage)
	return fs
}

// parseLintFlags parses a lint command line into flags and arguments.
func parseLintFlags(args []string) (lintFlags, error) {
	var f lintFlags
	fs := lintFlagSet(&f)
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	f.args = fs.Args()
	f.changed = func(name string) bool { return fs.Changed(name) }
	return f, nil
}

// settings converts the flags as given into the library's form.
func (f lintFlags) settings() repo.LintFlags {
	return repo.LintFlags{Output: f.output, FailOn: f.failOn, Disable: f.disable, Enable: f.enable, Severity: f.severity,
		Namespace: f.namespace, Policies: f.policies, Intents: f.intents, Exclude: f.exclude, Istio: f.istio, Args: f.args, Changed: f.changed}
}

// istioVersionUsage describes --istio-version for lint and check.
var istioVersionUsage = fmt.Sprintf("Istio minor release the manifests target, one of %s (default: istio in .meshroll.yaml, else %s)",
	strings.Join(crd.Versions(), ", "), crd.DefaultVersion())

func newLintCmd(a *app) *cobra.Command {
	f := &lintFlags{}
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Istio manifests against best practices and policies",
		Long: `Lint Istio manifests (VirtualService, DestinationRule, PeerAuthentication,
with the other objects around them for context), whoever wrote them.

PATHs are files, directories (their *.yaml, *.yml and *.json files,
recursively; hidden entries and exclude patterns skipped, symbolic links
followed inside the repository), - for standard input, and kustomize
directories, which are built in-process with remote bases and plugins
refused. A kustomization that cannot be built, or a file that cannot be read,
is a finding (MR902) and the rest is linted; Helm charts and templates are
skipped with a note (MR903). Without PATHs, lint the rendered tree named by
out in .meshroll.yaml.

With --intents, lint rollout intent: every phase of every rollout is rendered
in memory and linted, each finding reported at the line of the intent that
produced it, and the intent-level rules (MR206, MR210, MR601) run too.

Every finding names its rule, severity, resource (Kind/namespace/name) and
the file, line and column of the offending field. Exit status: 0 when no
finding is at or above --fail-on, 1 when one is, 2 when a path does not
exist, a symbolic link leads out of the repository or loops, nothing is
there to lint, or the command was misused.

Settings come from .meshroll.yaml at the repository root (lint: failOn,
disable, enable, severity, policies, namespace); flags override them. A
resource suppresses a rule with the annotation
meshroll.dev/ignore.MR301: "<reason>" (the reason is mandatory).`,
		Example: `  meshroll lint rendered/
  meshroll lint deploy/bookinfo/reviews.yaml deploy/shop
  kustomize build overlays/prod | meshroll lint -
  meshroll lint -o sarif rendered/ > meshroll.sarif
  meshroll lint -o github --fail-on warning rendered/
  meshroll lint --disable MR104,MR207 --namespace bookinfo manifests/
  meshroll lint --intents intents/    # findings at the intent's lines, MR206/MR210/MR601 too`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.args = args
			f.changed = cmd.Flags().Changed
			cfg, err := repo.LoadConfig(f.config)
			if err != nil {
				return err
			}
			o, err := repo.ResolveLint(f.settings(), cfg)
			if err != nil {
				return err
			}
			rules, err := repo.LintRules(o.Policies)
			if err != nil {
				return err
			}
			if err := repo.CheckRuleIDs(o, rules); err != nil {
				return err
			}
			rep, err := repo.Lint(o, rules, a.stdin)
			if err != nil {
				return err
			}
			r, err := report.New(o.Format, reportOptions(a))
			if err != nil {
				return err
			}
			if err := r.Report(a.stdout, rep); err != nil {
				return fmt.Errorf("writing the report: %w", err)
			}
			if rep.Fails(o.FailOn) {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().AddFlagSet(lintFlagSet(f))
	return cmd
}

// reportOptions are the reporters' options for a's global flags.
func reportOptions(a *app) report.Options {
	root := gitRoot(".")
	return report.Options{Color: useColor(a), Quiet: a.quiet, Version: buildVersion(), Root: root}
}

// useColor reports whether text output may use colour: --color always, or
// --color auto (the default) when stdout is a terminal and NO_COLOR
// (https://no-color.org) is not set. A flag given on the command line wins
// over the environment, as NO_COLOR asks.
func useColor(a *app) bool {
	switch a.color {
	case "always":
		return true
	case "never":
		return false
	}
	if a.getenv("NO_COLOR") != "" {
		return false
	}
	return a.terminal
}
