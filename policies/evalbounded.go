package policies

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/bound"
)

// Doc is one manifest to evaluate: its mapping node (or document node),
// the file to report, and its kind.
type Doc struct {
	Node *yaml.Node
	File string
	Kind string
}

// Bounded reports whether some policy of e must be evaluated through
// EvaluateAll: a user policy without a plan, which unifies each manifest
// with its whole package. Such a package may refer to a manifest's fields
// anywhere, in comprehensions too, and so ask CUE for any amount of work
// per manifest (a comprehension over spec.hosts three deep).
func (e *Engine) Bounded() bool {
	for _, c := range e.policies {
		if c.plan == nil && !c.Builtin {
			return true
		}
	}
	return false
}

// EvaluateAll is Evaluate of each doc. The policies that Bounded names are
// evaluated in a bounded child process under lim, each over all the docs;
// past a limit it returns an Errors naming the policy's file and the
// manifest being checked.
func (e *Engine) EvaluateAll(docs []Doc, lim bound.Limits) ([][]Violation, error) {
	out := make([][]Violation, len(docs))
	var unplanned []*compiled
	for _, c := range e.policies {
		if c.plan == nil && !c.Builtin {
			unplanned = append(unplanned, c)
		}
	}
	rest := e.Filter(func(p Policy) bool {
		for _, c := range unplanned {
			if c.ID == p.ID {
				return false
			}
		}
		return true
	})
	for i, d := range docs {
		out[i] = rest.Evaluate(d.Node, d.File, d.Kind)
	}
	for _, c := range unplanned {
		job := evalJobInput{Pkg: c.pkg, ID: c.ID}
		var idx []int
		for i, d := range docs {
			if body := documentBody(d.Node); body != nil && contains(c.Kinds, d.Kind) {
				job.Docs = append(job.Docs, wireDoc{File: d.File, Kind: d.Kind, Nodes: flatten(body)})
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		vs, err := runEvalJob(job, lim)
		if err != nil {
			var ee *bound.ExceededError
			if errors.As(err, &ee) {
				return nil, Errors{{File: c.File, Line: c.Line, Column: c.Column, Msg: fmt.Sprintf(
					"policy %s: %s while checking %s; meshroll stopped it (if this policy is honest, raise %s in .meshroll.yaml)", c.ID, ee.Reason(), ee.Subject, ee.Setting())}}
			}
			return nil, fmt.Errorf("policy %s: %w", c.ID, err)
		}
		if len(vs) != len(idx) {
			return nil, fmt.Errorf("policy %s: the bounded evaluation returned %d results for %d manifests", c.ID, len(vs), len(idx))
		}
		for j, i := range idx {
			out[i] = append(out[i], vs[j]...)
			sortViolations(out[i])
		}
	}
	return out, nil
}

type evalJobInput struct {
	Pkg  Package
	ID   string
	Docs []wireDoc
}

// wireDoc is a manifest sent to the child: its nodes flattened, the first
// one the body.
type wireDoc struct {
	File  string
	Kind  string
	Nodes []wireNode
}

// wireNode is a yaml.Node with its children and alias as indices into the
// flattened list, so that shared anchors cross the pipe as they are.
type wireNode struct {
	Kind         yaml.Kind
	Style        yaml.Style
	Tag, Value   string
	Anchor       string
	Alias        int // -1 for none
	Content      []int
	Line, Column int
}

// flatten lists the nodes reachable from n, each once.
func flatten(n *yaml.Node) []wireNode {
	index := map[*yaml.Node]int{}
	var out []wireNode
	var add func(n *yaml.Node) int
	add = func(n *yaml.Node) int {
		if i, ok := index[n]; ok {
			return i
		}
		i := len(out)
		index[n] = i
		out = append(out, wireNode{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value, Anchor: n.Anchor, Alias: -1, Line: n.Line, Column: n.Column})
		content := make([]int, len(n.Content))
		for j, c := range n.Content {
			content[j] = add(c)
		}
		out[i].Content = content
		if n.Alias != nil {
			out[i].Alias = add(n.Alias)
		}
		return i
	}
	add(n)
	return out
}

// unflatten rebuilds the tree flatten listed; nil when it is malformed.
func unflatten(ws []wireNode) *yaml.Node {
	if len(ws) == 0 {
		return nil
	}
	nodes := make([]yaml.Node, len(ws))
	for i, w := range ws {
		n := &nodes[i]
		*n = yaml.Node{Kind: w.Kind, Style: w.Style, Tag: w.Tag, Value: w.Value, Anchor: w.Anchor, Line: w.Line, Column: w.Column}
		for _, c := range w.Content {
			if c < 0 || c >= len(nodes) {
				return nil
			}
			n.Content = append(n.Content, &nodes[c])
		}
		if w.Alias >= 0 {
			if w.Alias >= len(nodes) {
				return nil
			}
			n.Alias = &nodes[w.Alias]
		}
	}
	return &nodes[0]
}

// evalJob evaluates one user policy over manifests in a bounded child: it
// compiles the policy's package, then checks each manifest, announcing its
// file first so that a limit names it.
var evalJob = bound.Register("policies/evaluate", func(input []byte, progress bound.Progress) ([]byte, error) {
	var job evalJobInput
	if err := gob.NewDecoder(bytes.NewReader(input)).Decode(&job); err != nil {
		return nil, fmt.Errorf("reading the manifests to check: %w", err)
	}
	e, err := compile(job.Pkg)
	if err != nil {
		return nil, err
	}
	only := e.Filter(func(p Policy) bool { return p.ID == job.ID })
	out := make([][]Violation, len(job.Docs))
	for i, d := range job.Docs {
		progress(d.File)
		if n := unflatten(d.Nodes); n != nil {
			out[i] = only.Evaluate(n, d.File, d.Kind)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
})

func runEvalJob(job evalJobInput, lim bound.Limits) ([][]Violation, error) {
	var in bytes.Buffer
	if err := gob.NewEncoder(&in).Encode(job); err != nil {
		return nil, err
	}
	out, err := evalJob.Run(in.Bytes(), lim)
	if err != nil {
		return nil, err
	}
	var vs [][]Violation
	if err := gob.NewDecoder(bytes.NewReader(out)).Decode(&vs); err != nil {
		return nil, err
	}
	return vs, nil
}
