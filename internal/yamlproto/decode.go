package yamlproto

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/meshroll/meshroll/internal/yamlfast"
)

// MaxDepth bounds the nesting Decode follows; deeper values are dropped.
// Istio specs nest about 15 levels.
const MaxDepth = 100

// Decode sets the fields of m from the YAML node n (a mapping, or a document
// holding one), as far as their values fit.
func Decode(n *yaml.Node, m protoreflect.Message) {
	DecodeWithin(n, m, MaxNodes)
}

// DecodeWithin is Decode with a budget of maxNodes values instead of
// MaxNodes.
func DecodeWithin(n *yaml.Node, m protoreflect.Message, maxNodes int) {
	d := &decoder{max: maxNodes}
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n == nil || isNull(n) {
		return
	}
	d.message(n, m, 0)
}

type decoder struct {
	nodes int // values visited, aliases counted at every use
	max   int
}

// MaxNodes bounds how many values Decode visits, counting an aliased value at
// every place it is used, so that an alias bomb costs bounded time.
const MaxNodes = 1 << 20

// spend counts one visited value and reports whether the budget allows it.
func (d *decoder) spend() bool {
	d.nodes++
	return d.nodes <= d.max
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func (d *decoder) message(n *yaml.Node, m protoreflect.Message, depth int) {
	if depth > MaxDepth || !d.spend() {
		return
	}
	if d.wellKnown(n, m, depth) || n.Kind != yaml.MappingNode {
		return
	}
	fields := m.Descriptor().Fields()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		fd := fields.ByJSONName(k.Value)
		if fd == nil {
			fd = fields.ByTextName(k.Value)
		}
		if fd == nil {
			continue // Unknown fields are the validator's business.
		}
		if isNull(v) {
			m.Clear(fd)
			continue
		}
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
				continue
			}
			if oo := fd.ContainingOneof(); oo != nil {
				if set := m.WhichOneof(oo); set != nil && set != fd {
					m.Clear(set)
				}
			}
			m.Set(fd, val)
		}
	}
}

func (d *decoder) listField(n *yaml.Node, m protoreflect.Message, fd protoreflect.FieldDescriptor, depth int) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	list := m.Mutable(fd).List()
	for _, item := range n.Content {
		if !d.listItem(list, fd, item, depth) {
			return
		}
	}
}

// listItem decodes one item of a list; false stops the list.
func (d *decoder) listItem(list protoreflect.List, fd protoreflect.FieldDescriptor, item *yaml.Node, depth int) bool {
	if !d.spend() {
		return false
	}
	if item == nil || isNull(item) {
		return true
	}
	if fd.Message() != nil {
		if depth > MaxDepth {
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
		return
	}
	mp := m.Mutable(fd).Map()
	kd, vd := fd.MapKey(), fd.MapValue()
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if !d.mapEntry(mp, kd, vd, k, v, depth) {
			return
		}
	}
}

// mapEntry decodes one entry of a map; false stops the map.
func (d *decoder) mapEntry(mp protoreflect.Map, kd, vd protoreflect.FieldDescriptor, k, v *yaml.Node, depth int) bool {
	if !d.spend() {
		return false
	}
	key, ok := mapKey(k.Value, kd)
	if !ok || isNull(v) {
		return true
	}
	if vd.Message() != nil {
		if depth > MaxDepth {
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

// mapKey converts a map key written as text; false when it does not fit
// the key's kind.
func mapKey(s string, kd protoreflect.FieldDescriptor) (protoreflect.MapKey, bool) {
	var v protoreflect.Value
	var err error
	switch kd.Kind() {
	case protoreflect.StringKind:
		v = protoreflect.ValueOfString(strings.Clone(s))
	case protoreflect.BoolKind:
		var b bool
		b, err = strconv.ParseBool(s)
		v = protoreflect.ValueOfBool(b)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		var i int64
		i, err = strconv.ParseInt(s, 10, 32)
		v = protoreflect.ValueOfInt32(int32(i))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		var i int64
		i, err = strconv.ParseInt(s, 10, 64)
		v = protoreflect.ValueOfInt64(i)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		var i uint64
		i, err = strconv.ParseUint(s, 10, 32)
		v = protoreflect.ValueOfUint32(uint32(i))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		var i uint64
		i, err = strconv.ParseUint(s, 10, 64)
		v = protoreflect.ValueOfUint64(i)
	default:
		return protoreflect.MapKey{}, false
	}
	if err != nil {
		return protoreflect.MapKey{}, false
	}
	return v.MapKey(), true
}

// scalar converts a scalar node for a non-message field; false when it
// does not fit the field.
func (d *decoder) scalar(n *yaml.Node, fd protoreflect.FieldDescriptor) (protoreflect.Value, bool) {
	if n.Kind != yaml.ScalarNode {
		return protoreflect.Value{}, false
	}
	s, tag := n.Value, n.ShortTag()
	switch fd.Kind() {
	case protoreflect.StringKind:
		// A copy: the node's text may share a file's, which the message
		// outlives.
		return protoreflect.ValueOfString(strings.Clone(s)), true
	case protoreflect.BytesKind:
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return protoreflect.ValueOfBytes(b), true
		}
	case protoreflect.BoolKind:
		if tag == "!!bool" || tag == "!!str" {
			if b, err := strconv.ParseBool(strings.ToLower(s)); err == nil {
				return protoreflect.ValueOfBool(b), true
			}
		}
	case protoreflect.EnumKind:
		if tag == "!!int" {
			if i, err := strconv.ParseInt(s, 0, 32); err == nil {
				return protoreflect.ValueOfEnum(protoreflect.EnumNumber(i)), true
			}
		}
		if v := fd.Enum().Values().ByName(protoreflect.Name(s)); v != nil {
			return protoreflect.ValueOfEnum(v.Number()), true
		}
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		if i, ok := integer(n, math.MinInt32, math.MaxInt32); ok {
			return protoreflect.ValueOfInt32(int32(i)), true
		}
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		if i, ok := integer(n, math.MinInt64, math.MaxInt64); ok {
			return protoreflect.ValueOfInt64(i), true
		}
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		if i, ok := integer(n, 0, math.MaxUint32); ok {
			return protoreflect.ValueOfUint32(uint32(i)), true
		}
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		if i, ok := integer(n, 0, math.MaxInt64); ok {
			return protoreflect.ValueOfUint64(uint64(i)), true
		}
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if f, ok := number(n); ok {
			if fd.Kind() == protoreflect.FloatKind {
				return protoreflect.ValueOfFloat32(float32(f)), true
			}
			return protoreflect.ValueOfFloat64(f), true
		}
	}
	return protoreflect.Value{}, false
}

// integer reads an integer within [lo, hi]. Like protojson it also takes a
// quoted number and a float with no fraction.
func integer(n *yaml.Node, lo, hi int64) (int64, bool) {
	s := n.Value
	switch n.ShortTag() {
	case "!!int", "!!str", "!!float":
	default:
		return 0, false
	}
	i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 0, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) || f < float64(lo) || f > float64(hi) {
			return 0, false
		}
		i = int64(f)
	}
	return i, i >= lo && i <= hi
}

func number(n *yaml.Node) (float64, bool) {
	switch n.ShortTag() {
	case "!!int", "!!float", "!!str":
		return yamlfast.Number(n.Value)
	}
	return 0, false
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
		if n.Kind != yaml.ScalarNode {
			return true
		}
		dur, err := time.ParseDuration(n.Value)
		if err != nil {
			return true
		}
		fs := m.Descriptor().Fields()
		m.Set(fs.ByName("seconds"), protoreflect.ValueOfInt64(int64(dur/time.Second)))
		m.Set(fs.ByName("nanos"), protoreflect.ValueOfInt32(int32(dur%time.Second)))
	case "Timestamp":
		if n.Kind != yaml.ScalarNode {
			return true
		}
		t, err := time.Parse(time.RFC3339Nano, n.Value)
		if err != nil {
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
		v, ok := d.structValue(n, depth)
		if !ok {
			return true
		}
		var src protoreflect.Message
		switch name.Name() {
		case "Struct":
			s := v.GetStructValue()
			if s == nil {
				return true
			}
			src = s.ProtoReflect()
		case "ListValue":
			l := v.GetListValue()
			if l == nil {
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

// structValue decodes a free-form value; false when it is deeper than
// MaxDepth or spends the budget, and then it is dropped whole.
func (d *decoder) structValue(n *yaml.Node, depth int) (*structpb.Value, bool) {
	if !d.spend() {
		return nil, false
	}
	if n == nil {
		return structpb.NewNullValue(), true
	}
	if depth > MaxDepth {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			v, ok := d.structValue(n.Content[i+1], depth+1)
			if !ok {
				return nil, false
			}
			s.Fields[k.Value] = v
		}
		return structpb.NewStructValue(s), true
	case yaml.SequenceNode:
		l := &structpb.ListValue{}
		for _, it := range n.Content {
			v, ok := d.structValue(it, depth+1)
			if !ok {
				return nil, false
			}
			l.Values = append(l.Values, v)
		}
		return structpb.NewListValue(l), true
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return structpb.NewNullValue(), true
		case "!!bool":
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			return structpb.NewBoolValue(b), true
		case "!!int", "!!float":
			if f, ok := number(n); ok {
				return structpb.NewNumberValue(f), true
			}
		}
		return structpb.NewStringValue(strings.Clone(n.Value)), true
	}
	return structpb.NewNullValue(), true
}
