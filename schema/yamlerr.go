package schema

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
)

// yamlPosition is the "file:line: message" form of YAML parse errors.
var yamlPosition = regexp.MustCompile(`^(.*?):(\d+)(?::(\d+))?: (.*)$`)

// yamlErrors turns a YAML parse error into an Error at the line and column
// of the mistake, with advice that fits it.
//
// CUE's YAML reader, like the libyaml it descends from, reports the line
// where the enclosing map began rather than the line at fault (an
// over-indented key on line 6 is "line 2"), counts some lines from 0 (a tab
// on line 9 is "line 8") and gives no column. goccy/go-yaml, an independent
// parser, points at the token at fault: when it finds a mistake, its
// position is used with CUE's description; else CUE's line stands.
func yamlErrors(path string, data []byte, err error) Errors {
	msg := err.Error()
	pos := Pos{File: path, Line: 1, Col: 1}
	if m := yamlPosition.FindStringSubmatch(msg); m != nil && m[1] == path {
		pos.Line, _ = strconv.Atoi(m[2])
		pos.Line = max(pos.Line, 1)
		if c, _ := strconv.Atoi(m[3]); c > 0 {
			pos.Col = c
		}
		msg = m[4]
	} else {
		msg = strings.TrimPrefix(msg, path+": ")
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if line, col, ok := locateYAMLError(data); ok {
		pos.Line, pos.Col = line, col
	}
	return Errors{{Pos: pos, Msg: "invalid YAML: " + msg + yamlAdvice(msg, data, pos)}}
}

// locateYAMLError finds the line and column of the first syntax error in
// data with goccy/go-yaml.
func locateYAMLError(data []byte) (line, col int, ok bool) {
	defer func() {
		// A second parser is a second chance to crash: no input may.
		if recover() != nil {
			ok = false
		}
	}()
	_, err := goccyparser.ParseBytes(data, 0)
	var se *goccy.SyntaxError
	if !errors.As(err, &se) || se.Token == nil || se.Token.Position == nil || se.Token.Position.Line < 1 {
		return 0, 0, false
	}
	return se.Token.Position.Line, max(se.Token.Position.Column, 1), true
}

// yamlAdvice says what to do about a YAML syntax error at pos, or "".
func yamlAdvice(msg string, data []byte, pos Pos) string {
	lines := bytes.Split(data, []byte("\n"))
	text := ""
	if pos.Line-1 < len(lines) {
		text = string(lines[pos.Line-1])
	}
	switch {
	case strings.Contains(msg, "tab character"), strings.Contains(text[:indentEnd(text)], "\t"):
		return "; YAML indents with spaces, not tabs: replace the tab with spaces"
	case strings.Contains(msg, "mapping values are not allowed") && strings.Count(text, ": ") > 1:
		return `; a plain value cannot hold ": ": quote the value`
	case strings.Contains(msg, "did not find expected key"),
		strings.Contains(msg, "mapping values are not allowed"),
		strings.Contains(msg, "did not find expected '-' indicator"),
		strings.Contains(msg, "block sequence entries are not allowed"):
		return indentAdvice(lines, pos.Line)
	case strings.Contains(msg, "did not find expected ',' or ']'"):
		return "; close the [ list with ] and separate its items with commas"
	case strings.Contains(msg, "did not find expected ',' or '}'"):
		return "; close the { map with } and separate its entries with commas"
	case strings.Contains(msg, "cannot start any token"):
		return "; quote the value"
	}
	return ""
}

// indentEnd is the length of the leading blanks of a line.
func indentEnd(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// indentAdvice explains an indentation mistake on line n (1-based): YAML
// nests by indentation, so a line must line up with the keys of the map it
// belongs to. It names the indentations of the lines it could belong to.
func indentAdvice(lines [][]byte, n int) string {
	if n < 1 || n > len(lines) {
		return "; check the indentation: a key lines up with the other keys of its map"
	}
	at := indentEnd(string(lines[n-1]))
	// The indentations open above line n: the previous line's, then each
	// smaller one going up.
	var open []int
	limit := -1
	for i := n - 2; i >= 0; i-- {
		s := string(lines[i])
		t := strings.TrimSpace(s)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		in := indentEnd(s)
		if limit < 0 || in < limit {
			open = append(open, in)
			limit = in
		}
		if in == 0 {
			break
		}
	}
	if len(open) == 0 || slices.Contains(open, at) {
		return "; check the indentation of this line and the one before it: a key lines up with the other keys of its map"
	}
	slices.Sort(open)
	levels := make([]string, len(open))
	for i, o := range open {
		levels[i] = strconv.Itoa(o)
	}
	return fmt.Sprintf("; this line is indented %d spaces, but the keys above it are at %s: indent it like the keys of the map it belongs to", at, orList(levels))
}
