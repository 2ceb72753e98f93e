package crd

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// segKind says how a path segment is written.
type segKind uint8

const (
	segField segKind = iota // .name
	segIndex                // [3]
	segKey                  // ["80"]
)

type seg struct {
	kind  segKind
	name  string
	index int
}

// walker validates one document. It is cheap to create and allocates only
// when it reports.
type walker struct {
	kind    string
	errs    []Error
	path    []seg
	parents []*schema // the object schemas enclosing the current node

	// pathBuf and parentBuf back path and parents for typical depths, so
	// that a walk over a valid document does not allocate for them.
	pathBuf   [24]seg
	parentBuf [24]*schema

	// cel compiles the CEL rules.
	cel *ruleCache
	// vs describes the VirtualService being validated, for its checks.
	vs vsContext
	// authzAction is an AuthorizationPolicy's spec.action as written ("" for
	// the default, ALLOW), read before the walk for the checks that depend
	// on it.
	authzAction string
	// schemaErrs counts the errors of the schema and its CEL rules (not of
	// webhook checks), and inCheck is set while a webhook check runs: a
	// cross check runs where nothing below failed the schema, even where a
	// webhook check below found something.
	schemaErrs int
	inCheck    bool
	// blocking counts the errors that stop the webhook checks and CEL rules
	// of the nodes that enclose them: all but the classified ones (see
	// Class), which are about one value and leave the shape around it
	// readable.
	blocking int
	// usesWaypoint is set when the object's istio.io/use-waypoint label
	// names a waypoint.
	usesWaypoint bool
	// lenient is set while checking the sub-schemas of oneOf, anyOf, allOf
	// and not: they constrain values but do not declare fields, so unknown
	// fields are not theirs to reject, and CEL rules and webhook checks do
	// not run.
	lenient bool
}

// init points path and parents at the walker's own buffers.
func (w *walker) init(kind string) {
	w.kind = kind
	w.path = w.pathBuf[:0]
	w.parents = w.parentBuf[:0]
}

func (w *walker) push(s seg) { w.path = append(w.path, s) }
func (w *walker) pop()       { w.path = w.path[:len(w.path)-1] }

// pathString renders the current path followed by extra segments.
func (w *walker) pathString(extra ...seg) string {
	var b strings.Builder
	write := func(s seg) {
		switch s.kind {
		case segField:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		case segIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.index))
			b.WriteByte(']')
		case segKey:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(s.name))
			b.WriteByte(']')
		}
	}
	for _, s := range w.path {
		write(s)
	}
	for _, s := range extra {
		write(s)
	}
	return b.String()
}

// where names the current path for a message: the path, or "the object" at
// the top level.
func (w *walker) where() string {
	if len(w.path) == 0 {
		return "the " + w.kind
	}
	return w.pathString()
}

// report records an error at node at for the current path and extra
// segments.
func (w *walker) report(at *yaml.Node, extra []seg, format string, args ...any) {
	w.reportClass(Other, at, extra, format, args...)
}

// reportClass is report for an error of a class.
func (w *walker) reportClass(c Class, at *yaml.Node, extra []seg, format string, args ...any) {
	if !w.inCheck {
		w.schemaErrs++
	}
	if c == Other {
		w.blocking++
	}
	w.errs = append(w.errs, Error{
		Path:    w.pathString(extra...),
		Line:    at.Line,
		Column:  at.Column,
		Message: fmt.Sprintf(format, args...),
		Class:   c,
	})
}

// anchor is where a message about a whole mapping or list goes: the key that
// holds it when there is one, so that the line reads "trafficPolicy:" rather
// than the first field inside it.
func anchor(n, key *yaml.Node) *yaml.Node {
	if key != nil && n.Kind != yaml.ScalarNode {
		return key
	}
	return n
}

// value validates n, the value at the current path, against s. key is the
// mapping key that holds n, or nil for list items and the document root.
func (w *walker) value(n, key *yaml.Node, s *schema) {
	if n == nil {
		return
	}
	before, beforeSchema := w.blocking, w.schemaErrs
	if isNull(n) {
		if !s.Nullable {
			w.report(n, nil, "%s must be %s, not null; give it a value or remove the entry", w.where(), describe(s.Type))
		}
		return
	}
	switch s.Type {
	case "object":
		if n.Kind != yaml.MappingNode {
			w.typeError(n, s)
			return
		}
		w.object(n, key, s)
	case "array":
		if n.Kind != yaml.SequenceNode {
			w.typeError(n, s)
			return
		}
		w.array(n, key, s)
	case "string", "integer", "number", "boolean":
		if n.Kind != yaml.ScalarNode {
			w.typeError(n, s)
			return
		}
		if !w.scalar(n, s) {
			return
		}
	case "":
		switch {
		case s.IntOrString:
			if k := kindOfNode(n); k != kindInt && k != kindString {
				w.report(n, nil, "%s must be an integer or a string, not %s", w.where(), describeNode(n))
				return
			}
			w.scalar(n, s)
		case n.Kind == yaml.MappingNode:
			w.object(n, key, s)
		case n.Kind == yaml.SequenceNode:
			w.array(n, key, s)
		case n.Kind == yaml.ScalarNode:
			w.scalar(n, s)
		}
	default:
		// A type this validator does not know; the schema test keeps the
		// embedded schemas free of them.
		return
	}
	w.junctors(n, s)
	if w.lenient {
		return
	}
	if w.blocking == before {
		w.inCheck = true
		for _, c := range s.checks {
			c(w, n, key)
		}
		w.inCheck = false
		if w.blocking == before {
			w.rules(n, key, s)
		}
	}
	// Cross checks come after the CEL rules, so that a rule the CRD
	// already enforces keeps the CRD's message, and run only where the
	// schema and its rules found nothing below: then what they find is a
	// separate mistake, not the same one again.
	if w.schemaErrs == beforeSchema && len(s.crossChecks) > 0 {
		w.inCheck = true
		for _, c := range s.crossChecks {
			c(w, n, key)
		}
		w.inCheck = false
	}
}

// kindOfNode is scalarKindOf for scalars; other nodes count as neither
// integer nor string.
func kindOfNode(n *yaml.Node) scalarKind {
	if n.Kind != yaml.ScalarNode {
		return kindNull
	}
	return scalarKindOf(n)
}

// typeError reports that n is not of the schema's type, with a hint when
// the fix is obvious.
func (w *walker) typeError(n *yaml.Node, s *schema) {
	want := describe(s.Type)
	got := describeNode(n)
	hint := ""
	switch {
	case n.Kind == yaml.ScalarNode && s.Type == "array":
		hint = "; write it as a list, one \"- \" entry per line"
	case n.Kind == yaml.SequenceNode && s.Type == "object":
		hint = "; remove the \"- \" in front of its fields"
	case n.Kind == yaml.ScalarNode && s.Type == "object":
		hint = "; write its fields indented below it"
	case n.Kind == yaml.ScalarNode && s.Type == "string" && s.duration:
		want = "a duration such as \"10s\", \"1m\" or \"500ms\""
	case n.Kind == yaml.ScalarNode && s.Type == "string":
		hint = fmt.Sprintf("; quote it: %q", n.Value)
	case n.Kind == yaml.ScalarNode && (s.Type == "integer" || s.Type == "number") && scalarKindOf(n) == kindString:
		if _, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64); err == nil {
			hint = "; remove the quotes"
		}
	case n.Kind == yaml.ScalarNode && s.Type == "boolean":
		want = "true or false"
	}
	w.report(n, nil, "%s must be %s, not %s%s", w.where(), want, got, hint)
}

// present returns the key and value of field name of a mapping node when its
// value is not null; nils otherwise.
func (w *walker) present(n *yaml.Node, name string) (key, value *yaml.Node) {
	p := n.Content
	for i := 0; i+1 < len(p); i += 2 {
		if p[i].Value != name || p[i].Kind != yaml.ScalarNode {
			continue
		}
		if d := p[i+1]; d != nil && !isNull(d) {
			return p[i], d
		}
		return nil, nil
	}
	return nil, nil
}

func (w *walker) object(n, key *yaml.Node, s *schema) {
	count := 0
	p := n.Content
	var seen map[string]*yaml.Node
	if len(p) > 16 {
		seen = make(map[string]*yaml.Node, len(p)/2)
	}
	w.parents = append(w.parents, s)
	for i := 0; i+1 < len(p); i += 2 {
		k := p[i]
		if k == nil {
			break
		}
		if k.Kind != yaml.ScalarNode {
			w.report(k, nil, "%s has a key that is %s; keys must be strings", w.where(), describeNode(k))
			continue
		}
		name := k.Value
		if dup := duplicate(p, i, seen); dup != nil {
			w.report(k, []seg{w.childSeg(s, name)}, "%s is set twice in %s (also on line %d); keep one", quote(name), w.where(), dup.Line)
			continue
		}
		child := s.Properties[name]
		sg := seg{kind: segField, name: name}
		if child == nil {
			switch {
			case s.AdditionalProperties != nil:
				child = s.AdditionalProperties
				sg.kind = segKey
			case s.PreserveUnknownFields || w.lenient || (s.Properties == nil && s.Type == ""):
				continue
			default:
				w.unknownField(k, s)
				continue
			}
		}
		v := p[i+1]
		if v == nil {
			break
		}
		if isNull(v) && !child.Nullable {
			// The API server prunes nulls of non-nullable fields: the field
			// counts as absent.
			continue
		}
		count++
		w.push(sg)
		w.value(v, k, child)
		w.pop()
	}
	w.parents = w.parents[:len(w.parents)-1]

	at := anchor(n, key)
	for _, name := range s.Required {
		if k, _ := w.present(n, name); k == nil {
			w.report(at, []seg{{kind: segField, name: name}}, "%s is required", w.pathString(seg{kind: segField, name: name}))
		}
	}
	if s.MinProperties != nil && int64(count) < *s.MinProperties {
		if *s.MinProperties == 1 {
			w.report(at, nil, "%s must not be empty; add an entry or remove it", w.where())
		} else {
			w.report(at, nil, "%s must have at least %d entries, not %d", w.where(), *s.MinProperties, count)
		}
	}
	if s.MaxProperties != nil && int64(count) > *s.MaxProperties {
		w.report(at, nil, "%s must have at most %d entries, not %d", w.where(), *s.MaxProperties, count)
	}
	for _, group := range s.exclusive {
		w.exclusive(n, group)
	}
}

// childSeg is the path segment of field name of an object of schema s.
func (w *walker) childSeg(s *schema, name string) seg {
	if s.Properties[name] == nil && s.AdditionalProperties != nil {
		return seg{kind: segKey, name: name}
	}
	return seg{kind: segField, name: name}
}

// duplicate returns an earlier key of pairs p with the same name as the key
// at i, or nil. Small mappings are scanned; large ones use seen.
func duplicate(p []*yaml.Node, i int, seen map[string]*yaml.Node) *yaml.Node {
	k := p[i]
	if seen != nil {
		if prev, ok := seen[k.Value]; ok {
			return prev
		}
		seen[k.Value] = k
		return nil
	}
	for j := 0; j < i; j += 2 {
		if q := p[j]; q.Kind == yaml.ScalarNode && q.Value == k.Value {
			return q
		}
	}
	return nil
}

// unknownField reports a field the schema does not declare, suggesting the
// nearest known name, or the level the field belongs to when it is indented
// wrongly.
func (w *walker) unknownField(k *yaml.Node, s *schema) {
	name := k.Value
	where := "in " + w.where()
	if len(w.path) == 0 {
		where = "at the top level of the " + w.kind
	}
	msg := fmt.Sprintf("unknown field %s %s", quote(name), where)
	switch {
	case closest(name, s.propNames) != "":
		msg += fmt.Sprintf("; did you mean %q?", closest(name, s.propNames))
	case w.parentHas(name):
		msg += "; it belongs one level up: check its indentation"
	case childHas(s, name) != "":
		msg += fmt.Sprintf("; it belongs inside %q: check its indentation", childHas(s, name))
	case len(s.propNames) > 0 && len(s.propNames) <= 12:
		msg += "; known fields are " + strings.Join(s.propNames, ", ")
	}
	w.report(k, []seg{{kind: segField, name: name}}, "%s", msg)
}

// parentHas reports whether the object enclosing the current one declares
// name.
func (w *walker) parentHas(name string) bool {
	if len(w.parents) < 2 {
		return false
	}
	p := w.parents[len(w.parents)-2]
	return p.Properties[name] != nil
}

// childHas returns the field of s whose object (or list of objects) declares
// name, or "".
func childHas(s *schema, name string) string {
	for _, field := range s.propNames {
		c := s.Properties[field]
		if c.Items != nil {
			c = c.Items
		}
		if c.Properties[name] != nil {
			return field
		}
	}
	return ""
}

// exclusive reports fields of which at most one may be set.
func (w *walker) exclusive(n *yaml.Node, group []string) {
	count := 0
	for _, name := range group {
		if k, _ := w.present(n, name); k != nil {
			count++
		}
	}
	if count < 2 {
		return
	}
	var set []string
	var second *yaml.Node
	for _, name := range group {
		if k, _ := w.present(n, name); k != nil {
			set = append(set, strconv.Quote(name))
			if len(set) == 2 {
				second = k
			}
		}
	}
	list := strings.Join(set[:len(set)-1], ", ") + " and " + set[len(set)-1]
	w.report(second, []seg{{kind: segField, name: second.Value}}, "%s sets %s, which exclude each other; keep only one", w.where(), list)
}

func (w *walker) array(n, key *yaml.Node, s *schema) {
	if s.Items != nil {
		for i, item := range n.Content {
			w.push(seg{kind: segIndex, index: i})
			w.value(item, nil, s.Items)
			w.pop()
		}
	}
	at := anchor(n, key)
	count := int64(len(n.Content))
	if s.MinItems != nil && count < *s.MinItems {
		if *s.MinItems == 1 {
			w.report(at, nil, "%s must have at least one entry", w.where())
		} else {
			w.report(at, nil, "%s must have at least %d entries, not %d", w.where(), *s.MinItems, count)
		}
	}
	if s.MaxItems != nil && count > *s.MaxItems {
		w.report(at, nil, "%s must have at most %d entries, not %d", w.where(), *s.MaxItems, count)
	}
	switch s.ListType {
	case "set":
		w.uniqueItems(n, nil)
	case "map":
		w.uniqueItems(n, s.ListMapKeys)
	}
}

// uniqueItems reports list entries that repeat an earlier one: whole scalar
// entries for a set, the key fields for a map.
func (w *walker) uniqueItems(n *yaml.Node, keys []string) {
	if len(n.Content) > 10_000 {
		return
	}
	seen := make(map[string]int, len(n.Content))
	for i, item := range n.Content {
		if item == nil {
			return
		}
		var id string
		if keys == nil {
			if item.Kind != yaml.ScalarNode {
				continue
			}
			id = item.Value
		} else {
			if item.Kind != yaml.MappingNode {
				continue
			}
			parts := make([]string, len(keys))
			for j, k := range keys {
				if _, v := w.present(item, k); v != nil && v.Kind == yaml.ScalarNode {
					parts[j] = v.Value
				}
			}
			id = strings.Join(parts, "\x00")
		}
		if first, dup := seen[id]; dup {
			if keys == nil {
				w.report(item, []seg{{kind: segIndex, index: i}}, "%s repeats %s; list entries must be unique", w.pathString(seg{kind: segIndex, index: i}), quote(item.Value))
			} else {
				w.report(item, []seg{{kind: segIndex, index: i}}, "%s has the same %s as %s; entries must differ in %s",
					w.pathString(seg{kind: segIndex, index: i}), strings.Join(keys, " and "), w.pathString(seg{kind: segIndex, index: first}), strings.Join(keys, " and "))
			}
			continue
		}
		seen[id] = i
	}
}

// scalar checks a scalar against the schema's type and value constraints.
// It returns false when the type is wrong.
func (w *walker) scalar(n *yaml.Node, s *schema) bool {
	kind := scalarKindOf(n)
	switch s.Type {
	case "string":
		if kind != kindString {
			w.typeError(n, s)
			return false
		}
	case "boolean":
		if kind != kindBool {
			w.typeError(n, s)
			return false
		}
	case "integer", "number":
		if kind != kindInt && kind != kindFloat {
			w.typeError(n, s)
			return false
		}
	}
	switch kind {
	case kindString:
		w.stringValue(n, s)
	case kindInt, kindFloat:
		num, ok := parseNumber(n, kind)
		if !ok || math.IsNaN(num.f) || math.IsInf(num.f, 0) {
			w.report(n, nil, "%s must be a finite number, not %s", w.where(), quote(n.Value))
			return false
		}
		if s.Type == "integer" && !num.integer {
			w.report(n, nil, "%s must be an integer, not %s", w.where(), n.Value)
			return false
		}
		w.numberValue(n, s, num)
	}
	if s.Enum != nil {
		w.enum(n, s, kind)
	}
	return true
}

func (w *walker) stringValue(n *yaml.Node, s *schema) {
	v := n.Value
	if s.MinLength != nil || s.MaxLength != nil {
		length := int64(utf8.RuneCountInString(v))
		if s.MinLength != nil && length < *s.MinLength {
			if *s.MinLength == 1 {
				w.report(n, nil, "%s must not be empty", w.where())
			} else {
				w.report(n, nil, "%s must be at least %d characters long, not %d", w.where(), *s.MinLength, length)
			}
		}
		if s.MaxLength != nil && length > *s.MaxLength {
			w.report(n, nil, "%s must be at most %d characters long, not %d", w.where(), *s.MaxLength, length)
		}
	}
	if s.pattern != nil {
		re, err := s.regexp()
		if err == nil && !re.MatchString(v) {
			w.report(n, nil, "%s is %s, which does not match the pattern %s", w.where(), quote(v), s.Pattern)
		}
	}
	switch s.Format {
	case "byte":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			w.report(n, nil, "%s must be base64-encoded bytes; %s is not", w.where(), quote(v))
		}
	case "date-time":
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			w.report(n, nil, "%s must be an RFC 3339 date and time such as 2006-01-02T15:04:05Z, not %s", w.where(), quote(v))
		}
	}
}

// int32 bounds of format: int32.
const (
	minInt32 = -1 << 31
	maxInt32 = 1<<31 - 1
)

func (w *walker) numberValue(n *yaml.Node, s *schema, num number) {
	if s.Type == "integer" && !num.isInt {
		w.report(n, nil, "%s is %s, too large for an integer", w.where(), n.Value)
		return
	}
	lo, hi := s.Minimum, s.Maximum
	if s.Format == "int32" {
		if num.i < minInt32 || num.i > maxInt32 {
			w.report(n, nil, "%s must be between %d and %d (a 32-bit integer), not %s", w.where(), minInt32, maxInt32, num.text())
			return
		}
	}
	below := lo != nil && (num.f < *lo || (s.ExclusiveMinimum && num.f == *lo))
	above := hi != nil && (num.f > *hi || (s.ExclusiveMaximum && num.f == *hi))
	if !below && !above {
		return
	}
	switch {
	case lo != nil && hi != nil && *lo == 0 && *hi == math.MaxUint32 && !s.ExclusiveMinimum && !s.ExclusiveMaximum:
		w.report(n, nil, "%s must not be negative, and at most %d; not %s", w.where(), uint32(math.MaxUint32), num.text())
	case lo != nil && hi != nil && !s.ExclusiveMinimum && !s.ExclusiveMaximum:
		w.report(n, nil, "%s must be between %s and %s, not %s", w.where(), formatLimit(*lo), formatLimit(*hi), num.text())
	case lo != nil && hi != nil:
		w.report(n, nil, "%s must be %s %s and %s %s, not %s", w.where(),
			lowWord(s.ExclusiveMinimum), formatLimit(*lo), highWord(s.ExclusiveMaximum), formatLimit(*hi), num.text())
	case below:
		w.report(n, nil, "%s must be %s %s, not %s", w.where(), lowWord(s.ExclusiveMinimum), formatLimit(*lo), num.text())
	default:
		w.report(n, nil, "%s must be %s %s, not %s", w.where(), highWord(s.ExclusiveMaximum), formatLimit(*hi), num.text())
	}
}

func lowWord(exclusive bool) string {
	if exclusive {
		return "greater than"
	}
	return "at least"
}

func highWord(exclusive bool) string {
	if exclusive {
		return "less than"
	}
	return "at most"
}

func (w *walker) enum(n *yaml.Node, s *schema, kind scalarKind) {
	names := make([]string, 0, len(s.Enum))
	for _, e := range s.Enum {
		if enumEqual(e, n, kind) {
			return
		}
		names = append(names, enumText(e))
	}
	msg := fmt.Sprintf("%s has unsupported value %s", w.where(), quote(n.Value))
	if c := closest(n.Value, names); c != "" {
		msg += fmt.Sprintf("; did you mean %q?", c)
	} else {
		msg += "; use one of " + strings.Join(names, ", ")
	}
	w.report(n, nil, "%s", msg)
}

// enumEqual compares a JSON enum value with a scalar.
func enumEqual(e any, n *yaml.Node, kind scalarKind) bool {
	switch e := e.(type) {
	case string:
		return kind == kindString && e == n.Value
	case bool:
		return kind == kindBool && strconv.FormatBool(e) == strings.ToLower(n.Value)
	case float64:
		if kind != kindInt && kind != kindFloat {
			return false
		}
		num, ok := parseNumber(n, kind)
		return ok && num.f == e
	case nil:
		return kind == kindNull
	}
	return false
}

// junctors checks oneOf, anyOf, allOf and not, the value validations a
// structural schema may combine. The Istio CRDs use them for protobuf oneofs,
// which prepare turned into exclusive groups; this is the general case.
func (w *walker) junctors(n *yaml.Node, s *schema) {
	if len(s.oneOf) > 0 {
		matched := 0
		for _, alt := range s.oneOf {
			if w.matches(n, alt) {
				matched++
			}
		}
		if matched != 1 {
			w.report(n, nil, "%s must match exactly one of %d alternatives of its schema (oneOf), and matches %d", w.where(), len(s.oneOf), matched)
		}
	}
	if len(s.anyOf) > 0 {
		matched := false
		for _, alt := range s.anyOf {
			if w.matches(n, alt) {
				matched = true
				break
			}
		}
		if !matched {
			w.report(n, nil, "%s matches none of the %d alternatives of its schema (anyOf)", w.where(), len(s.anyOf))
		}
	}
	for _, sub := range s.allOf {
		lenient := w.lenient
		w.lenient = true
		w.value(n, nil, sub)
		w.lenient = lenient
	}
	if s.Not != nil && w.matches(n, s.Not) {
		w.report(n, nil, "%s matches a schema it must not match (not)", w.where())
	}
}

// matches reports whether n satisfies the value validations of s, without
// reporting.
func (w *walker) matches(n *yaml.Node, s *schema) bool {
	sub := walker{lenient: true, cel: w.cel}
	sub.init(w.kind)
	sub.value(n, nil, s)
	return len(sub.errs) == 0
}
