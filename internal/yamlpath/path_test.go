package yamlpath

import (
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Path
		err  bool
	}{
		{in: "", want: nil},
		{in: "spec", want: Path{{Key: "spec"}}},
		{in: "spec.http[1].route[0].weight", want: Path{{Key: "spec"}, {Key: "http"}, {Index: 1, IsIndex: true}, {Key: "route"}, {Index: 0, IsIndex: true}, {Key: "weight"}}},
		{in: `metadata.annotations["meshroll.dev/ignore.MR301"]`, want: Path{{Key: "metadata"}, {Key: "annotations"}, {Key: "meshroll.dev/ignore.MR301"}}},
		{in: `a["x]y"].b`, want: Path{{Key: "a"}, {Key: "x]y"}, {Key: "b"}}},
		{in: "spec.portLevelMtls.8080.mode", want: Path{{Key: "spec"}, {Key: "portLevelMtls"}, {Key: "8080"}, {Key: "mode"}}},
		{in: "[0]", want: Path{{Index: 0, IsIndex: true}}},
		{in: "a..b", err: true},
		{in: ".a", err: true},
		{in: "a.", err: true},
		{in: "a[", err: true},
		{in: "a[-1]", err: true},
		{in: "a[x]", err: true},
		{in: `a["x`, err: true},
		{in: `a["x"`, err: true},
		{in: "a b", err: true},
		{in: "a[0]b", err: true},
		{in: "a.[0]", err: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("Parse(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range []string{
		"spec.http[1].route[0].weight",
		`metadata.annotations["meshroll.dev/ignore.MR301"]`,
		`spec.http[0].match[0].headers["x y"].exact`,
		`a[""]`,
	} {
		p, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got := p.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
	}
}

const doc = `spec:
  http:
  - name: a
    route:
    - destination:
        host: reviews
      weight: 90
    - destination: {host: reviews, subset: v2}
      weight: 10
  base: &base
    timeout: 10s
  merged:
    <<: *base
    retries: 3
  alias: *base
  portLevelMtls:
    8080:
      mode: PERMISSIVE
metadata:
  annotations:
    meshroll.dev/ignore.MR301: "why"
`

func TestPosition(t *testing.T) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &n); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path       string
		line, col  int
		foundWhole bool
	}{
		{"spec.http[0].route[0].weight", 7, 15, true},
		{"spec.http[0].route[1].destination.subset", 8, 44, true},
		{"spec.http[0].route[1].destination", 8, 7, true}, // a map: its key
		{"spec.http[0].route", 4, 5, true},
		{"spec.http[0]", 3, 5, true},                  // a list item: the item
		{"spec.http[0].route[5].weight", 4, 5, false}, // nearest ancestor: route
		{"spec.http[0].mirror.subset", 3, 5, false},   // nearest ancestor: the route
		// Lookup walks plain trees: package manifest resolves aliases and
		// merge keys first (see its TestResolvedTrees). In a tree that is
		// not resolved, a reference ends the path.
		{"spec.merged.timeout", 12, 3, false},
		{"spec.merged.retries", 14, 14, true},
		{"spec.alias.timeout", 15, 3, false},
		{"spec.portLevelMtls.8080.mode", 18, 13, true}, // integer key
		{`metadata.annotations["meshroll.dev/ignore.MR301"]`, 21, 32, true},
		{"nothing", 1, 1, false},
	}
	for _, tt := range tests {
		p, err := Parse(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		line, col, ok := Position(&n, p)
		if line != tt.line || col != tt.col || ok != tt.foundWhole {
			t.Errorf("Position(%s) = %d:%d %v, want %d:%d %v", tt.path, line, col, ok, tt.line, tt.col, tt.foundWhole)
		}
	}
	if got := Find(&n, "spec.http[0].name"); got == nil || got.Value != "a" {
		t.Errorf("Find(spec.http[0].name) = %v, want the scalar a", got)
	}
	if got := Find(&n, "spec.http[0].nope"); got != nil {
		t.Errorf("Find(spec.http[0].nope) = %v, want nil", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"spec.http[1].route[0].weight", `a["b.c"]`, "a[", `a["\x`, "..", "[99]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		// What parses must print back to a path that parses to the same.
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("Parse(%q) ok but Parse(String()=%q): %v", s, p.String(), err)
		}
		if !reflect.DeepEqual(p, q) && !(len(p) == 0 && len(q) == 0) {
			t.Fatalf("round trip of %q: %#v != %#v", s, p, q)
		}
	})
}
