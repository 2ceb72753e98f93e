package crd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/yamlfast"
)

// scalarKind is what a YAML scalar is under the YAML 1.2 core schema that
// yaml.v3 resolves: unquoted yes/no/on/off are strings, as they are for
// kustomize and Flux; "80" in quotes is a string, 80 is an integer.
type scalarKind uint8

const (
	kindString scalarKind = iota
	kindNull
	kindBool
	kindInt
	kindFloat
)

func scalarKindOf(n *yaml.Node) scalarKind {
	switch n.ShortTag() {
	case "!!null":
		return kindNull
	case "!!bool":
		return kindBool
	case "!!int":
		return kindInt
	case "!!float":
		return kindFloat
	default:
		// !!str, !!timestamp and !!binary reach the API server as JSON
		// strings; so do scalars with tags of their own.
		return kindString
	}
}

// isNull reports whether n is an explicit or implicit null (`~`, `null`, or
// nothing after the colon).
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// number is a numeric scalar: exact when it fits int64, approximate
// otherwise.
type number struct {
	i       int64
	f       float64
	isInt   bool // i holds the exact value
	integer bool // the value is a whole number
}

// parseNumber reads an !!int or !!float scalar the way yaml.v3 resolves it.
func parseNumber(n *yaml.Node, kind scalarKind) (number, bool) {
	text := strings.ReplaceAll(n.Value, "_", "")
	if kind == kindInt {
		if i, err := strconv.ParseInt(text, 0, 64); err == nil {
			return number{i: i, f: float64(i), isInt: true, integer: true}, true
		}
		if u, err := strconv.ParseUint(text, 0, 64); err == nil {
			return number{f: float64(u), integer: true}, true
		}
		neg := strings.HasPrefix(text, "-")
		digits := strings.TrimPrefix(strings.TrimPrefix(text, "-"), "+")
		if rest, ok := strings.CutPrefix(digits, "0b"); ok {
			if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
				f := float64(u)
				if neg {
					f = -f
				}
				if u <= math.MaxInt64 {
					i := int64(u)
					if neg {
						i = -i
					}
					return number{i: i, f: f, isInt: true, integer: true}, true
				}
				return number{f: f, integer: true}, true
			}
		}
	}
	f, ok := yamlfast.Number(text)
	if !ok {
		return number{}, false
	}
	num := number{f: f, integer: f == math.Trunc(f) && !math.IsInf(f, 0)}
	if num.integer && f >= math.MinInt64 && f < math.MaxInt64 {
		num.i, num.isInt = int64(f), true
	}
	return num, true
}

// text renders a number for messages.
func (n number) text() string {
	if n.isInt {
		return strconv.FormatInt(n.i, 10)
	}
	return strconv.FormatFloat(n.f, 'g', -1, 64)
}

// describeNode names what a node holds, for "must be X, not Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "an object"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch scalarKindOf(n) {
		case kindNull:
			return "null"
		case kindBool:
			return "the boolean " + n.Value
		case kindInt:
			return "the integer " + n.Value
		case kindFloat:
			return "the number " + n.Value
		default:
			return "the string " + quote(n.Value)
		}
	}
	return "a value"
}

// quote quotes a user's value for a message, shortened when long.
func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}

// formatLimit renders a schema bound.
func formatLimit(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// enumText renders a value of an enum for messages.
func enumText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
