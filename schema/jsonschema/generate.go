package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cuejsonschema "cuelang.org/go/encoding/jsonschema"

	"github.com/meshroll/meshroll/internal/version"
	"github.com/meshroll/meshroll/schema"
)

// Definition is the CUE definition of an intent file, the one the JSON
// Schema describes (cue vet -d '#Intent' checks a file against it).
const Definition = "#Intent"

// ID is the published schema's address: the file in the repository at the
// release the documentation pins.
var ID = "https://raw.githubusercontent.com/meshroll/meshroll/" + version.Release + "/schema/intent.schema.json"

// Generate returns the JSON Schema of an intent file, indented, with a
// final newline. The output is deterministic: keys are sorted.
func Generate() ([]byte, error) {
	ctx := cuecontext.New()
	v := ctx.CompileBytes(schema.Source, cue.Filename(schema.SchemaFile))
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("compiling the intent schema: %w", err)
	}
	expr, err := cuejsonschema.Generate(v.LookupPath(cue.ParsePath(Definition)), nil)
	if err != nil {
		return nil, fmt.Errorf("generating the JSON Schema: %w", err)
	}
	raw, err := ctx.BuildExpr(expr).MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("generating the JSON Schema: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	simplify(doc)
	doc["$id"] = ID
	doc["title"] = "meshroll rollout intent"
	doc["description"] = "Rollout intent for meshroll: rollouts keyed by name, and optionally the mesh-wide mTLS policy. Generated from meshroll's CUE schema (meshroll schema --cue); meshroll checks more when it loads intent (phases, route targets and hosts that exist)."
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// simplify rewrites, bottom up, two shapes the encoder gives CUE constructs
// into the forms a person writes, with the same meaning:
//
//   - CUE's error("...") builtin, which only words the message of a failed
//     disjunction, becomes an alternative `false` that accepts nothing:
//     {anyOf: [S, false]} is S.
//   - A choice of constants, {anyOf: [{const: "A"}, {const: "B"}]}, is
//     {enum: ["A", "B"]}, which editors offer as completions.
//   - An int bound is a number and an integer: {allOf: [{type: number},
//     {type: integer, ...}]} is {type: integer, ...}.
func simplify(v any) {
	switch v := v.(type) {
	case []any:
		for _, e := range v {
			simplify(e)
		}
	case map[string]any:
		for _, e := range v {
			simplify(e)
		}
		if alts, ok := v["anyOf"].([]any); ok {
			alts = slices.DeleteFunc(alts, func(a any) bool { return a == false })
			v["anyOf"] = alts
			if enum, ok := constants(alts); ok {
				mergeInto(v, "anyOf", map[string]any{"enum": enum})
			} else if len(alts) == 1 {
				mergeInto(v, "anyOf", alts[0])
			}
		}
		if all, ok := v["allOf"].([]any); ok && len(all) == 2 {
			num, _ := all[0].(map[string]any)
			if len(num) == 1 && num["type"] == "number" {
				if in, ok := all[1].(map[string]any); ok && in["type"] == "integer" {
					mergeInto(v, "allOf", in)
				}
			}
		}
	}
}

// constants returns the values of alternatives that are each a const alone.
func constants(alts []any) ([]any, bool) {
	var out []any
	for _, a := range alts {
		m, ok := a.(map[string]any)
		if !ok || len(m) != 1 {
			return nil, false
		}
		c, ok := m["const"]
		if !ok {
			return nil, false
		}
		out = append(out, c)
	}
	return out, len(out) > 0
}

// mergeInto replaces v's key with the fields of the schema sub, when no
// field of sub is already in v.
func mergeInto(v map[string]any, key string, sub any) {
	m, ok := sub.(map[string]any)
	if !ok {
		return
	}
	for k := range m {
		if _, clash := v[k]; clash {
			return
		}
	}
	delete(v, key)
	for k, e := range m {
		v[k] = e
	}
}
