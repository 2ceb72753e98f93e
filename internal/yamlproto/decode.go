package yamlproto

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/meshroll/meshroll/internal/yamlpath"
)

// FieldError is a value that could not be decoded, at its data path.
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string { return e.Path + ": " + e.Message }

// MaxDepth bounds the nesting Decode follows; deeper values are dropped with
// an error. Istio specs nest about 15 levels.
const MaxDepth = 100

// Decode sets the fields of m from the YAML node n (a mapping, or a document
// holding one). path names n in error messages, such as "spec". It returns the
// values it had to drop, in document order.
func Decode(n *yaml.Node, m protoreflect.Message, path string) []FieldError {
	return DecodeWithin(n, m, path, MaxNodes)
}

// DecodeWithin is Decode with a budget of maxNodes values instead of
// MaxNodes.
func DecodeWithin(n *yaml.Node, m protoreflect.Message, path string, maxNodes int) []FieldError {
	d := &decoder{max: maxNodes, root: path}
	n = deref(n)
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = deref(n.Content[0])
	}
	if n == nil || isNull(n) {
		return nil
	}
	d.message(n, m, 0)
	return d.errs
}

type decoder struct {
	errs  []FieldError
	nodes int // values visited, aliases counted at every use
	max   int
	over  bool
	// root names the decoded node; stack the keys and indexes down to the
	// current one. The path is written out only for an error.
	root  string
	stack []step
}

// step is one element of the path: a key, or an index when key is unset.
type step struct {
	key   string
	index int
	isKey bool
}

func (d *decoder) pushKey(k string) { d.stack = append(d.stack, step{key: k, isKey: true}) }
func (d *decoder) pushIndex(i int)  { d.stack = append(d.stack, step{index: i}) }
func (d *decoder) pop()             { d.stack = d.stack[:len(d.stack)-1] }

// path writes the data path of the current node.
func (d *decoder) path() string {
	var b strings.Builder
	b.WriteString(d.root)
	for _, s := range d.stack {
		if s.isKey {
			b.WriteString(yamlpath.Key(s.key))
		} else {
			b.WriteString(yamlpath.Index(s.index))
		}
	}
	return b.String()
}

// MaxNodes bounds how many values Decode visits, counting an aliased value at
// every place it is used, so that an alias bomb costs bounded time.
const MaxNodes = 1 << 20

// spend counts one visited value and reports whether the budget allows it.
func (d *decoder) spend() bool {
	d.nodes++
	if d.nodes <= d.max {
		return true
	}
	if !d.over {
		d.over = true
		d.fail("expands to more than %d values (too many aliases)", d.max)
	}
	return false
}

func (d *decoder) fail(format string, args ...any) {
	d.errs = append(d.errs, FieldError{Path: d.path(), Message: fmt.Sprintf(format, args...)})
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 64 {
			return nil
		}
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		case "!!bool":
			return "a boolean"
		case "!!str":
			return "a string"
		}
		return "a scalar"
	}
	return "an unexpected node"
}

// pairs returns the key/value pairs of mapping n with merge keys (<<)
// expanded, merged values first so that the mapping's own keys win.
func pairs(n *yaml.Node, depth int) [][2]*yaml.Node {
	var merged, own [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" && depth < MaxDepth {
			v = deref(v)
			if v == nil {
				continue
			}
			switch v.Kind {
			case yaml.MappingNode:
				merged = append(merged, pairs(v, depth+1)...)
			case yaml.SequenceNode:
				// Earlier maps in a merge list win over later ones.
				for j := len(v.Content) - 1; j >= 0; j-- {
					if s := deref(v.Content[j]); s != nil && s.Kind == yaml.MappingNode {
						merged = append(merged, pairs(s, depth+1)...)
					}
				}
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	return append(merged, own...)
}

func (d *decoder) message(n *yaml.Node, m protoreflect.Message, depth int) {
	if depth > MaxDepth {
		d.fail("nested more than %d levels deep", MaxDepth)
		return
	}
	if !d.spend() {
		return
	}
	if d.wellKnown(n, m, depth) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.fail("want a map, got %s", kindName(n))
		return
	}
	fields := m.Descriptor().Fields()
	for _, kv := range pairs(n, depth) {
		k, v := kv[0], deref(kv[1])
		if k.Kind != yaml.ScalarNode || v == nil {
			continue
		}
		fd := fields.ByJSONName(k.Value)
		if fd == nil {
			fd = fields.ByTextName(k.Value)
		}
		if fd == nil {
			continue // Unknown fields are MR900's business.
		}
		if isNull(v) {
			m.Clear(fd)
			continue
		}
		d.pushKey(k.Value)
		switch {
		case fd.IsMap():
			d.mapField(v, m, fd, depth+1)
		case fd.IsList():
			d.listField(v, m, fd, depth+1)
		case fd.Message() != nil:
			if oo := fd.ContainingOneof(); oo != nil {
				if set := m.WhichOneof(oo); set != nil && set != fd {
					m.Clear(set)
				}
			}
			d.message(v, m.Mutable(fd).Message(), depth+1)
		default:
			val, ok := d.scalar(v, fd)
			if !ok {
				d.pop()
				continue
			}
			if oo := fd.ContainingOneof(); oo != nil {
				if set := m.WhichOneof(oo); set != nil && set != fd {
					m.Clear(set)
				}
			}
			m.Set(fd, val)
		}
		d.pop()
	}
}

func (d *decoder) listField(n *yaml.Node, m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	if n.Kind != yaml.SequenceNode {
		d.fail("want a list, got %s", kindName(n))
		return
	}
	list := m.Mutable(fd).List()
	for i, item := range n.Content {
		d.pushIndex(i)
		if !d.listItem(list, fd, item, depth) {
			d.pop()
			return
		}
		d.pop()
	}
}

// listItem decodes one item of a list; false stops the list.
func (d *decoder) listItem(list protoreflect.List, fd protoreflect.FieldDescriptor, item *yaml.Node, depth int) bool {
	if !d.spend() {
		return false
	}
	item = deref(item)
	if item == nil || isNull(item) {
		d.fail("null in a list")
		return true
	}
	if fd.Message() != nil {
		if depth > MaxDepth {
			d.fail("nested more than %d levels deep", MaxDepth)
			return false
		}
		el := list.NewElement()
		d.message(item, el.Message(), depth+1)
		list.Append(el)
		return true
	}
	if val, ok := d.scalar(item, fd); ok {
		list.Append(val)
	}
	return true
}

func (d *decoder) mapField(n *yaml.Node, m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	if n.Kind != yaml.MappingNode {
		d.fail("want a map, got %s", kindName(n))
		return
	}
	mp := m.Mutable(fd).Map()
	kd, vd := fd.MapKey(), fd.MapValue()
	for _, kv := range pairs(n, depth) {
		k, v := deref(kv[0]), deref(kv[1])
		if k == nil || v == nil || k.Kind != yaml.ScalarNode {
			continue
		}
		d.pushKey(k.Value)
		ok := d.mapEntry(mp, kd, vd, k, v, depth)
		d.pop()
		if !ok {
			return
		}
	}
}

// mapEntry decodes one entry of a map; false stops the map.
func (d *decoder) mapEntry(mp protoreflect.Map, kd, vd protoreflect.FieldDescriptor, k, v *yaml.Node, depth int) bool {
	if !d.spend() {
		return false
	}
	key, err := mapKey(k.Value, kd)
	if err != nil {
		d.fail("map key %q: %v", k.Value, err)
		return true
	}
	if isNull(v) {
		return true
	}
	if vd.Message() != nil {
		if depth > MaxDepth {
			d.fail("nested more than %d levels deep", MaxDepth)
			return false
		}
		val := mp.NewValue()
		d.message(v, val.Message(), depth+1)
		mp.Set(key, val)
		return true
	}
	if val, ok := d.scalar(v, vd); ok {
		mp.Set(key, val)
	}
	return true
}

func mapKey(s string, kd protoreflect.FieldDescriptor) (protoreflect.MapKey, error) {
	switch kd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(strings.Clone(s)).MapKey(), nil
	case protoreflect.BoolKind:
		b, err := strconv.ParseBool(s)
		return protoreflect.ValueOfBool(b).MapKey(), err
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		i, err := strconv.ParseInt(s, 10, 32)
		return protoreflect.ValueOfInt32(int32(i)).MapKey(), cleanNumErr(err)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		i, err := strconv.ParseInt(s, 10, 64)
		return protoreflect.ValueOfInt64(i).MapKey(), cleanNumErr(err)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		i, err := strconv.ParseUint(s, 10, 32)
		return protoreflect.ValueOfUint32(uint32(i)).MapKey(), cleanNumErr(err)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		i, err := strconv.ParseUint(s, 10, 64)
		return protoreflect.ValueOfUint64(i).MapKey(), cleanNumErr(err)
	}
	return protoreflect.MapKey{}, fmt.Errorf("unsupported key kind %s", kd.Kind())
}

// cleanNumErr drops strconv's echo of the input, which the caller quotes.
func cleanNumErr(err error) error {
	var ne *strconv.NumError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange:
		return errors.New("out of range")
	}
	return errors.New("not a number")
}

// scalar converts a scalar node for a non-message field.
func (d *decoder) scalar(n *yaml.Node, fd protoreflect.FieldDescriptor) (protoreflect.Value, bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail("want %s, got %s", wantName(fd), kindName(n))
		return protoreflect.Value{}, false
	}
	s, tag := n.Value, n.ShortTag()
	switch fd.Kind() {
	case protoreflect.StringKind:
		// A copy: the node's text may share a file's, which the message
		// outlives.
		return protoreflect.ValueOfString(strings.Clone(s)), true
	case protoreflect.BytesKind:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			d.fail("want base64 bytes: %v", err)
			return protoreflect.Value{}, false
		}
		return protoreflect.ValueOfBytes(b), true
	case protoreflect.BoolKind:
		if tag == "!!bool" || tag == "!!str" {
			if b, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
				return protoreflect.ValueOfBool(b), true
			}
		}
	case protoreflect.EnumKind:
		ed := fd.Enum()
		if tag == "!!int" {
			if i, err := strconv.ParseInt(s, 0, 32); err == nil {
				return protoreflect.ValueOfEnum(protoreflect.EnumNumber(i)), true
			}
		}
		if v := ed.Values().ByName(protoreflect.Name(s)); v != nil {
			return protoreflect.ValueOfEnum(v.Number()), true
		}
		d.fail("unknown value %q, want one of %s", truncate(s), enumNames(ed))
		return protoreflect.Value{}, false
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if i, ok := d.integer(n, math.MinInt32, math.MaxInt32); ok {
			return protoreflect.ValueOfInt32(int32(i)), true
		}
		return protoreflect.Value{}, false
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if i, ok := d.integer(n, math.MinInt64, math.MaxInt64); ok {
			return protoreflect.ValueOfInt64(i), true
		}
		return protoreflect.Value{}, false
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if i, ok := d.integer(n, 0, math.MaxUint32); ok {
			return protoreflect.ValueOfUint32(uint32(i)), true
		}
		return protoreflect.Value{}, false
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if i, ok := d.integer(n, 0, math.MaxInt64); ok {
			return protoreflect.ValueOfUint64(uint64(i)), true
		}
		return protoreflect.Value{}, false
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if f, ok := number(n); ok {
			if fd.Kind() == protoreflect.FloatKind {
				return protoreflect.ValueOfFloat32(float32(f)), true
			}
			return protoreflect.ValueOfFloat64(f), true
		}
	}
	d.fail("want %s, got %s %q", wantName(fd), kindName(n), truncate(s))
	return protoreflect.Value{}, false
}

// integer reads an integer within [lo, hi]. Like protojson it also takes a
// quoted number and a float with no fraction.
func (d *decoder) integer(n *yaml.Node, lo, hi int64) (int64, bool) {
	s := n.Value
	switch n.ShortTag() {
	case "!!int", "!!str", "!!float":
	default:
		d.fail("want an integer, got %s %q", kindName(n), truncate(s))
		return 0, false
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				d.fail("%s is out of range", truncate(s))
			} else {
				d.fail("want an integer, got %s %q", kindName(n), truncate(s))
			}
			return 0, false
		}
		if f < float64(lo) || f > float64(hi) {
			d.fail("%s is out of range", truncate(s))
			return 0, false
		}
		i = int64(f)
	}
	if i < lo || i > hi {
		d.fail("%s is out of range %d..%d", truncate(s), lo, hi)
		return 0, false
	}
	return i, true
}

func number(n *yaml.Node) (float64, bool) {
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
	default:
		return 0, false
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	switch strings.ToLower(s) {
	case ".inf", "+.inf":
		return math.Inf(1), true
	case "-.inf":
		return math.Inf(-1), true
	case ".nan":
		return math.NaN(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, true
	}
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(i), true
	}
	return 0, false
}

func wantName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return "a string"
	case protoreflect.BoolKind:
		return "a boolean"
	case protoreflect.EnumKind:
		return "one of " + enumNames(fd.Enum())
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "a number"
	case protoreflect.BytesKind:
		return "base64 bytes"
	}
	return "an integer"
}

func enumNames(ed protoreflect.EnumDescriptor) string {
	vals := ed.Values()
	names := make([]string, 0, vals.Len())
	for i := 0; i < vals.Len(); i++ {
		names = append(names, string(vals.Get(i).Name()))
	}
	return strings.Join(names, ", ")
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// wellKnown decodes the JSON forms of Google's well-known types, which the
// Istio API uses for durations, optional scalars and free-form structs. It
// reports whether m was one of them.
func (d *decoder) wellKnown(n *yaml.Node, m protoreflect.Message, depth int) bool {
	name := m.Descriptor().FullName()
	if name.Parent() != "google.protobuf" {
		return false
	}
	switch name.Name() {
	case "Duration":
		d.duration(n, m)
	case "Timestamp":
		if n.Kind != yaml.ScalarNode {
			d.fail("want an RFC 3339 timestamp, got %s", kindName(n))
			return true
		}
		t, err := time.Parse(time.RFC3339Nano, n.Value)
		if err != nil {
			d.fail("want an RFC 3339 timestamp, got %q", truncate(n.Value))
			return true
		}
		fs := m.Descriptor().Fields()
		m.Set(fs.ByName("seconds"), protoreflect.ValueOfInt64(t.Unix()))
		m.Set(fs.ByName("nanos"), protoreflect.ValueOfInt32(int32(t.Nanosecond())))
	case "DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue":
		fd := m.Descriptor().Fields().ByName("value")
		if v, ok := d.scalar(n, fd); ok {
			m.Set(fd, v)
		}
	case "Struct", "Value", "ListValue":
		v, err := d.structValue(n, depth)
		if err != nil {
			d.fail("%v", err)
			return true
		}
		var src protoreflect.Message
		switch name.Name() {
		case "Struct":
			s := v.GetStructValue()
			if s == nil {
				d.fail("want a map, got %s", kindName(n))
				return true
			}
			src = s.ProtoReflect()
		case "ListValue":
			l := v.GetListValue()
			if l == nil {
				d.fail("want a list, got %s", kindName(n))
				return true
			}
			src = l.ProtoReflect()
		default:
			src = v.ProtoReflect()
		}
		src.Range(func(fd protoreflect.FieldDescriptor, val protoreflect.Value) bool {
			m.Set(m.Descriptor().Fields().ByNumber(fd.Number()), val)
			return true
		})
	case "Empty":
	default:
		// Any, FieldMask and the rest do not occur in the specs meshroll
		// lints; leave them unset rather than guess.
	}
	return true
}

func (d *decoder) duration(n *yaml.Node, m protoreflect.Message) {
	if n.Kind != yaml.ScalarNode {
		d.fail("want a duration such as 10s or 1m30s, got %s", kindName(n))
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		d.fail("want a duration such as 10s or 1m30s, got %q", truncate(n.Value))
		return
	}
	fs := m.Descriptor().Fields()
	m.Set(fs.ByName("seconds"), protoreflect.ValueOfInt64(int64(dur/time.Second)))
	m.Set(fs.ByName("nanos"), protoreflect.ValueOfInt32(int32(dur%time.Second)))
}

func (d *decoder) structValue(n *yaml.Node, depth int) (*structpb.Value, error) {
	n = deref(n)
	if d.nodes++; d.nodes > d.max {
		return nil, fmt.Errorf("expands to more than %d values (too many aliases)", d.max)
	}
	if n == nil {
		return structpb.NewNullValue(), nil
	}
	if depth > MaxDepth {
		return nil, fmt.Errorf("nested more than %d levels deep", MaxDepth)
	}
	switch n.Kind {
	case yaml.MappingNode:
		s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
		for _, kv := range pairs(n, depth) {
			k := deref(kv[0])
			if k == nil || k.Kind != yaml.ScalarNode {
				continue
			}
			v, err := d.structValue(kv[1], depth+1)
			if err != nil {
				return nil, err
			}
			s.Fields[k.Value] = v
		}
		return structpb.NewStructValue(s), nil
	case yaml.SequenceNode:
		l := &structpb.ListValue{}
		for _, it := range n.Content {
			v, err := d.structValue(it, depth+1)
			if err != nil {
				return nil, err
			}
			l.Values = append(l.Values, v)
		}
		return structpb.NewListValue(l), nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return structpb.NewNullValue(), nil
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return structpb.NewBoolValue(b), nil
		case "!!int", "!!float":
			if f, ok := number(n); ok {
				return structpb.NewNumberValue(f), nil
			}
		}
		return structpb.NewStringValue(strings.Clone(n.Value)), nil
	}
	return structpb.NewNullValue(), nil
}
