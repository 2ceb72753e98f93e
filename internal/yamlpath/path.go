package yamlpath

import (
	"fmt"
	"strconv"
	"strings"
)

// Elem is one step of a path: a map key, or a list index when IsIndex is set.
type Elem struct {
	Key     string
	Index   int
	IsIndex bool
}

// Path is a parsed data path.
type Path []Elem

// maxPathLen bounds the number of elements Parse accepts; no manifest is that
// deep, and the bound keeps hostile paths cheap.
const maxPathLen = 1000

// Parse reads a path written as String writes it.
func Parse(s string) (Path, error) {
	var p Path
	i := 0
	for i < len(s) {
		if len(p) >= maxPathLen {
			return nil, fmt.Errorf("path %q: more than %d elements", truncate(s), maxPathLen)
		}
		switch c := s[i]; {
		case c == '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [ at offset %d", truncate(s), i)
			}
			inner := s[i+1 : i+end]
			if strings.HasPrefix(inner, `"`) {
				// A quoted key may itself contain ']': find the closing quote.
				key, rest, err := unquotePrefix(s[i+1:])
				if err != nil {
					return nil, fmt.Errorf("path %q: %w", truncate(s), err)
				}
				if !strings.HasPrefix(rest, "]") {
					return nil, fmt.Errorf("path %q: expected ] after quoted key", truncate(s))
				}
				p = append(p, Elem{Key: key})
				i = len(s) - len(rest) + 1
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("path %q: bad index %q", truncate(s), inner)
				}
				p = append(p, Elem{Index: n, IsIndex: true})
				i += end + 1
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i+1] == '.' || s[i+1] == '[' {
				return nil, fmt.Errorf("path %q: misplaced . at offset %d", truncate(s), i)
			}
			i++
		default:
			if i > 0 && s[i-1] != '.' {
				return nil, fmt.Errorf("path %q: expected . or [ at offset %d", truncate(s), i)
			}
			j := i
			for j < len(s) && isBare(s[j]) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("path %q: unexpected %q at offset %d", truncate(s), s[i], i)
			}
			p = append(p, Elem{Key: s[i:j]})
			i = j
		}
	}
	return p, nil
}

// unquotePrefix reads a Go-quoted string at the start of s and returns it and
// what follows it.
func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", fmt.Errorf("bad quoted key: %w", err)
	}
	key, err := strconv.Unquote(q)
	if err != nil {
		return "", "", fmt.Errorf("bad quoted key: %w", err)
	}
	return key, s[len(q):], nil
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/'
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// String writes p in the form Parse reads.
func (p Path) String() string {
	var b strings.Builder
	for _, e := range p {
		if e.IsIndex {
			fmt.Fprintf(&b, "[%d]", e.Index)
			continue
		}
		b.WriteString(Key(e.Key))
	}
	return strings.TrimPrefix(b.String(), ".")
}

// Key returns the path suffix that selects map key k: ".k" when k can be
// written bare, else `["k"]`. Rules use it to build paths from keys they
// found in the data, such as header names or annotation keys.
func Key(k string) string {
	if k == "" {
		return `[""]`
	}
	for i := 0; i < len(k); i++ {
		if !isBare(k[i]) {
			return "[" + strconv.Quote(k) + "]"
		}
	}
	return "." + k
}
