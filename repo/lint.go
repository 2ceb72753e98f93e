package repo

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/lint/intent"
	"github.com/meshroll/meshroll/lint/report"
	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/policies"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// LintFlags are the settings of a lint run as given on the command line
// (or by a tool call), before the configuration is merged in.
type LintFlags struct {
	Output    string
	FailOn    string
	Disable   []string
	Enable    []string
	Severity  []string
	Namespace string
	Policies  []string
	Intents   []string
	Exclude   []string
	// Istio is --istio-version: the Istio minor release the manifests
	// target.
	Istio string
	Args  []string
	// Changed reports whether a flag was given, so that defaults do not
	// override the configuration file; nil means none was.
	Changed func(name string) bool
}

// LintOptions is a lint run, resolved from flags and configuration.
type LintOptions struct {
	Paths     []string
	Intents   []string
	Format    string
	FailOn    lint.Severity
	Namespace string
	Policies  []string
	Exclude   *input.Exclude
	Disabled  map[string]bool
	Severity  map[string]lint.Severity
	// Istio is the Istio minor release the manifests target; "" for the
	// newest meshroll knows.
	Istio string
	// Origin says where each rule ID named in disabled, enabled or
	// severity settings came from, for an error when it names no rule.
	Origin map[string]string
	// Rendered and RenderedFrom are, in a configured repository, the out
	// tree and the intents it is rendered from: findings on its files that
	// are up to date are reported at the intent's lines.
	Rendered, RenderedFrom string
}

// ResolveLint merges flags over the configuration: flags win, and within
// one source enable wins over disable. It checks values, not rule IDs,
// which are known only once policies are loaded (see CheckRuleIDs).
func ResolveLint(f LintFlags, cfg *config.Config) (LintOptions, error) {
	changed := f.Changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	o := LintOptions{
		Paths:     f.Args,
		Intents:   f.Intents,
		Format:    f.Output,
		Namespace: cfg.Lint.Namespace,
		Disabled:  map[string]bool{},
		Severity:  map[string]lint.Severity{},
		Origin:    map[string]string{},
	}
	if o.Format == "" {
		o.Format = "text"
	}
	if len(o.Paths) == 0 && len(o.Intents) == 0 {
		if cfg.Out == "" {
			return o, errors.New("name the manifests to lint (files, directories, - for standard input), or set out in .meshroll.yaml")
		}
		o.Paths = []string{cfg.Path(cfg.Out)}
	}
	if cfg.File != "" && cfg.Out != "" && cfg.Intents != "" && len(o.Intents) == 0 {
		o.Rendered, o.RenderedFrom = cfg.Path(cfg.Out), cfg.IntentsPath()
	}
	if _, err := report.New(o.Format, report.Options{}); err != nil {
		return o, err
	}
	ex, err := Excludes(cfg, f.Exclude)
	if err != nil {
		return o, err
	}
	o.Exclude = ex
	failOn := "error"
	if cfg.Lint.FailOn != "" {
		failOn = cfg.Lint.FailOn
	}
	if changed("fail-on") {
		failOn = f.FailOn
	}
	s, err := lint.ParseSeverity(failOn)
	if err != nil {
		return o, fmt.Errorf("--fail-on: %w", err)
	}
	o.FailOn = s
	if changed("namespace") {
		o.Namespace = f.Namespace
	}
	o.Istio = cfg.Istio
	if changed("istio-version") {
		o.Istio = f.Istio
	}
	if o.Istio != "" && !slices.Contains(crd.Versions(), o.Istio) {
		from := "--istio-version"
		if !changed("istio-version") {
			from = cfg.Position("istio")
		}
		return o, fmt.Errorf("%s: meshroll has no schemas of Istio %q; it knows %s", from, o.Istio, strings.Join(crd.Versions(), ", "))
	}
	for _, p := range cfg.Lint.Policies {
		o.Policies = append(o.Policies, cfg.Path(p))
	}
	o.Policies = append(o.Policies, f.Policies...)

	for i, id := range cfg.Lint.Disable {
		o.Disabled[id] = true
		o.Origin[id] = cfg.Position(fmt.Sprintf("lint.disable[%d]", i))
	}
	for i, id := range cfg.Lint.Enable {
		delete(o.Disabled, id)
		o.Origin[id] = cfg.Position(fmt.Sprintf("lint.enable[%d]", i))
	}
	for id, sev := range cfg.Lint.Severity {
		o.Severity[id], _ = lint.ParseSeverity(sev) // config.Parse checked it
		o.Origin[id] = cfg.Position("lint.severity." + id)
	}
	enabled := map[string]bool{}
	for _, id := range f.Enable {
		enabled[strings.TrimSpace(id)] = true
	}
	for _, id := range f.Disable {
		id = strings.TrimSpace(id)
		if enabled[id] {
			return o, fmt.Errorf("%s is both in --disable and --enable", id)
		}
		o.Disabled[id] = true
		o.Origin[id] = "--disable"
	}
	for id := range enabled {
		delete(o.Disabled, id)
		o.Origin[id] = "--enable"
	}
	for _, kv := range f.Severity {
		id, level, ok := strings.Cut(kv, "=")
		sev, err := lint.ParseSeverity(level)
		if !ok || err != nil {
			return o, fmt.Errorf("--severity %q: want ID=error|warning|info", kv)
		}
		o.Severity[id] = sev
		o.Origin[id] = "--severity"
	}
	return o, nil
}

// CheckRuleIDs fails on a rule ID in the settings that names none of
// rules, saying where it was set.
func CheckRuleIDs(o LintOptions, rules []*lint.Rule) error {
	var bad []string
	for id, where := range o.Origin {
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

// LintRules returns the rules of a run: the built-in ones and the policies
// of the CUE policy directories.
func LintRules(policyDirs []string) ([]*lint.Rule, error) {
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

// LintOptionsFor are the rule settings of o for a lint of rules.
func (o LintOptions) LintOptionsFor(rules []*lint.Rule) lint.Options {
	return lint.Options{Rules: rules, Disabled: o.Disabled, Severity: o.Severity, IstioVersion: o.Istio}
}

// Lint loads the manifests and the intents of o and runs the rules; stdin
// is read for a path "-".
func Lint(o LintOptions, rules []*lint.Rule, stdin io.Reader) (*lint.Report, error) {
	opts := o.LintOptionsFor(rules)
	var reports []*lint.Report
	if len(o.Intents) > 0 {
		in, err := schema.LoadWith(o.Intents, schema.LoadOptions{Exclude: o.Exclude})
		if err != nil {
			return nil, err
		}
		rep, err := intent.Lint(in, nil, render.AllPhases, opts)
		if err != nil {
			return nil, err
		}
		reports = append(reports, rep)
	}
	if len(o.Paths) > 0 {
		m, err := manifest.Load(o.Paths, manifest.LoadOptions{Namespace: o.Namespace, Stdin: stdin, Exclude: o.Exclude, IstioVersion: o.Istio, Inspect: lint.Inspect})
		if err != nil {
			return nil, err
		}
		if o.Rendered != "" {
			// Intent that does not load leaves the findings where they
			// are: lint is about the manifests, check about the intent.
			if in, err := schema.LoadWith([]string{o.RenderedFrom}, schema.LoadOptions{Exclude: o.Exclude}); err == nil {
				if _, err := intent.Attach(in, m, o.Rendered); err != nil {
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
