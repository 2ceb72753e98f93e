package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/intent"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/policies"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
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

// lintOptions is a lint run, resolved from flags and configuration.
type lintOptions struct {
	paths     []string
	intents   []string
	format    string
	failOn    lint.Severity
	namespace string
	policies  []string
	exclude   *input.Exclude
	disabled  map[string]bool
	severity  map[string]lint.Severity
	// istio is the Istio minor release the manifests target; "" for the
	// newest meshroll knows.
	istio string
	// origin says where each rule ID named in disabled, enabled or severity
	// settings came from, for an error when it names no rule.
	origin map[string]string
	// rendered and renderedFrom are, in a configured repository, the out
	// tree and the intents it is rendered from: findings on its files that
	// are up to date are reported at the intent's lines.
	rendered, renderedFrom string
}

// resolveLint merges flags over the configuration: flags win, and within
// one source enable wins over disable. It checks values, not rule IDs, which
// are known only once policies are loaded (see checkRuleIDs).
func resolveLint(f lintFlags, cfg *config.Config) (lintOptions, error) {
	changed := f.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	o := lintOptions{
		paths:     f.args,
		intents:   f.intents,
		format:    f.output,
		namespace: cfg.Lint.Namespace,
		disabled:  map[string]bool{},
		severity:  map[string]lint.Severity{},
		origin:    map[string]string{},
	}
	if len(o.paths) == 0 && len(o.intents) == 0 {
		if cfg.Out == "" {
			return o, errors.New("name the manifests to lint (files, directories, - for standard input), or set out in .meshroll.yaml")
		}
		o.paths = []string{cfg.Path(cfg.Out)}
	}
	if cfg.File != "" && cfg.Out != "" && cfg.Intents != "" && len(o.intents) == 0 {
		o.rendered, o.renderedFrom = cfg.Path(cfg.Out), cfg.IntentsPath()
	}
	if _, err := report.New(o.format, report.Options{}); err != nil {
		return o, err
	}
	ex, err := excludes(cfg, f.exclude)
	if err != nil {
		return o, err
	}
	o.exclude = ex
	failOn := "error"
	if cfg.Lint.FailOn != "" {
		failOn = cfg.Lint.FailOn
	}
	if changed("fail-on") {
		failOn = f.failOn
	}
	s, err := lint.ParseSeverity(failOn)
	if err != nil {
		return o, fmt.Errorf("--fail-on: %w", err)
	}
	o.failOn = s
	if changed("namespace") {
		o.namespace = f.namespace
	}
	o.istio = cfg.Istio
	if changed("istio-version") {
		o.istio = f.istio
	}
	if o.istio != "" && !slices.Contains(crd.Versions(), o.istio) {
		from := "--istio-version"
		if !changed("istio-version") {
			from = cfg.Position("istio")
		}
		return o, fmt.Errorf("%s: meshroll has no schemas of Istio %q; it knows %s", from, o.istio, strings.Join(crd.Versions(), ", "))
	}
	for _, p := range cfg.Lint.Policies {
		o.policies = append(o.policies, cfg.Path(p))
	}
	o.policies = append(o.policies, f.policies...)

	for i, id := range cfg.Lint.Disable {
		o.disabled[id] = true
		o.origin[id] = cfg.Position(fmt.Sprintf("lint.disable[%d]", i))
	}
	for i, id := range cfg.Lint.Enable {
		delete(o.disabled, id)
		o.origin[id] = cfg.Position(fmt.Sprintf("lint.enable[%d]", i))
	}
	for id, sev := range cfg.Lint.Severity {
		o.severity[id], _ = lint.ParseSeverity(sev) // config.Parse checked it
		o.origin[id] = cfg.Position("lint.severity." + id)
	}
	enabled := map[string]bool{}
	for _, id := range f.enable {
		enabled[strings.TrimSpace(id)] = true
	}
	for _, id := range f.disable {
		id = strings.TrimSpace(id)
		if enabled[id] {
			return o, fmt.Errorf("%s is both in --disable and --enable", id)
		}
		o.disabled[id] = true
		o.origin[id] = "--disable"
	}
	for id := range enabled {
		delete(o.disabled, id)
		o.origin[id] = "--enable"
	}
	for _, kv := range f.severity {
		id, level, ok := strings.Cut(kv, "=")
		sev, err := lint.ParseSeverity(level)
		if !ok || err != nil {
			return o, fmt.Errorf("--severity %q: want ID=error|warning|info", kv)
		}
		o.severity[id] = sev
		o.origin[id] = "--severity"
	}
	return o, nil
}

// istioVersionUsage describes --istio-version for lint and check.
var istioVersionUsage = fmt.Sprintf("Istio minor release the manifests target, one of %s (default: istio in .meshroll.yaml, else %s)",
	strings.Join(crd.Versions(), ", "), crd.DefaultVersion())

// checkRuleIDs fails on a rule ID in the settings that names none of rules,
// saying where it was set.
func checkRuleIDs(o lintOptions, rules []*lint.Rule) error {
	var bad []string
	for id, where := range o.origin {
		if lint.Lookup(rules, id) == nil {
			bad = append(bad, fmt.Sprintf("%s: %s is not a rule (meshroll rules lists them)", where, id))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	return errors.New(strings.Join(bad, "\n"))
}

// lintRules returns the rules of a run: the built-in ones and the policies
// of the CUE policy directories.
func lintRules(policyDirs []string) ([]*lint.Rule, error) {
	rules := lint.All()
	if len(policyDirs) == 0 {
		return rules, nil
	}
	e, err := policies.Load(policyDirs...)
	if err != nil {
		return nil, err
	}
	return append(rules, lint.PolicyRules(e.Filter(func(p policies.Policy) bool { return !p.Builtin }))...), nil
}

func loadConfig(path string) (*config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return config.Discover(wd)
}

func newLintCmd(a *app) *cobra.Command {
	f := &lintFlags{}
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Istio manifests against best practices and policies",
		Long: `Lint Istio manifests (VirtualService, DestinationRule, PeerAuthentication,
with the other objects around them for context), whoever wrote them.

PATHs are files, directories (their *.yaml, *.yml and *.json files,
recursively), - for standard input, and kustomize directories, which are
built in-process with remote bases and plugins refused. Without PATHs, lint
the rendered tree named by out in .meshroll.yaml.

With --intents, lint rollout intent: every phase of every rollout is rendered
in memory and linted, each finding reported at the line of the intent that
produced it, and the intent-level rules (MR206, MR210, MR601) run too.

Every finding names its rule, severity, resource (Kind/namespace/name) and
the file, line and column of the offending field. Exit status: 0 when no
finding is at or above --fail-on, 1 when one is, 2 when the input could
not be read or the command was misused.

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
			cfg, err := loadConfig(f.config)
			if err != nil {
				return err
			}
			o, err := resolveLint(*f, cfg)
			if err != nil {
				return err
			}
			rules, err := lintRules(o.policies)
			if err != nil {
				return err
			}
			if err := checkRuleIDs(o, rules); err != nil {
				return err
			}
			rep, err := runLint(a, o, rules)
			if err != nil {
				return err
			}
			r, err := report.New(o.format, reportOptions(a))
			if err != nil {
				return err
			}
			if err := r.Report(a.stdout, rep); err != nil {
				return fmt.Errorf("writing the report: %w", err)
			}
			if rep.Fails(o.failOn) {
				return errFindings
			}
			return nil
		},
	}
	cmd.Flags().AddFlagSet(lintFlagSet(f))
	return cmd
}

// runLint loads the manifests and the intents and runs the rules.
func runLint(a *app, o lintOptions, rules []*lint.Rule) (*lint.Report, error) {
	opts := lint.Options{Rules: rules, Disabled: o.disabled, Severity: o.severity, IstioVersion: o.istio}
	var reports []*lint.Report
	if len(o.intents) > 0 {
		in, err := schema.LoadWith(o.intents, schema.LoadOptions{Exclude: o.exclude})
		if err != nil {
			return nil, err
		}
		rep, err := intent.Lint(in, nil, render.AllPhases, opts)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	if len(o.paths) > 0 {
		m, err := lint.Load(o.paths, lint.LoadOptions{Namespace: o.namespace, Stdin: a.stdin, Exclude: o.exclude, IstioVersion: o.istio})
		if err != nil {
			return nil, err
		}
		if o.rendered != "" {
			// Intent that does not load leaves the findings where they
			// are: lint is about the manifests, check about the intent.
			if in, err := schema.LoadWith([]string{o.renderedFrom}, schema.LoadOptions{Exclude: o.exclude}); err == nil {
				if _, err := intent.Attach(in, m, o.rendered); err != nil {
					return nil, err
				}
			}
		}
		rep, err := lint.Run(m, opts)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	return lint.Merge(reports...), nil
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
