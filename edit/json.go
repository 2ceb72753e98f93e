package edit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// jsonValue is a JSON value with its byte offsets in the file. Objects down
// to the rollout's fields are parsed into members; deeper values are skipped
// whole.
type jsonValue struct {
	start, end int
	object     bool
	str        *string
	members    []jsonMember
}

type jsonMember struct {
	key      string
	keyStart int
	value    *jsonValue
}

// jsonParser reads JSON with encoding/json's tokenizer, which reports the
// offset after each token; a token starts at the first byte after that offset
// that is neither white space nor a separator.
type jsonParser struct {
	src []byte
	dec *json.Decoder
}

func parseJSON(src []byte) (*jsonValue, error) {
	p := &jsonParser{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	p.dec.UseNumber()
	v, err := p.value(3)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: more than one value")
	}
	return v, nil
}

func (p *jsonParser) next() int {
	off := int(p.dec.InputOffset())
	for off < len(p.src) {
		switch p.src[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// value reads one value, parsing objects into members depth levels deep.
func (p *jsonParser) value(depth int) (*jsonValue, error) {
	start := p.next()
	if depth == 0 || start >= len(p.src) || p.src[start] != '{' {
		var raw json.RawMessage
		if err := p.dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		v := &jsonValue{start: start, end: int(p.dec.InputOffset())}
		if len(raw) > 0 && raw[0] == '"' {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				v.str = &s
			}
		}
		return v, nil
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	v := &jsonValue{start: start, object: true}
	for p.dec.More() {
		ks := p.next()
		t, err := p.dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		key, ok := t.(string)
		if !ok {
			return nil, fmt.Errorf("invalid JSON: object key %v", t)
		}
		mv, err := p.value(depth - 1)
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jsonMember{key: key, keyStart: ks, value: mv})
	}
	if _, err := p.dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	v.end = int(p.dec.InputOffset())
	return v, nil
}

// member returns the member called key, refusing a key given twice.
func (v *jsonValue) member(key string) (*jsonMember, error) {
	var found *jsonMember
	for i := range v.members {
		if v.members[i].key == key {
			if found != nil {
				return nil, fmt.Errorf("declares %q twice", key)
			}
			found = &v.members[i]
		}
	}
	return found, nil
}

// editJSON computes the edits that set fields in the rollout called name.
// set holds phase and since, then perhaps reason; remove names fields to
// remove.
func editJSON(path string, src []byte, name string, set []setting, remove []string) ([]splice, error) {
	root, err := parseJSON(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lc := newLines(src)
	obj := root
	for _, key := range []string{fieldRollouts, name} {
		if !obj.object {
			return nil, fmt.Errorf("%s: %s is not an object", lc.pos(path, obj.start), key)
		}
		m, err := obj.member(key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", lc.pos(path, obj.start), err)
		}
		if m == nil {
			return nil, fmt.Errorf("%s: rollout %s is not declared in the file", path, name)
		}
		obj = m.value
	}
	if !obj.object {
		return nil, fmt.Errorf("%s: rollout %s is not an object", lc.pos(path, obj.start), name)
	}
	var out []splice
	var missing []string
	var anchor *jsonMember
	for _, s := range set {
		m, err := obj.member(s.key)
		if err != nil {
			return nil, fmt.Errorf("%s: rollout %s %w", lc.pos(path, obj.start), name, err)
		}
		if m == nil {
			missing = append(missing, strconv.Quote(s.key)+": "+jsonString(s.value))
			continue
		}
		if m.value.str == nil {
			return nil, fmt.Errorf("%s: rollout %s: %s is not a string", lc.pos(path, m.value.start), name, s.key)
		}
		out = append(out, splice{at: m.value.start, end: m.value.end, text: jsonString(s.value), field: s.key})
		// Missing fields go after the last of the state fields present.
		anchor = m
	}
	removed := map[string]bool{}
	for _, key := range remove {
		m, err := obj.member(key)
		if err != nil {
			return nil, fmt.Errorf("%s: rollout %s %w", lc.pos(path, obj.start), name, err)
		}
		if m == nil {
			continue
		}
		if m.value.str == nil {
			return nil, fmt.Errorf("%s: rollout %s: %s is not a string", lc.pos(path, m.value.start), name, key)
		}
		removed[key] = true
		out = append(out, removeMember(src, m.keyStart, m.value.end, ""))
	}
	if len(missing) == 0 {
		return out, nil
	}
	for i := len(obj.members) - 1; anchor == nil && i >= 0; i-- {
		if !removed[obj.members[i].key] {
			anchor = &obj.members[i]
		}
	}
	if anchor == nil {
		return append(out, splice{at: obj.start + 1, end: obj.start + 1, text: joinPairs(missing)}), nil
	}
	return append(out, flowInsert(src, anchor.keyStart, anchor.value.end, missing, "")...), nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func joinPairs(pairs []string) string {
	var b bytes.Buffer
	for i, p := range pairs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p)
	}
	return b.String()
}
