package edit

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlFile is a YAML intent file with its node tree.
type yamlFile struct {
	path  string
	src   []byte
	lines *lineTable
}

func (y *yamlFile) pos(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d:%d", y.path, n.Line, n.Column)
}

// editYAML computes the edits that set fields in the rollout called name.
// set holds phase and since, then perhaps reason; remove names fields to
// remove.
func editYAML(path string, src []byte, name string, set []setting, remove []string) ([]splice, error) {
	if bytes.HasPrefix(src, []byte{0xfe, 0xff}) || bytes.HasPrefix(src, []byte{0xff, 0xfe}) {
		return nil, fmt.Errorf("%s: is UTF-16; meshroll edits UTF-8 YAML only", path)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: invalid YAML: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: holds no YAML document", path)
	}
	y := &yamlFile{path: path, src: src, lines: newLines(src)}
	node := doc.Content[0]
	for _, key := range []string{fieldRollouts, name} {
		if err := y.mapping(node, key); err != nil {
			return nil, err
		}
		_, v, err := y.get(node, key)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, fmt.Errorf("%s: rollout %s is not written out as `rollouts: %s:` in the file (a merge key?); meshroll edits only a rollout written out", path, name, name)
		}
		node = v
	}
	if err := y.mapping(node, "rollout "+name); err != nil {
		return nil, err
	}
	ro := node
	var out []splice
	var missing []string
	anchorKey, anchorEnd := (*yaml.Node)(nil), 0
	for _, s := range set {
		k, v, err := y.get(ro, s.key)
		if err != nil {
			return nil, err
		}
		if v == nil {
			val := strconv.Quote(s.value)
			if s.key == fieldPhase && plainString(s.value) {
				val = s.value
			}
			missing = append(missing, s.key+": "+val)
			continue
		}
		at, end, err := y.scalar(v)
		if err != nil {
			return nil, fmt.Errorf("%s: rollout %s: %s %w; meshroll edits only a plain or quoted scalar: change it by hand", y.pos(v), name, s.key, err)
		}
		out = append(out, splice{at: at, end: end, text: yamlScalar(v, s.value), field: s.key})
		// Missing fields go after the last of the state fields present.
		anchorKey, anchorEnd = k, end
	}
	for _, key := range remove {
		k, v, err := y.get(ro, key)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		at, err := y.start(k)
		if err != nil {
			return nil, err
		}
		_, end, err := y.scalar(v)
		if err != nil {
			return nil, fmt.Errorf("%s: rollout %s: %s %w; meshroll removes only a plain or quoted scalar: change it by hand", y.pos(v), name, key, err)
		}
		if ro.Style&yaml.FlowStyle == 0 {
			if _, alone := leading(src, at); !alone || !restIsBlank(src, end, "#") {
				return nil, fmt.Errorf("%s: rollout %s: %s shares its line with other text; meshroll removes only a key on a line of its own: change it by hand", y.pos(k), name, key)
			}
		}
		out = append(out, removeMember(src, at, end, "#"))
	}
	if len(missing) == 0 {
		return out, nil
	}
	if ro.Style&yaml.FlowStyle != 0 {
		sp, err := y.flowInsert(ro, anchorKey, anchorEnd, missing)
		return append(out, sp...), err
	}
	if len(ro.Content) == 0 {
		return nil, fmt.Errorf("%s: rollout %s is an empty mapping", y.pos(ro), name)
	}
	first, ok := y.lines.offset(ro.Content[0].Line, ro.Content[0].Column)
	indent, starts := leading(src, first)
	if !ok || !starts || strings.Contains(indent, "\t") {
		return nil, fmt.Errorf("%s: cannot tell the indentation of rollout %s's keys", y.pos(ro.Content[0]), name)
	}
	lines := make([]string, len(missing))
	for i, p := range missing {
		lines[i] = indent + p
	}
	after := anchorEnd
	if anchorKey == nil {
		after = y.blockEnd(ro.Content[len(ro.Content)-2], len(indent))
	}
	return append(out, linesAfter(src, after, lines)), nil
}

// mapping checks that n is a mapping, not an alias or another kind of node.
func (y *yamlFile) mapping(n *yaml.Node, what string) error {
	switch n.Kind {
	case yaml.MappingNode:
		return nil
	case yaml.AliasNode:
		return fmt.Errorf("%s: %s is an alias (*%s); meshroll edits only what is written out in place", y.pos(n), what, n.Value)
	}
	return fmt.Errorf("%s: %s is not a mapping", y.pos(n), what)
}

// get returns the key and value of the pair called key in mapping m,
// refusing a key given twice.
func (y *yamlFile) get(m *yaml.Node, key string) (k, v *yaml.Node, err error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := m.Content[i]
		if kn.Kind != yaml.ScalarNode || kn.Value != key {
			continue
		}
		if k != nil {
			return nil, nil, fmt.Errorf("%s: %s is declared twice", y.pos(kn), key)
		}
		k, v = kn, m.Content[i+1]
	}
	return k, v, nil
}

// start returns the offset of n's content, past its anchor and tag.
func (y *yamlFile) start(n *yaml.Node) (int, error) {
	off, ok := y.lines.offset(n.Line, n.Column)
	if !ok {
		return 0, fmt.Errorf("%s: position is outside the file", y.pos(n))
	}
	src := y.src
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		if bytes.HasPrefix(src[off:], []byte("!<")) {
			i := bytes.IndexByte(src[off:], '>')
			if i < 0 {
				return 0, fmt.Errorf("%s: unterminated tag", y.pos(n))
			}
			off += i + 1
		}
		for off < len(src) && !bytes.ContainsRune([]byte(" \t\r\n"), rune(src[off])) {
			off++
		}
		for off < len(src) {
			switch {
			case src[off] == ' ' || src[off] == '\t' || isBreak(src[off]):
				off++
				continue
			case src[off] == '#':
				off = lineEnd(src, off)
				continue
			}
			break
		}
	}
	return off, nil
}

// scalar returns the byte range of a plain or quoted scalar.
func (y *yamlFile) scalar(n *yaml.Node) (int, int, error) {
	switch {
	case n.Kind == yaml.AliasNode:
		return 0, 0, fmt.Errorf("is an alias (*%s)", n.Value)
	case n.Kind != yaml.ScalarNode:
		return 0, 0, errors.New("is not a scalar")
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return 0, 0, errors.New("is a block scalar")
	case n.ShortTag() == "!!null":
		return 0, 0, errors.New("is null")
	}
	at, err := y.start(n)
	if err != nil {
		return 0, 0, err
	}
	src := y.src
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if at >= len(src) || src[at] != '"' {
			break
		}
		for i := at + 1; i < len(src); i++ {
			switch src[i] {
			case '\\':
				i++
			case '"':
				return at, i + 1, nil
			}
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if at >= len(src) || src[at] != '\'' {
			break
		}
		for i := at + 1; i < len(src); i++ {
			if src[i] == '\'' {
				if i+1 < len(src) && src[i+1] == '\'' {
					i++
					continue
				}
				return at, i + 1, nil
			}
		}
	case n.Value != "" && bytes.HasPrefix(src[at:], []byte(n.Value)):
		return at, at + len(n.Value), nil
	}
	return 0, 0, errors.New("is not written on one line where the YAML parser reports it")
}

// flowInsert adds pairs to a flow mapping: after the anchor (the state field
// already there) when there is one, else at the front, so that no end of a
// nested value has to be found.
func (y *yamlFile) flowInsert(m, anchorKey *yaml.Node, anchorEnd int, pairs []string) ([]splice, error) {
	src := y.src
	if anchorKey != nil {
		ks, err := y.start(anchorKey)
		if err != nil {
			return nil, err
		}
		return flowInsert(src, ks, anchorEnd, pairs, "#"), nil
	}
	open, err := y.start(m)
	if err != nil {
		return nil, err
	}
	if open >= len(src) || src[open] != '{' {
		return nil, fmt.Errorf("%s: cannot find the mapping's opening brace", y.pos(m))
	}
	if len(m.Content) == 0 {
		return []splice{{at: open + 1, end: open + 1, text: strings.Join(pairs, ", ")}}, nil
	}
	first, err := y.start(m.Content[0])
	if err != nil {
		return nil, err
	}
	if indent, ok := leading(src, first); ok && restIsBlank(src, open+1, "#") && lineStart(src, first) > open {
		lines := make([]string, len(pairs))
		for i, p := range pairs {
			lines[i] = indent + p + ","
		}
		return []splice{linesAfter(src, open, lines)}, nil
	}
	return []splice{{at: first, end: first, text: strings.Join(pairs, ", ") + ", "}}, nil
}

// blockEnd returns an offset on the last line of the block mapping pair
// whose key is last: the lines after the key that are indented deeper than
// the mapping's keys (or are entries of a sequence at their indentation),
// with the comments among them and indented as deep, belong to it.
func (y *yamlFile) blockEnd(last *yaml.Node, indent int) int {
	end, _ := y.lines.offset(last.Line, last.Column)
	src := y.src
	for l := last.Line; l < len(y.lines.starts); l++ {
		ls := y.lines.starts[l]
		le := lineEnd(src, ls)
		i := ls
		for i < le && src[i] == ' ' {
			i++
		}
		rest := bytes.TrimRight(src[i:le], " \t")
		switch {
		case len(rest) == 0:
		case rest[0] == '#':
			if i-ls > indent {
				end = i
			}
		case i-ls > indent, i-ls == indent && (bytes.Equal(rest, []byte("-")) || bytes.HasPrefix(rest, []byte("- ")) || bytes.HasPrefix(rest, []byte("-\t"))):
			end = i
		default:
			return end
		}
	}
	return end
}

// yamlScalar writes value in the style of the scalar n it replaces.
func yamlScalar(n *yaml.Node, value string) string {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return strconv.Quote(value)
	case n.Style&yaml.SingleQuotedStyle != 0:
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case n.Style&yaml.TaggedStyle != 0 && plainToken.MatchString(value),
		plainToken.MatchString(value) && !yaml11Words[strings.ToLower(value)] && resolve(value) == resolve(n.Value):
		return value
	}
	return strconv.Quote(value)
}

// plainToken is a scalar that stands plain on one line in any context.
var plainToken = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:.+_-]*$`)

// yaml11Words are plain scalars that YAML 1.1 parsers read as booleans or
// null; they are quoted so that every reader of the file sees a string.
var yaml11Words = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

// plainString reports whether s stands as a plain YAML string.
func plainString(s string) bool {
	return plainToken.MatchString(s) && !yaml11Words[strings.ToLower(s)] && resolve(s) == "!!str"
}

// resolve returns the tag yaml.v3 resolves a plain scalar to.
func resolve(s string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil || len(n.Content) == 0 {
		return ""
	}
	return n.Content[0].ShortTag()
}
