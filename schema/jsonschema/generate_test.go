package jsonschema

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"
	validator "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/meshroll/meshroll/schema"
)

var update = flag.Bool("update", false, "rewrite schema/intent.schema.json")

// published is the JSON Schema in the repository, for editors to fetch.
const published = "../intent.schema.json"

// TestPublished holds the published JSON Schema to what Generate makes of
// the CUE schema; go test ./schema/jsonschema -update rewrites it.
func TestPublished(t *testing.T) {
	got, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(published, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(published)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("schema/intent.schema.json is stale: run go test ./schema/jsonschema -update")
	}
	again, _ := Generate()
	if !bytes.Equal(got, again) {
		t.Errorf("two generations differ")
	}
	var doc map[string]any
	if err := json.Unmarshal(got, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || doc["$id"] != ID {
		t.Errorf("$schema %v, $id %v", doc["$schema"], doc["$id"])
	}
	// Every field the CUE schema documents is documented in the JSON Schema.
	for _, want := range []string{"phase is the live phase", "routes are A/B routes", "a DNS-1123 label"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("the JSON Schema lacks the description %q", want)
		}
	}
}

// TestEquivalence holds the JSON Schema to the CUE schema: every intent of
// fixtures/intents and fixtures/bad, and hundreds of mutations of the valid
// ones (values of another type, out of range or malformed, fields dropped
// or unknown), is accepted by both or rejected by both. Files that do not
// parse are left out: neither schema sees them.
func TestEquivalence(t *testing.T) {
	js := compileJSONSchema(t)
	ctx := cuecontext.New()
	def := ctx.CompileBytes(schema.Source, cue.Filename(schema.SchemaFile)).LookupPath(cue.ParsePath(Definition))
	if err := def.Err(); err != nil {
		t.Fatal(err)
	}
	cueOK := func(data []byte) bool {
		expr, err := cuejson.Extract("data.json", data)
		if err != nil {
			t.Fatal(err)
		}
		return def.Unify(ctx.BuildExpr(expr)).Validate(cue.Concrete(true)) == nil
	}
	jsOK := func(data []byte) bool {
		inst, err := validator.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		return js.Validate(inst) == nil
	}
	check := func(name string, data []byte) bool {
		c, j := cueOK(data), jsOK(data)
		if c != j {
			t.Errorf("%s: the CUE schema says valid=%v, the JSON Schema valid=%v:\n%s", name, c, j, data)
		}
		return c
	}

	var valid [][]byte
	rejected := 0
	for _, dir := range []string{"intents", "bad"} {
		files := fixtureFiles(t, filepath.Join("..", "..", "fixtures", dir))
		for _, f := range files {
			data, ok := fixtureData(t, ctx, f)
			if !ok {
				continue
			}
			ok = check(f, data)
			switch {
			case dir == "intents" && !ok:
				t.Errorf("%s: an example intent is invalid", f)
			case dir == "intents":
				valid = append(valid, data)
			default:
				if !ok {
					rejected++
				}
			}
		}
	}
	if len(valid) < 5 || rejected < 5 {
		t.Fatalf("%d valid examples and %d rejected bad intents: too few to compare", len(valid), rejected)
	}

	n, bad := 0, 0
	for i, doc := range split(t, valid) {
		for _, m := range mutations(doc) {
			b, err := json.Marshal(m.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !check(fmt.Sprintf("example %d, %s", i, m.what), b) {
				bad++
			}
			n++
		}
	}
	if n < 500 || bad < n/4 {
		t.Errorf("%d mutations, %d of them invalid: too few to tell the schemas apart", n, bad)
	}
	t.Logf("%d fixtures rejected by both, %d mutations (%d invalid) judged alike", rejected, n, bad)
}

// split returns the intents as documents of one rollout each (and one of the
// mesh block), which CUE checks in a few milliseconds each.
func split(t *testing.T, intents [][]byte) []any {
	t.Helper()
	var out []any
	for _, data := range intents {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		rollouts, _ := doc["rollouts"].(map[string]any)
		names := make([]string, 0, len(rollouts))
		for name := range rollouts {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			out = append(out, map[string]any{"rollouts": map[string]any{name: rollouts[name]}})
		}
		if mesh, ok := doc["mesh"]; ok {
			out = append(out, map[string]any{"mesh": mesh})
		}
	}
	return out
}

func compileJSONSchema(t *testing.T) *validator.Schema {
	t.Helper()
	b, err := os.ReadFile(published)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := validator.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := validator.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(ID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fixtureFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

// fixtureData returns an intent file as JSON data, as an editor or cue vet
// sees it, or false when it does not parse (or, for CUE, is not concrete
// data on its own).
func fixtureData(t *testing.T, ctx *cue.Context, file string) ([]byte, bool) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v cue.Value
	switch filepath.Ext(file) {
	case ".json":
		return src, json.Valid(src)
	case ".yaml", ".yml":
		f, err := cueyaml.Extract(file, src)
		if err != nil {
			return nil, false
		}
		v = ctx.BuildFile(f)
	case ".cue":
		v = ctx.CompileBytes(src, cue.Filename(file))
	default:
		return nil, false
	}
	if v.Err() != nil {
		return nil, false
	}
	b, err := v.MarshalJSON()
	return b, err == nil
}

type mutation struct {
	what string
	doc  any
}

// replacements are values of every JSON type, in and out of the ranges and
// patterns of the schema.
var replacements = []any{"x", "Not-A-Label", "", "10s", "STRICT", float64(-1), float64(0), float64(7), float64(101), 2.5, true, nil, map[string]any{}, []any{}, []any{"x"}}

// mutations returns copies of doc with one change each: every value
// replaced by three of replacements (a different three for each value, so
// that together they try them all), every object field dropped, and an
// unknown field added to every object.
func mutations(doc any) []mutation {
	var out []mutation
	k := 0
	var walk func(path string, v any, set func(any) any)
	walk = func(path string, v any, set func(any) any) {
		for j := range 3 {
			r := replacements[(3*k+j)%len(replacements)]
			out = append(out, mutation{fmt.Sprintf("%s = %v", path, r), set(r)})
		}
		k++
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			out = append(out, mutation{path + ".unknownField added", set(with(v, "unknownField", "x"))})
			for _, k := range keys {
				out = append(out, mutation{path + "." + k + " dropped", set(without(v, k))})
				walk(path+"."+k, v[k], func(n any) any { return set(with(v, k, n)) })
			}
		case []any:
			for i := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), v[i], func(n any) any {
					c := slices.Clone(v)
					c[i] = n
					return set(c)
				})
			}
		}
	}
	walk("", doc, func(n any) any { return n })
	return out
}

func with(m map[string]any, k string, v any) map[string]any {
	c := make(map[string]any, len(m)+1)
	for kk, vv := range m {
		c[kk] = vv
	}
	c[k] = v
	return c
}

func without(m map[string]any, k string) map[string]any {
	c := with(m, k, nil)
	delete(c, k)
	return c
}
