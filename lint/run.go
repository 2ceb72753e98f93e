package lint

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/manifest"
)

// Options select and tune the rules of a Run.
type Options struct {
	// Rules are the rules to run; All() when nil. Callers add the rules of
	// other sources, such as CUE policies, to All().
	Rules []*Rule
	// Disabled rules do not run and their findings, load errors included,
	// are dropped.
	Disabled map[string]bool
	// Severity overrides the severity of every finding of a rule.
	Severity map[string]Severity
	// RootNamespace and ClusterDomain default to DefaultRootNamespace and
	// DefaultClusterDomain.
	RootNamespace string
	ClusterDomain string
	// Intent is the intent behind the manifests, for the intent-level rules
	// (MR206, MR210, MR601); nil when linting manifests alone.
	Intent *Intent
	// IstioVersion is the Istio minor release the manifests target, such as
	// "1.31", one of crd.Versions(); "" for the newest meshroll embeds. MR900
	// validates against its schemas.
	IstioVersion string
}

// Report is the outcome of a Run.
type Report struct {
	// Diagnostics are sorted by file, line, column, rule, resource, message.
	Diagnostics []Diagnostic
	// Rules are the rules of the run, enabled or not, sorted by ID.
	Rules     []*Rule
	Files     int
	Resources int
}

// Count returns the number of diagnostics of severity s.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, d := range r.Diagnostics {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Fails reports whether any diagnostic is at or above threshold.
func (r *Report) Fails(threshold Severity) bool {
	for _, d := range r.Diagnostics {
		if d.Severity >= threshold {
			return true
		}
	}
	return false
}

// Rule returns the rule of the run with the given ID, or nil.
func (r *Report) Rule(id string) *Rule {
	i, ok := slices.BinarySearchFunc(r.Rules, id, func(r *Rule, id string) int { return strings.Compare(r.ID, id) })
	if !ok {
		return nil
	}
	return r.Rules[i]
}

// Run runs the enabled rules over m and returns their findings, without
// those a resource suppresses (see meta.SuppressPrefix), with severities as
// configured. It fails when the options name rules that do not exist, when
// two rules share an ID, or when a rule panics.
func Run(m *manifest.Manifests, opts Options) (*Report, error) {
	rules := opts.Rules
	if rules == nil {
		rules = All()
	}
	rules = slices.Clone(rules)
	slices.SortFunc(rules, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	known := make(map[string]bool, len(rules))
	for _, r := range rules {
		if known[r.ID] {
			return nil, fmt.Errorf("two rules have the ID %s", r.ID)
		}
		known[r.ID] = true
	}
	for id := range opts.Disabled {
		if !known[id] {
			return nil, fmt.Errorf("cannot disable %s: no such rule (meshroll rules lists them)", id)
		}
	}
	for id, s := range opts.Severity {
		if !known[id] {
			return nil, fmt.Errorf("cannot set the severity of %s: no such rule (meshroll rules lists them)", id)
		}
		if !s.Valid() {
			return nil, fmt.Errorf("invalid severity for %s", id)
		}
	}

	if opts.IstioVersion != "" && !slices.Contains(crd.Versions(), opts.IstioVersion) {
		return nil, fmt.Errorf("meshroll has no schemas of Istio %q; it knows %s", opts.IstioVersion, strings.Join(crd.Versions(), ", "))
	}
	istio := opts.IstioVersion
	if istio == "" {
		istio = crd.DefaultVersion()
	}
	ix := manifest.NewIndex(m.Resources, opts.RootNamespace, opts.ClusterDomain)
	var enabled []*Rule
	for _, r := range rules {
		if !opts.Disabled[r.ID] && r.Run != nil {
			enabled = append(enabled, r)
		}
	}
	passes := make([]*Pass, len(enabled))
	errs := make([]error, len(enabled))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, r := range enabled {
		passes[i] = &Pass{Rule: r, Resources: m.Resources, Index: ix, Intent: opts.Intent, IstioVersion: istio, known: known}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = runRule(passes[i])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	suppressed := suppressions(m.Resources, known)
	var out []Diagnostic
	for _, p := range m.Problems {
		if d := problemDiagnostic(p); !opts.Disabled[d.Rule] {
			out = append(out, d)
		}
	}
	for _, p := range passes {
		for _, f := range p.findings {
			if !suppressed[f.r][f.d.Rule] {
				out = append(out, f.d)
			}
		}
	}
	for i := range out {
		if s, ok := opts.Severity[out[i].Rule]; ok {
			out[i].Severity = s
		}
	}
	SortDiagnostics(out)
	return &Report{Diagnostics: out, Rules: rules, Files: len(m.Files), Resources: len(m.Resources)}, nil
}

// runRule runs one rule and turns a panic into an error: a bug in a rule
// must not crash the linter, and must not pass unnoticed either.
func runRule(p *Pass) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("rule %s %s failed: %v\n%s", p.Rule.ID, p.Rule.Name, v, debug.Stack())
		}
	}()
	p.Rule.Run(p)
	return p.err
}

// Lookup returns the rule with the given ID from rules, or nil.
func Lookup(rules []*Rule, id string) *Rule {
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Merge combines the reports of several runs into one: their diagnostics
// sorted together, their counts added.
func Merge(reports ...*Report) *Report {
	out := &Report{}
	for _, r := range reports {
		out.Diagnostics = append(out.Diagnostics, r.Diagnostics...)
		out.Files += r.Files
		out.Resources += r.Resources
		if out.Rules == nil {
			out.Rules = r.Rules
		}
	}
	SortDiagnostics(out.Diagnostics)
	return out
}
