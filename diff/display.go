package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// scalarText writes a scalar as YAML would show it: plain when that reads
// back as the same value, single-quoted when quoting is needed, and
// double-quoted with escapes when the string spans lines or holds
// unprintable characters. inFlow quotes what a flow collection needs to.
func scalarText(v *value, inFlow bool) string {
	switch v.tag {
	case "!!null":
		if v.text == "" {
			return "null"
		}
		return v.text
	case "!!str":
		return quoteString(v.text, inFlow)
	case "!!int", "!!float", "!!bool", "!!timestamp":
		return v.text
	}
	return v.tag + " " + quoteString(v.text, inFlow)
}

func quoteString(s string, inFlow bool) string {
	if !printable(s) {
		return doubleQuote(s)
	}
	if plainSafe(s, inFlow) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// printable reports whether s fits on one line with no control characters.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || (r != ' ' && !unicode.IsPrint(r)) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// plainSafe reports whether s can stand unquoted and still read back as
// the same string.
func plainSafe(s string, inFlow bool) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	if (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag() != "!!str" {
		return false
	}
	switch s[0] {
	case '-', '?', ':':
		if len(s) == 1 || s[1] == ' ' || inFlow {
			return false
		}
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	if inFlow && strings.ContainsAny(s, ",[]{}") {
		return false
	}
	return true
}

// doubleQuote writes s as a YAML double-quoted scalar on one line.
func doubleQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == ' ' || unicode.IsPrint(r):
			b.WriteRune(r)
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// flow writes v in YAML flow style on one line, cut at about limit bytes
// at an element boundary with "…".
func flow(v *value, limit int) string {
	var b strings.Builder
	writeFlow(&b, v, limit)
	return b.String()
}

func writeFlow(b *strings.Builder, v *value, limit int) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch v.kind {
	case scalarKind:
		b.WriteString(scalarText(v, true))
	case mapKind:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() >= limit {
				b.WriteString("…")
				break
			}
			b.WriteString(quoteString(k, true))
			b.WriteString(": ")
			writeFlow(b, v.vals[i], limit)
		}
		b.WriteByte('}')
	case listKind:
		b.WriteByte('[')
		for i, item := range v.vals {
			if i > 0 {
				b.WriteString(", ")
			}
			if b.Len() >= limit {
				b.WriteString("…")
				break
			}
			writeFlow(b, item, limit)
		}
		b.WriteByte(']')
	}
}

// display shows v as the value of a change: scalars as YAML shows them,
// collections in compact flow style.
func display(v *value) string {
	if v != nil && v.kind == scalarKind {
		return scalarText(v, false)
	}
	return flow(v, 100)
}

// describe summarises a whole subtree added or removed at p in a few
// words when it is something a reviewer knows by name — a route, a route
// destination, a subset — and reports false otherwise.
func describe(p path, v *value) (string, bool) {
	if v == nil || v.kind != mapKind || len(p) < 2 || p[len(p)-1].index < 0 {
		return "", false
	}
	switch p[len(p)-2].key {
	case "http", "tcp", "tls":
		if v.get("name") != nil || v.get("route") != nil {
			return describeRoute(v), true
		}
	case "route":
		if d := v.get("destination"); d != nil {
			return describeDestination(v), true
		}
	case "subsets":
		if name := v.get("name").str(); name != "" {
			s := "subset " + name
			if l := labels(v.get("labels")); l != "" {
				s += " (" + l + ")"
			}
			return s, true
		}
	}
	return "", false
}

// describeRoute writes "route NAME → host/subset" or, for a split,
// "route NAME → a 90%, b 10%".
func describeRoute(v *value) string {
	s := "route"
	if name := v.get("name").str(); name != "" {
		s += " " + name
	}
	dests := v.get("route")
	if dests == nil || dests.kind != listKind || len(dests.vals) == 0 {
		if v.get("redirect") != nil {
			return s + " → redirect"
		}
		if v.get("directResponse") != nil {
			return s + " → direct response"
		}
		return s
	}
	parts := make([]string, 0, len(dests.vals))
	for _, d := range dests.vals {
		t := destinationName(d.get("destination"))
		if len(dests.vals) > 1 {
			t += " " + weightText(d.get("weight"))
		}
		parts = append(parts, t)
	}
	return s + " → " + strings.Join(parts, ", ")
}

func describeDestination(v *value) string {
	s := destinationName(v.get("destination"))
	if w := v.get("weight"); w != nil {
		s += ", weight " + display(w)
	}
	return s
}

// destinationName writes host/subset:port, leaving out what is unset.
func destinationName(d *value) string {
	s := d.get("host").str()
	if s == "" {
		s = "?"
	}
	if sub := d.get("subset").str(); sub != "" {
		s += "/" + sub
	}
	if port := d.at("port", "number").str(); port != "" {
		s += ":" + port
	}
	return s
}

func weightText(w *value) string {
	if w == nil {
		return "0%"
	}
	return display(w) + "%"
}

// labels writes a label map as k=v pairs, sorted.
func labels(v *value) string {
	if v == nil || v.kind != mapKind {
		return ""
	}
	parts := make([]string, len(v.keys))
	for i, k := range v.keys {
		parts[i] = k + "=" + v.vals[i].str()
	}
	return strings.Join(parts, ", ")
}

// describeResource summarises a resource added or removed as a whole.
func describeResource(kind string, v *value) string {
	spec := v.get("spec")
	switch kind {
	case "VirtualService":
		var parts []string
		if h := v.at("spec", "hosts"); h != nil && h.kind == listKind {
			parts = append(parts, "hosts "+joinScalars(h))
		}
		for _, k := range []string{"http", "tcp", "tls"} {
			if l := spec.get(k); l != nil && l.kind == listKind {
				parts = append(parts, plural(len(l.vals), k+" route", k+" routes"))
			}
		}
		return strings.Join(parts, ", ")
	case "DestinationRule":
		s := "host " + spec.get("host").str()
		if l := spec.get("subsets"); l != nil && l.kind == listKind && len(l.vals) > 0 {
			names := make([]string, 0, len(l.vals))
			for _, sub := range l.vals {
				names = append(names, sub.get("name").str())
			}
			s += ", subsets " + strings.Join(names, ", ")
		}
		return s
	case "PeerAuthentication":
		if m := spec.at("mtls", "mode").str(); m != "" {
			return "mTLS " + m
		}
	}
	return ""
}

func joinScalars(l *value) string {
	parts := make([]string, 0, len(l.vals))
	for _, v := range l.vals {
		parts = append(parts, display(v))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
