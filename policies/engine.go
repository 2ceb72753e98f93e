package policies

import (
	"fmt"
	"sort"
	"strings"

	"cuelang.org/go/cue"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// Severity is how serious a violation is.
type Severity string

// The severities a policy may declare.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Policy describes one loaded policy: what `meshroll rules` and `meshroll
// explain` show.
type Policy struct {
	ID       string
	Name     string
	Severity Severity
	// Summary is the policy's one-line summary; "" when it has none.
	Summary string
	// Message is the policy's message as written, with its {path} and
	// {value} placeholders.
	Message string
	// Doc is the comment above the policy in its CUE file.
	Doc string
	// Kinds, APIGroups and Namespaces select the manifests the policy
	// applies to; empty APIGroups or Namespaces select all.
	Kinds      []string
	APIGroups  []string
	Namespaces []string
	// Builtin is true for meshroll's own policies (IDs MRnnn).
	Builtin bool
	// File, Line and Column locate the policy's definition.
	File   string
	Line   int
	Column int
}

// Violation is one field of one manifest that fails one policy.
//
// A policy judges values, not types: where a manifest holds a different kind
// of value than the constraint admits (a string where it expects a list, a
// number where it expects a string), the policy is silent, because meshroll's
// MR900 reports malformed manifests and one mistake should give one
// diagnostic. A field whose value is null counts as absent, as it does for
// the Kubernetes API server.
type Violation struct {
	PolicyID string
	Name     string
	Severity Severity
	// Message is the policy's message with {path} and {value} filled in, or,
	// when it has neither, followed by the reason in parentheses.
	Message string
	// Reason is the concrete finding, such as
	// "spec.http[0].timeout is missing; want string".
	Reason string
	// File, Line and Column locate the offending field in the manifest: the
	// key of a field, the item of a list, or, for a missing field, its
	// nearest existing parent.
	File   string
	Line   int
	Column int
	// Path is the data path of the offending field, such as
	// spec.http[0].timeout; empty for the manifest as a whole.
	Path string
}

// Engine evaluates compiled policies against manifests. It is safe for
// concurrent use: compiled policies are read-only, the memos are locked, and
// cue.Value operations are safe for concurrent use in cuelang.org/go v0.17
// (its cue/concurrent_test.go covers Unify, Validate and BuildExpr on
// values of one shared Context, the regression suite for cue-lang/cue#2733).
type Engine struct {
	ctx      *cue.Context
	s        cueplan.Scratch
	policies []*compiled // sorted by ID
	byKind   map[string][]*compiled
}

// compiled is a policy ready to evaluate.
type compiled struct {
	Policy
	constraint cue.Value
	// plan is the constraint's shape, or nil when the package is not safe
	// (see safe) and each manifest is unified with the constraint whole.
	plan *cueplan.Plan
	// pkg is the user package the policy came from, compiled again in a
	// bounded child to evaluate manifests when there is no plan.
	pkg Package
}

func newEngine(ctx *cue.Context, s cueplan.Scratch, cs []*compiled) *Engine {
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	e := &Engine{ctx: ctx, s: s, policies: cs, byKind: map[string][]*compiled{}}
	for _, c := range cs {
		for _, k := range c.Kinds {
			e.byKind[k] = append(e.byKind[k], c)
		}
	}
	return e
}

// Policies lists the engine's policies, sorted by ID.
func (e *Engine) Policies() []Policy {
	out := make([]Policy, len(e.policies))
	for i, c := range e.policies {
		out[i] = c.Policy
	}
	return out
}

// Filter returns an engine with the policies for which keep is true, for
// rules disabled on the command line or in the configuration. It shares the
// compiled policies with e.
func (e *Engine) Filter(keep func(Policy) bool) *Engine {
	var cs []*compiled
	for _, c := range e.policies {
		if keep(c.Policy) {
			cs = append(cs, c)
		}
	}
	return newEngine(e.ctx, e.s, cs)
}

// Applies reports whether any policy applies to manifests of kind, so that
// callers can skip others cheaply.
func (e *Engine) Applies(kind string) bool {
	return len(e.byKind[kind]) > 0
}

// Evaluate checks one manifest against every policy for its kind (and API
// group and namespace, read from doc). doc is the document's mapping node
// (a DocumentNode is accepted too), file the name to report. Violations are
// sorted by line, column, policy ID and path. Evaluate never fails: a
// manifest that is not a mapping has no violations. doc is a plain tree, as
// package manifest hands them out.
func (e *Engine) Evaluate(doc *yaml.Node, file, kind string) []Violation {
	cs := e.byKind[kind]
	if len(cs) == 0 {
		return nil
	}
	body := documentBody(doc)
	if body == nil || body.Kind != yaml.MappingNode {
		return nil
	}
	group, ns := groupAndNamespace(body)
	var out []Violation
	for _, c := range cs {
		if c.applies(group, ns) {
			out = append(out, e.evaluate(c, body, file)...)
		}
	}
	sortViolations(out)
	return out
}

// sortViolations orders violations by line, column, policy ID and path.
func sortViolations(out []Violation) {
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.PolicyID != b.PolicyID {
			return a.PolicyID < b.PolicyID
		}
		return a.Path < b.Path
	})
}

// groupAndNamespace reads a manifest's API group (networking.istio.io from
// networking.istio.io/v1, "" for the core group) and namespace ("default"
// when absent).
func groupAndNamespace(body *yaml.Node) (group, ns string) {
	if _, v, ok := lookup(body, "apiVersion"); ok {
		if v.Kind == yaml.ScalarNode {
			if g, _, found := strings.Cut(v.Value, "/"); found {
				group = g
			}
		}
	}
	ns = "default"
	if _, md, ok := lookup(body, "metadata"); ok {
		if _, v, ok := lookup(md, "namespace"); ok {
			if v.Kind == yaml.ScalarNode && v.Value != "" && !isNull(v) {
				ns = v.Value
			}
		}
	}
	return group, ns
}

func (c *compiled) applies(group, ns string) bool {
	return (len(c.APIGroups) == 0 || contains(c.APIGroups, group)) &&
		(len(c.Namespaces) == 0 || contains(c.Namespaces, ns))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// evaluate checks one manifest against one policy.
func (e *Engine) evaluate(c *compiled, body *yaml.Node, file string) (vs []Violation) {
	defer func() {
		// CUE is a large evaluator fed with arbitrary manifests; should it
		// panic, the manifest gets a diagnostic and the run goes on.
		if r := recover(); r != nil {
			v := c.violation(file, body, "", fmt.Sprint("CUE failed: ", r), "")
			v.Message = "cannot check policy " + c.ID + ": " + v.Reason
			vs = []Violation{v}
		}
	}()
	return c.violations(file, body, c.check(e.s, body))
}

// check finds the problems of one manifest: through the plan, or for
// policies without one by unifying the constraint with the whole manifest.
func (c *compiled) check(s cueplan.Scratch, body *yaml.Node) []problem {
	if c.plan != nil {
		return cueplan.Walk(c.plan, newView(), body, walkOptions)
	}
	return cueplan.Whole(c.constraint, s, newView(), body, walkOptions)
}

// violations groups problems by path, one violation per path.
func (c *compiled) violations(file string, body *yaml.Node, ps []problem) []Violation {
	if len(ps) == 0 {
		return nil
	}
	type group struct {
		path []pathElem
		ps   []problem
	}
	var order []string
	groups := map[string]*group{}
	for _, p := range ps {
		if dataKindMismatch(p, locate(body, p.Path).value) {
			continue
		}
		key := formatPath(p.Path)
		g, ok := groups[key]
		if !ok {
			g = &group{path: p.Path}
			groups[key] = g
			order = append(order, key)
		}
		g.ps = append(g.ps, p)
	}
	if len(order) == 0 {
		return nil
	}
	out := make([]Violation, 0, len(order))
	for _, key := range order {
		g := groups[key]
		loc := locate(body, g.path)
		have, missing := describe(loc.value)
		value := ""
		if loc.value != nil && loc.value.Kind == yaml.ScalarNode {
			value = loc.value.Value
		}
		out = append(out, c.violation(file, loc.pos, key, reason(key, g.ps, have, missing), value))
	}
	return out
}

// violation builds a violation at node pos.
func (c *compiled) violation(file string, pos *yaml.Node, path, why, value string) Violation {
	v := Violation{
		PolicyID: c.ID,
		Name:     c.Name,
		Severity: c.Severity,
		Reason:   why,
		File:     file,
		Path:     path,
	}
	if pos != nil {
		v.Line, v.Column = pos.Line, pos.Column
	}
	if strings.Contains(c.Message, "{path}") || strings.Contains(c.Message, "{value}") {
		shown := path
		if shown == "" {
			shown = "the manifest"
		}
		v.Message = strings.NewReplacer("{path}", shown, "{value}", value).Replace(c.Message)
	} else {
		v.Message = strings.TrimSuffix(c.Message, ".") + " (" + why + ")"
	}
	return v
}
