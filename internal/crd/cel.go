package crd

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
	"go.yaml.in/yaml/v3"
)

// costLimit bounds the work of one rule evaluation, as the API server's
// per-expression limit does, so that a hostile document (a list of
// thousands of ports checked pairwise) cannot make validation slow.
const costLimit = 1_000_000

// celRules holds the CEL environment and the compiled rules. The environment is
// built on the first rule evaluation; each distinct rule text compiles once.
var celRules ruleCache

type ruleCache struct {
	envOnce sync.Once
	env     *cel.Env
	envErr  error

	mu       sync.Mutex
	programs map[string]*compiled
}

type compiled struct {
	once sync.Once
	prg  cel.Program
	err  error
}

// newEnv builds the environment the API server gives CRD validation rules,
// reduced to what the Istio CRDs use: the standard library (has, size,
// all/exists/exists_one, matches, startsWith, endsWith, contains, duration,
// int), the extended strings library (substring and friends) and the
// Kubernetes URL library (isURL, url, getScheme). self is dynamic: the
// walker hands over values already checked against the schema.
func newEnv() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.Variable("self", cel.DynType),
		cel.HomogeneousAggregateLiterals(),
		cel.EagerlyValidateDeclarations(true),
		cel.DefaultUTCTimeZone(true),
		cel.CrossTypeNumericComparisons(true),
		cel.OptionalTypes(),
		ext.Strings(ext.StringsVersion(2)),
	}
	return cel.NewEnv(append(opts, urlLibrary()...)...)
}

// program returns the compiled program of a rule, compiling it on first use.
func (c *ruleCache) program(text string) (cel.Program, error) {
	c.envOnce.Do(func() {
		c.env, c.envErr = newEnv()
	})
	if c.envErr != nil {
		return nil, fmt.Errorf("building the CEL environment: %w", c.envErr)
	}
	c.mu.Lock()
	if c.programs == nil {
		c.programs = map[string]*compiled{}
	}
	p := c.programs[text]
	if p == nil {
		p = &compiled{}
		c.programs[text] = p
	}
	c.mu.Unlock()
	p.once.Do(func() {
		ast, iss := c.env.Compile(text)
		if iss.Err() != nil {
			p.err = fmt.Errorf("compiling CEL rule %q: %w", text, iss.Err())
			return
		}
		opts := []cel.ProgramOption{cel.EvalOptions(cel.OptOptimize)}
		if hasComprehension(ast) {
			// Only comprehensions make a rule's cost grow with the input;
			// tracking cost costs allocations, so other rules go without.
			opts = append(opts, cel.CostLimit(costLimit))
		}
		p.prg, p.err = c.env.Program(ast, opts...)
		if p.err != nil {
			p.err = fmt.Errorf("planning CEL rule %q: %w", text, p.err)
		}
	})
	return p.prg, p.err
}

// hasComprehension reports whether a rule may iterate: comprehensions (the
// macros all, exists, exists_one, map and filter) are the only loops CEL has.
func hasComprehension(a *cel.Ast) bool {
	root := celast.NavigateAST(a.NativeRep())
	return len(celast.MatchDescendants(root, celast.KindMatcher(celast.ComprehensionKind))) > 0
}

// activation binds self without allocating a map.
type activation struct{ self ref.Val }

func (a *activation) ResolveName(name string) (any, bool) {
	if name == "self" {
		return a.self, true
	}
	return nil, false
}

func (a *activation) Parent() interpreter.Activation { return nil }

// rules evaluates the x-kubernetes-validations of s at n.
func (w *walker) rules(n, key *yaml.Node, s *schema) {
	if len(s.Validations) == 0 {
		return
	}
	var act *activation
	for _, r := range s.Validations {
		prg, err := w.cel.program(r.Rule)
		if err != nil {
			w.report(anchor(n, key), nil, "internal error: %v", err)
			continue
		}
		if act == nil {
			act = &activation{self: w.celValue(n, s, 0)}
		}
		out, _, err := prg.Eval(act)
		if err == nil && out == types.True {
			continue
		}
		if err == nil && out.Type() != types.BoolType {
			err = fmt.Errorf("the rule gave %v, not a boolean", out)
		}
		w.ruleError(n, key, r, err)
	}
}

// ruleError reports a rule that failed at n, with a message that says what
// to do where the CRD's own message does not.
func (w *walker) ruleError(n, key *yaml.Node, r *rule, evalErr error) {
	at := anchor(n, key)
	var extra []seg
	fieldPath := r.FieldPath
	if fieldPath == "" {
		fieldPath = ruleFieldPath(r.Rule)
	}
	if name, ok := strings.CutPrefix(fieldPath, "."); ok && n.Kind == yaml.MappingNode && !strings.ContainsAny(name, ".[") {
		if k, _ := w.present(n, name); k != nil {
			at = k
			extra = []seg{{kind: segField, name: name}}
		}
	}
	where := w.pathString(extra...)
	if where == "" {
		where = "the " + w.kind
	}
	value := ""
	if n.Kind == yaml.ScalarNode {
		value = quote(n.Value)
	}
	switch r.Rule {
	case "duration(self) >= duration('1ms')":
		w.report(at, extra, "%s must be a duration of at least 1ms, such as \"10s\", \"1m\" or \"500ms\"; %s is not", where, value)
		return
	case "0 < self && self <= 65535":
		w.report(at, extra, "%s must be a port number from 1 to 65535, not %s", where, n.Value)
		return
	case portLevelMtlsRule:
		w.report(at, extra, "%s applies to ports of selected workloads only: add spec.selector.matchLabels, or remove portLevelMtls", where)
		return
	}
	msg := r.Message
	if msg == "" {
		msg = "failed the rule " + r.Rule
	}
	msg = where + ": " + msg
	if value != "" {
		msg += " (the value is " + value + ")"
	}
	if evalErr != nil {
		msg += fmt.Sprintf(" (the rule could not be evaluated: %v)", evalErr)
	}
	w.report(at, extra, "%s", msg)
}

// portLevelMtlsRule is PeerAuthentication's rule that port-level mTLS needs
// a workload selector.
const portLevelMtlsRule = `has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true`

// ruleFieldPath names the field a rule is about, for rules of the Istio CRDs
// that sit on an object but concern one of its fields; the report then points
// at that field's line, as the API server does with a rule's fieldPath.
func ruleFieldPath(text string) string {
	switch text {
	case portLevelMtlsRule:
		return ".portLevelMtls"
	}
	return ""
}

// celValue converts a node to a CEL value the way the API server presents an
// object to a rule: fields typed by the schema, numbers of "number" fields as
// doubles, nulls of non-nullable fields pruned.
func (w *walker) celValue(n *yaml.Node, s *schema, depth int) ref.Val {
	if n == nil || depth > 100 {
		return types.NullValue
	}
	switch n.Kind {
	case yaml.MappingNode:
		p := n.Content
		m := make(map[ref.Val]ref.Val, len(p)/2)
		for i := 0; i+1 < len(p); i += 2 {
			k := p[i]
			if k == nil || k.Kind != yaml.ScalarNode {
				continue
			}
			var cs *schema
			if s != nil {
				if cs = s.Properties[k.Value]; cs == nil {
					cs = s.AdditionalProperties
				}
			}
			v := p[i+1]
			if v == nil || (isNull(v) && (cs == nil || !cs.Nullable)) {
				continue
			}
			m[types.String(k.Value)] = w.celValue(v, cs, depth+1)
		}
		return types.NewRefValMap(types.DefaultTypeAdapter, m)
	case yaml.SequenceNode:
		var is *schema
		if s != nil {
			is = s.Items
		}
		items := make([]ref.Val, 0, len(n.Content))
		for _, e := range n.Content {
			items = append(items, w.celValue(e, is, depth+1))
		}
		return types.NewRefValList(types.DefaultTypeAdapter, items)
	case yaml.ScalarNode:
		kind := scalarKindOf(n)
		switch kind {
		case kindNull:
			return types.NullValue
		case kindBool:
			return types.Bool(strings.EqualFold(n.Value, "true"))
		case kindInt, kindFloat:
			num, ok := parseNumber(n, kind)
			if !ok {
				return types.String(n.Value)
			}
			if (s != nil && s.Type == "number") || !num.isInt {
				return types.Double(num.f)
			}
			return types.Int(num.i)
		default:
			return types.String(n.Value)
		}
	}
	return types.NullValue
}

// urlType is the Kubernetes CEL URL type.
var urlType = cel.OpaqueType("kubernetes.URL")

// urlValue is a URL in CEL.
type urlValue struct{ u *url.URL }

func (v urlValue) ConvertToNative(typ reflect.Type) (any, error) {
	if typ == reflect.TypeOf(v.u) {
		return v.u, nil
	}
	return nil, fmt.Errorf("cannot convert a URL to %v", typ)
}

func (v urlValue) ConvertToType(typ ref.Type) ref.Val {
	switch typ {
	case urlType:
		return v
	case types.TypeType:
		return urlType
	}
	return types.NewErr("type conversion error from URL to %v", typ)
}

func (v urlValue) Equal(other ref.Val) ref.Val {
	o, ok := other.(urlValue)
	return types.Bool(ok && *o.u == *v.u)
}

func (v urlValue) Type() ref.Type { return urlType }
func (v urlValue) Value() any     { return v.u }

// urlLibrary is the part of the Kubernetes CEL URL library
// (k8s.io/apiserver/pkg/cel/library/urls.go) that Istio's rules use: isURL,
// url and getScheme, with the same semantics: isURL and url accept what
// url.ParseRequestURI accepts, an absolute URL or path. Importing the
// apiserver for three functions would pull in most of Kubernetes.
func urlLibrary() []cel.EnvOption {
	return []cel.EnvOption{
		cel.Function("isURL", cel.Overload("is_url_string", []*cel.Type{cel.StringType}, cel.BoolType,
			cel.UnaryBinding(func(arg ref.Val) ref.Val {
				s, ok := arg.(types.String)
				if !ok {
					return types.NoSuchOverloadErr()
				}
				_, err := url.ParseRequestURI(string(s))
				return types.Bool(err == nil)
			}))),
		cel.Function("url", cel.Overload("string_to_url", []*cel.Type{cel.StringType}, urlType,
			cel.UnaryBinding(func(arg ref.Val) ref.Val {
				s, ok := arg.(types.String)
				if !ok {
					return types.NoSuchOverloadErr()
				}
				if _, err := url.ParseRequestURI(string(s)); err != nil {
					return types.NewErr("URL parse error during conversion from string: %v", err)
				}
				// ParseRequestURI mishandles fragments; parse again for the value.
				u, err := url.Parse(string(s))
				if err != nil {
					return types.NewErr("URL parse error during conversion from string: %v", err)
				}
				return urlValue{u: u}
			}))),
		cel.Function("getScheme", cel.MemberOverload("url_get_scheme", []*cel.Type{urlType}, cel.StringType,
			cel.UnaryBinding(func(arg ref.Val) ref.Val {
				u, ok := arg.(urlValue)
				if !ok {
					return types.NoSuchOverloadErr()
				}
				return types.String(u.u.Scheme)
			}))),
	}
}
