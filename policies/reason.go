package policies

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue/literal"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// problem is one reason a manifest fails a constraint, before it is placed
// in the manifest and phrased for a person; pathElem is one step of its
// path.
type (
	problem  = cueplan.Problem
	pathElem = cueplan.PathElem
)

// kindMismatch is CUE's message for values of different kinds.
const kindMismatch = "conflicting values %s and %s (mismatched types %s and %s)"

// dataKindMismatch reports whether a problem is a kind mismatch between the
// manifest's value and the constraint, which a policy leaves to MR900 (see
// Violation). A mismatch within the constraint itself
// (string & 5) is reported.
func dataKindMismatch(p problem, value *yaml.Node) bool {
	if p.Code != cueplan.CodeCUE || p.Format != kindMismatch || len(p.Args) != 4 || value == nil {
		return false
	}
	dk := yamlView{}.Kind(value).String() // as CUE's messages name kinds
	return fmt.Sprint(p.Args[2]) == dk || fmt.Sprint(p.Args[3]) == dk
}

// formatPath writes a data path the way meshroll shows field paths:
// spec.http[0].route[1].weight, with keys that are not plain words quoted
// (metadata.labels["app.kubernetes.io/name"]).
func formatPath(path []pathElem) string {
	var sb strings.Builder
	for _, e := range path {
		switch {
		case e.IsIndex:
			fmt.Fprintf(&sb, "[%d]", e.Index)
		case plainKey(e.Key):
			if sb.Len() > 0 {
				sb.WriteByte('.')
			}
			sb.WriteString(e.Key)
		default:
			fmt.Fprintf(&sb, "[%s]", strconv.Quote(e.Key))
		}
	}
	return sb.String()
}

func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// describe returns a YAML value as reason expects it: a scalar as a CUE
// literal, and whether the value is missing (absent or null).
func describe(n *yaml.Node) (have string, missing bool) {
	if n == nil || isNull(n) {
		return "", true
	}
	if n.Kind != yaml.ScalarNode {
		return "", false
	}
	k, text := scalar(n)
	if k == cueplan.String {
		return literal.String.Quote(text), false
	}
	return text, false
}

// located is where a data path leads in a manifest.
type located struct {
	pos   *yaml.Node // the node to report: the key of a field, else the value
	value *yaml.Node // the node at the full path, nil if it does not exist
}

// locate follows a data path through a manifest. Where the path leaves the
// manifest (a missing field), pos is the deepest node that exists: the
// nearest existing parent of the missing field.
func locate(doc *yaml.Node, path []pathElem) located {
	cur := documentBody(doc)
	loc := located{pos: cur}
	for _, e := range path {
		if cur == nil {
			return loc
		}
		if e.IsIndex {
			if cur.Kind != yaml.SequenceNode || e.Index >= len(cur.Content) {
				return loc
			}
			cur = cur.Content[e.Index]
			loc.pos = cur
			continue
		}
		k, v, ok := lookup(cur, e.Key)
		if !ok {
			return loc
		}
		cur = v
		loc.pos = k
	}
	loc.value = cur
	return loc
}

// reason phrases the problems found at one path as one sentence. subject
// is the formatted path, have the offending value as a CUE literal ("" when
// it is not a scalar) and missing whether the path leads nowhere.
func reason(subject string, ps []problem, have string, missing bool) string {
	if subject == "" {
		subject = "the manifest"
	}
	var wants, unsatisfied, sentences []string
	addSentence := func(s string) {
		for _, x := range sentences {
			if x == s {
				return
			}
		}
		sentences = append(sentences, s)
	}
	for _, p := range ps {
		switch p.Code {
		case cueplan.CodeRequired:
			addSentence(subject + " is missing")
			continue
		case cueplan.CodeNotAllowed:
			addSentence(subject + " is not allowed")
			continue
		case cueplan.CodeLength:
			bound := "at least"
			if p.Exact {
				bound = "exactly"
			}
			addSentence(fmt.Sprintf("%s has %d items; want %s %d", subject, p.Have, bound, p.Want))
			continue
		}
		switch p.Format {
		case "incomplete value %v":
			if missing {
				if w := fmt.Sprint(p.Args...); w != "_" {
					addSentence(subject + " is missing; want " + w)
				} else {
					addSentence(subject + " is missing")
				}
				continue
			}
		case "field is required but not present":
			addSentence(subject + " is missing")
			continue
		case "field not allowed":
			addSentence(subject + " is not allowed")
			continue
		case "conflicting values %s and %s":
			if len(p.Args) == 2 && have != "" {
				a, b := fmt.Sprint(p.Args[0]), fmt.Sprint(p.Args[1])
				switch have {
				case a:
					wants = append(wants, b)
					continue
				case b:
					wants = append(wants, a)
					continue
				}
			}
		case "invalid value %v (out of bound %s)":
			if len(p.Args) == 2 {
				addSentence(boundSentence(subject, fmt.Sprint(p.Args[0]), fmt.Sprint(p.Args[1])))
				continue
			}
		case "invalid value %s (does not satisfy %s)":
			if len(p.Args) == 2 {
				unsatisfied = append(unsatisfied, fmt.Sprint(p.Args[1]))
				continue
			}
		case "%s":
			addSentence(subject + ": " + fmt.Sprint(p.Args...))
			continue
		}
		addSentence(subject + ": " + fmt.Sprintf(p.Format, p.Args...))
	}
	if len(unsatisfied) > 0 {
		s := subject + " does not satisfy " + strings.Join(unsatisfied, " and ")
		if have != "" {
			s = subject + " is " + have + "; it does not satisfy " + strings.Join(unsatisfied, " and ")
		}
		sentences = append([]string{s}, sentences...)
	}
	if len(wants) > 0 {
		sort.Strings(wants)
		sentences = append([]string{fmt.Sprintf("%s is %s; want %s", subject, have, joinOr(wants))}, sentences...)
	}
	return strings.Join(sentences, "; ")
}

// boundSentence phrases CUE's "invalid value V (out of bound B)".
func boundSentence(subject, v, bound string) string {
	for _, b := range []struct{ op, phrase string }{
		{"!=", "must not be "},
		{"=~", "must match "},
		{"!~", "must not match "},
		{"<=", "must be at most "},
		{">=", "must be at least "},
		{"<", "must be less than "},
		{">", "must be more than "},
	} {
		if rest, ok := strings.CutPrefix(bound, b.op); ok {
			if b.op == "!=" {
				return subject + " " + b.phrase + rest
			}
			return subject + " is " + v + "; it " + b.phrase + rest
		}
	}
	return subject + " is " + v + "; it does not satisfy " + bound
}

func joinOr(ws []string) string {
	ws = dedupSorted(ws)
	if len(ws) == 1 {
		return ws[0]
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " or " + ws[len(ws)-1]
}

func dedupSorted(ws []string) []string {
	out := ws[:0]
	for i, w := range ws {
		if i == 0 || w != ws[i-1] {
			out = append(out, w)
		}
	}
	return out
}
