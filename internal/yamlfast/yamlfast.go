// Package yamlfast parses the plain shape of YAML that Kubernetes manifests
// mostly have — block mappings and sequences of one-line scalars — into the
// same go.yaml.in/yaml/v3 node tree yaml.v3 builds, several times faster.
// Anything beyond that shape (flow collections, multi-line or block
// scalars, anchors, aliases, tags, complex keys, tabs, non-ASCII text)
// makes Parse decline, and the caller parses with yaml.v3. A differential
// test and a fuzz target hold Parse to yaml.v3's trees, comments aside:
// Parse leaves them out.
package yamlfast

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// line is one non-blank, non-comment line of the document.
type line struct {
	no     int    // 1-based line number
	indent int    // leading spaces
	text   string // the content after the indentation, comment removed
}

// Parse parses one YAML document. ok is false when the document is not of
// the shape Parse handles (or is invalid): then nothing is returned and the
// caller should parse with yaml.v3, which also reports the errors.
//
// The strings of the tree share the memory of data, which is not copied:
// data must not change while they are in use. (lint keeps the text of the
// documents it reads anyway, to read them again; a copy of each would
// double what it keeps.)
func Parse(data []byte) (doc *yaml.Node, ok bool) {
	return parse(data, nil)
}

// Scratch is memory that parses reuse: nodes and lines. A tree parsed into
// a Scratch is valid only until the next parse into it, but the strings in
// it stay valid: they share no memory with the Scratch. It is for callers
// that read a few fields of many documents and keep none of their trees,
// for whom a tree a document is garbage to collect.
type Scratch struct {
	lines []line
	slab  []yaml.Node
}

// ParseScratch is Parse into s.
func ParseScratch(data []byte, s *Scratch) (doc *yaml.Node, ok bool) {
	return parse(data, s)
}

func parse(data []byte, s *Scratch) (doc *yaml.Node, ok bool) {
	var buf []line
	if s != nil {
		buf = s.lines[:0]
	}
	lines, marker, ok := split(data, buf)
	if !ok || len(lines) == 0 {
		return nil, false
	}
	// The first slab fits a document of keys and values (two nodes a line,
	// the root and the document): a slab lives as long as any node in it,
	// and a fixed slab of 32 nodes (5 KiB) kept for each of a million tiny
	// documents was most of lint's memory.
	want := 2*len(lines) + 2
	p := &parser{lines: lines}
	if s != nil {
		s.lines = lines
		if cap(s.slab) < want {
			s.slab = make([]yaml.Node, 0, max(want, 2*cap(s.slab)))
		}
		p.slab, p.reuse = s.slab[:0], true
	} else {
		p.slab = make([]yaml.Node, 0, want)
	}
	if lines[0].indent != 0 {
		return nil, false
	}
	root, ok := p.block(0)
	if !ok || p.i != len(p.lines) || root.Kind == yaml.ScalarNode {
		return nil, false
	}
	d := p.node()
	*d = yaml.Node{Kind: yaml.DocumentNode, Line: root.Line, Column: root.Column, Content: []*yaml.Node{root}}
	if marker > 0 {
		// An explicit start of document is where yaml.v3 places it.
		d.Line, d.Column = marker, 1
	}
	return d, true
}

// split breaks data into lines, dropping blank lines and comments, and
// returns the line of a "---" that starts the document (0 when none). It
// declines input it cannot read line by line.
func split(data []byte, buf []line) (lines []line, marker int, ok bool) {
	if !utf8.Valid(data) {
		return nil, 0, false
	}
	// The strings of the tree are slices of data (see Parse).
	s := unsafe.String(unsafe.SliceData(data), len(data))
	lines = buf
	if lines == nil {
		lines = make([]line, 0, strings.Count(s, "\n")+1)
	}
	for no := 1; s != ""; no++ {
		var l string
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			l, s = s[:i], s[i+1:]
		} else {
			l, s = s, ""
		}
		// Tabs, carriage returns, controls and non-ASCII text anywhere,
		// comments included, are left to yaml.v3.
		for i := 0; i < len(l); i++ {
			if c := l[i]; c == '\t' || c == '\r' || c >= 0x7f || c < 0x20 {
				return nil, 0, false
			}
		}
		indent := 0
		for indent < len(l) && l[indent] == ' ' {
			indent++
		}
		rest := l[indent:]
		if rest == "" || rest[0] == '#' {
			continue
		}
		text, ok := stripComment(rest)
		if !ok {
			return nil, 0, false
		}
		if indent == 0 && (strings.HasPrefix(rest, "---") || strings.HasPrefix(rest, "...") || rest[0] == '%') {
			if text == "---" && len(lines) == 0 && marker == 0 {
				marker = no
				continue
			}
			return nil, 0, false // other markers, and directives
		}
		lines = append(lines, line{no: no, indent: indent, text: text})
	}
	return lines, marker, true
}

// stripComment removes a trailing comment (a # after a space, outside
// quotes) and trailing spaces.
func stripComment(s string) (string, bool) {
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
				} else {
					quote = 0
				}
			}
		case quote == '"':
			if c == '\\' {
				i++
			} else if c == '"' {
				quote = 0
			}
		case c == '#' && i > 0 && s[i-1] == ' ':
			return strings.TrimRight(s[:i], " "), true
		case (c == '\'' || c == '"') && quoteStarts(s, i):
			quote = c
		}
	}
	if quote != 0 {
		return "", false // a quoted scalar over several lines
	}
	return strings.TrimRight(s, " "), true
}

// quoteStarts reports whether the quote at s[i] opens a quoted scalar: it
// stands where a scalar starts — first on the line, after a sequence's
// "- ", or after a mapping's ": " — and not inside a plain scalar.
func quoteStarts(s string, i int) bool {
	before := strings.TrimRight(s[:i], " ")
	switch {
	case before == "":
		return true
	case len(before) == i:
		return false // no space before the quote
	case before == "-" || strings.HasSuffix(before, ":"):
		return true
	}
	return false
}

type parser struct {
	lines []line
	i     int
	slab  []yaml.Node
	reuse bool // the slab is a Scratch's, whose nodes hold old values
}

// slabNodes is how many nodes the parser allocates at once once the first
// slab is full: few allocations, and little memory left unused at the end
// of a document.
const slabNodes = 32

// node returns a zeroed node from the parser's slab. A full slab is
// replaced, never grown, so that pointers into it stay valid.
func (p *parser) node() *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, slabNodes)
	}
	p.slab = p.slab[:len(p.slab)+1]
	n := &p.slab[len(p.slab)-1]
	if p.reuse {
		*n = yaml.Node{}
	}
	return n
}

// block parses the node whose first line is the current one, at indent.
func (p *parser) block(indent int) (*yaml.Node, bool) {
	l := p.lines[p.i]
	if l.indent != indent {
		return nil, false
	}
	if isSeqItem(l.text) {
		return p.sequence(indent, 0)
	}
	if _, _, ok := splitKey(l.text); ok {
		return p.mapping(indent, l.text, l.indent)
	}
	return nil, false // a document or value that is a bare scalar on its own line
}

func isSeqItem(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

// sequence parses the block sequence whose items start at indent.
func (p *parser) sequence(indent, _ int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	seq := p.node()
	*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.no, Column: indent + 1}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent != indent || !isSeqItem(l.text) {
			break
		}
		rest := strings.TrimLeft(l.text[1:], " ")
		if rest == "" {
			// The item's value is on the following lines, more indented.
			p.i++
			if p.i >= len(p.lines) || p.lines[p.i].indent <= indent {
				n := p.node()
				*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: l.no, Column: indent + 2}
				seq.Content = append(seq.Content, n)
				continue
			}
			v, ok := p.block(p.lines[p.i].indent)
			if !ok {
				return nil, false
			}
			seq.Content = append(seq.Content, v)
			continue
		}
		col := indent + (len(l.text) - len(rest)) // 0-based column of the item's content
		if isSeqItem(rest) {
			return nil, false // - - nested sequences
		}
		if _, _, ok := splitKey(rest); ok {
			// A compact mapping: its keys stand at the item's content column.
			p.lines[p.i] = line{no: l.no, indent: col, text: rest}
			m, ok := p.mapping(col, rest, col)
			if !ok {
				return nil, false
			}
			seq.Content = append(seq.Content, m)
			continue
		}
		v, ok := p.scalar(rest, l.no, col)
		if !ok {
			return nil, false
		}
		p.i++
		if p.i < len(p.lines) && p.lines[p.i].indent > indent {
			return nil, false // a scalar continued on the next line
		}
		seq.Content = append(seq.Content, v)
	}
	return seq, true
}

// mapping parses the block mapping whose keys start at indent.
func (p *parser) mapping(indent int, _ string, _ int) (*yaml.Node, bool) {
	first := p.lines[p.i]
	m := p.node()
	*m = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.no, Column: indent + 1}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent != indent {
			if l.indent > indent {
				return nil, false
			}
			break
		}
		if isSeqItem(l.text) {
			break
		}
		keyText, rest, ok := splitKey(l.text)
		if !ok {
			return nil, false
		}
		k, ok := p.scalar(keyText, l.no, indent)
		if !ok {
			return nil, false
		}
		m.Content = append(m.Content, k)
		p.i++
		if rest != "" {
			col := indent + len(l.text) - len(rest)
			v, ok := p.scalar(rest, l.no, col)
			if !ok {
				return nil, false
			}
			if p.i < len(p.lines) && p.lines[p.i].indent > indent {
				return nil, false // a scalar continued on the next line
			}
			m.Content = append(m.Content, v)
			continue
		}
		// The value is on the following lines: more indented, or a
		// sequence at the key's own indentation.
		if p.i < len(p.lines) {
			next := p.lines[p.i]
			if next.indent > indent || next.indent == indent && isSeqItem(next.text) {
				v, ok := p.block(next.indent)
				if !ok {
					return nil, false
				}
				m.Content = append(m.Content, v)
				continue
			}
		}
		return nil, false // an empty value: yaml.v3 places its null oddly; leave it to yaml.v3
	}
	return m, true
}

// maxKey is the longest key Parse takes; YAML allows an implicit key 1024
// characters, counting from its start to the colon.
const maxKey = 1000

// splitKey splits "key: value" or "key:" at the colon that ends a plain or
// quoted key. ok is false when the text is not a mapping entry.
func splitKey(t string) (key, rest string, ok bool) {
	if t == "" {
		return "", "", false
	}
	end := -1
	switch t[0] {
	case '"', '\'':
		q, n, ok := quotedLen(t)
		if !ok {
			return "", "", false
		}
		_ = q
		end = n
		if end >= len(t) || t[end] != ':' {
			return "", "", false
		}
	default:
		for i := 0; i < len(t); i++ {
			if t[i] == ':' && (i+1 == len(t) || t[i+1] == ' ') {
				end = i
				break
			}
		}
		if end <= 0 {
			return "", "", false
		}
	}
	if end+1 < len(t) && t[end+1] != ' ' {
		return "", "", false
	}
	if end > maxKey {
		return "", "", false // YAML caps implicit keys at 1024 characters
	}
	return strings.TrimRight(t[:end], " "), strings.TrimLeft(t[end+1:], " "), true
}

// quotedLen returns the unquoted value of the quoted scalar that t starts
// with and its length in t.
func quotedLen(t string) (string, int, bool) {
	q := t[0]
	var b strings.Builder
	for i := 1; i < len(t); i++ {
		c := t[i]
		if q == '\'' {
			if c == '\'' {
				if i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				return b.String(), i + 1, true
			}
			b.WriteByte(c)
			continue
		}
		switch c {
		case '"':
			return b.String(), i + 1, true
		case '\\':
			if i+1 >= len(t) {
				return "", 0, false
			}
			i++
			switch t[i] {
			case '"', '\\':
				b.WriteByte(t[i])
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case ' ':
				b.WriteByte(' ')
			default:
				return "", 0, false // other escapes: leave them to yaml.v3
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

// scalar makes the node of a one-line scalar starting at 0-based column col.
func (p *parser) scalar(t string, lineNo, col int) (*yaml.Node, bool) {
	if t == "" {
		return nil, false
	}
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Line: lineNo, Column: col + 1}
	switch t[0] {
	case '"', '\'':
		v, end, ok := quotedLen(t)
		if !ok || end != len(t) {
			return nil, false
		}
		n.Value, n.Tag = v, "!!str"
		if t[0] == '"' {
			n.Style = yaml.DoubleQuotedStyle
		} else {
			n.Style = yaml.SingleQuotedStyle
		}
		return n, true
	case '[', ']', '{', '}', '&', '*', '!', '|', '>', '%', '@', '`', ',', '?', '#':
		return nil, false
	case '-', ':':
		if len(t) == 1 || t[1] == ' ' {
			return nil, false
		}
	}
	// A plain scalar may not hold ": " or " #" (the comment is gone) nor
	// flow indicators that some readers take for structure.
	if strings.Contains(t, ": ") || strings.HasSuffix(t, ":") || t == "<<" {
		return nil, false // "<<" is a merge key to yaml.v3 wherever it stands
	}
	n.Value = t
	n.Tag = plainTag(n)
	return n, true
}

// plainTag resolves a plain scalar's tag as yaml.v3 does: most start with
// a letter that cannot begin anything but a string; the rest go through
// yaml.v3's own resolution.
func plainTag(n *yaml.Node) string {
	switch c := n.Value[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '.', c == '<':
		return n.ShortTag()
	case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
		switch n.Value {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return "!!bool"
		case "~", "null", "Null", "NULL":
			return "!!null"
		}
	}
	return "!!str"
}

// Number reads a YAML number as yaml.v3 and Kubernetes read one: digits with
// underscores, decimal or hexadecimal and octal integers, floats, and .inf,
// -.inf and .nan in their three spellings. ok is false for anything else.
func Number(text string) (f float64, ok bool) {
	text = strings.ReplaceAll(text, "_", "")
	switch text {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		return f, true
	}
	if i, err := strconv.ParseInt(text, 0, 64); err == nil {
		return float64(i), true
	}
	return 0, false
}
