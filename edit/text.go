package edit

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"
)

// splice replaces src[at:end] with text; at == end inserts.
type splice struct {
	at, end int
	text    string
	// field names the field whose value a replacement rewrites.
	field string
}

// applySplices returns src with ss applied, and the spans of the new bytes in
// the result. Splices must not overlap; insertions at one offset keep their
// order.
func applySplices(src []byte, ss []splice) ([]byte, [][2]int, error) {
	ss = append([]splice(nil), ss...)
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].at < ss[j].at })
	var out bytes.Buffer
	var spans [][2]int
	last := 0
	for _, s := range ss {
		if s.at < last || s.end < s.at || s.end > len(src) {
			return nil, nil, fmt.Errorf("overlapping edits at byte %d", s.at)
		}
		out.Write(src[last:s.at])
		start := out.Len()
		out.WriteString(s.text)
		spans = append(spans, [2]int{start, out.Len()})
		last = s.end
	}
	out.Write(src[last:])
	return out.Bytes(), spans, nil
}

// isBreak reports whether src[i] starts a line break (LF, CR or CRLF).
func isBreak(c byte) bool { return c == '\n' || c == '\r' }

// lineStart returns the offset of the first byte of the line holding off.
func lineStart(src []byte, off int) int {
	for off > 0 && !isBreak(src[off-1]) {
		off--
	}
	return off
}

// lineEnd returns the offset of the line break that ends the line holding
// off, or len(src) on the last line.
func lineEnd(src []byte, off int) int {
	for off < len(src) && !isBreak(src[off]) {
		off++
	}
	return off
}

// breakAt returns the line break at src[off:], or "" at the end of src.
func breakAt(src []byte, off int) string {
	switch {
	case off >= len(src):
		return ""
	case src[off] == '\r' && off+1 < len(src) && src[off+1] == '\n':
		return "\r\n"
	}
	return string(src[off])
}

// firstBreak returns the file's first line break, "\n" when it has none: the
// line ending for a line added at the end of a file that lacks one.
func firstBreak(src []byte) string {
	if i := bytes.IndexAny(src, "\r\n"); i >= 0 {
		return breakAt(src, i)
	}
	return "\n"
}

// leading returns the whitespace between the start of off's line and off,
// and whether only spaces and tabs precede off on its line.
func leading(src []byte, off int) (string, bool) {
	if off < 0 || off > len(src) {
		return "", false
	}
	ls := lineStart(src, off)
	for i := ls; i < off; i++ {
		if src[i] != ' ' && src[i] != '\t' {
			return "", false
		}
	}
	return string(src[ls:off]), true
}

// skipBlanks returns the offset of the first byte at or after off that is
// not a space or a tab.
func skipBlanks(src []byte, off int) int {
	for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
		off++
	}
	return off
}

// restIsBlank reports whether only blanks, then a comment starting with
// comment (if comment is not empty), follow off on its line.
func restIsBlank(src []byte, off int, comment string) bool {
	off = skipBlanks(src, off)
	return off >= len(src) || isBreak(src[off]) || (comment != "" && bytes.HasPrefix(src[off:], []byte(comment)))
}

// linesAfter returns the splice that adds lines (without line breaks) after
// the line holding off, with that line's line break; after a last line
// without one, the lines follow a line break of the file's kind.
func linesAfter(src []byte, off int, lines []string) splice {
	end := lineEnd(src, off)
	brk := breakAt(src, end)
	var b bytes.Buffer
	if brk == "" {
		brk = firstBreak(src)
		for _, l := range lines {
			b.WriteString(brk)
			b.WriteString(l)
		}
		return splice{at: end, end: end, text: b.String()}
	}
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(brk)
	}
	at := end + len(brk)
	return splice{at: at, end: at, text: b.String()}
}

// lineTable maps between byte offsets and line:column positions. Lines are
// broken as libyaml (and so yaml.v3) breaks them: at LF, CR, CRLF, NEL, LS
// and PS. Columns count characters, from 1; a leading byte order mark is not
// in column 1.
type lineTable struct {
	src    []byte
	starts []int
}

func newLines(src []byte) *lineTable {
	t := &lineTable{src: src, starts: []int{0}}
	if bytes.HasPrefix(src, []byte("\ufeff")) {
		t.starts[0] = 3
	}
	for i := t.starts[0]; i < len(src); {
		n := 0
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			n = 2
		case src[i] == '\n' || src[i] == '\r':
			n = 1
		case bytes.HasPrefix(src[i:], []byte("\u0085")):
			n = 2
		case bytes.HasPrefix(src[i:], []byte("\u2028")), bytes.HasPrefix(src[i:], []byte("\u2029")):
			n = 3
		}
		if n == 0 {
			i++
			continue
		}
		i += n
		t.starts = append(t.starts, i)
	}
	return t
}

// offset returns the byte offset of line:col, and false when there is no
// such position.
func (t *lineTable) offset(line, col int) (int, bool) {
	if line < 1 || line > len(t.starts) || col < 1 {
		return 0, false
	}
	off := t.starts[line-1]
	for c := 1; c < col; c++ {
		if off >= len(t.src) {
			return 0, false
		}
		_, size := utf8.DecodeRune(t.src[off:])
		off += size
	}
	return off, true
}

// position returns the line and column of off.
func (t *lineTable) position(off int) (line, col int) {
	line = sort.Search(len(t.starts), func(i int) bool { return t.starts[i] > off })
	if line == 0 {
		return 1, 1
	}
	start := t.starts[line-1]
	if off < start {
		return line, 1
	}
	return line, utf8.RuneCount(t.src[start:min(off, len(t.src))]) + 1
}

// pos formats off in file as file:line:col.
func (t *lineTable) pos(file string, off int) string {
	l, c := t.position(off)
	return fmt.Sprintf("%s:%d:%d", file, l, c)
}
