package render

import (
	"bytes"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/yamlpath"
	"github.com/meshroll/meshroll/schema"
)

// traced is a rollout that uses every field render turns into a rendered
// one, its own ladder, and a canary on a host of its own.
const traced = `rollouts: web: {
	namespace: "shop"
	host:      "web"
	hosts: ["web.example.com", "www.example.com"]
	gateways: ["shop/public"]
	stable: {subset: "v1", labels: version: "v1"}
	canary: {host: "web-canary"}
	subsets: "internal-testing": labels: version: "canary"
	phase: "expand"
	phases: [{name: "canary", canaryWeight: 5}, {name: "expand", canaryWeight: 30}, {name: "promote", canaryWeight: 100}]
	routes: [{
		name: "jason"
		match: headers: "end-user": exact: "jason"
		to: "canary"
	}, {
		name: "beta"
		match: {cookie: {name: "user", value: "beta"}, sourceLabels: app: "productpage", uri: prefix: "/api", method: "GET"}
		to: "internal-testing"
	}]
	mirror: {to: "canary", percent: 20}
	fault: {delay: {percent: 10, fixedDelay: "5s"}, abort: {percent: 1, httpStatus: 503}}
	timeout: "10s"
	retries: {attempts: 3, perTryTimeout: "2s", retryOn: "5xx"}
	trafficPolicy: {connectionPool: tcp: maxConnections: 100, outlierDetection: consecutive5xxErrors: 5}
}
`

// traceOf renders the traced rollout in phase with provenance, by
// Kind/name.
func traceOf(t *testing.T, phase string) (*schema.Rollout, map[string]Object) {
	t.Helper()
	in, err := schema.LoadFiles([]schema.File{{Path: "intents/web.cue", Data: []byte(traced)}})
	if err != nil {
		t.Fatal(err)
	}
	r := in.Rollouts[0]
	objs, err := Trace(r, phase)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Object{}
	for _, o := range objs {
		t, m := o.Meta()
		out[t.Kind+"/"+m.Name] = o
	}
	return r, out
}

func TestProvenanceField(t *testing.T) {
	for _, tc := range []struct {
		phase, object, path string
		want                string // the intent path, relative to the rollout; "" is the rollout itself
	}{
		{"expand", "VirtualService/web", "spec.hosts[0]", "host"},
		{"expand", "VirtualService/web", "spec.hosts[2]", "hosts[1]"},
		{"expand", "VirtualService/web", "spec.gateways[0]", "gateways[0]"},
		{"expand", "VirtualService/web", "spec.http", "routes"},
		{"expand", "VirtualService/web", "spec.http[0]", "routes[0]"},
		{"expand", "VirtualService/web", "spec.http[0].name", "routes[0].name"},
		{"expand", "VirtualService/web", "spec.http[0].match[0].headers.end-user.exact", "routes[0].match.headers.end-user"},
		{"expand", "VirtualService/web", "spec.http[0].route[0].destination.host", "routes[0].to"},
		{"expand", "VirtualService/web", "spec.http[1].match[0].headers.cookie.regex", "routes[1].match.cookie"},
		{"expand", "VirtualService/web", "spec.http[1].match[0].sourceLabels.app", "routes[1].match.sourceLabels.app"},
		{"expand", "VirtualService/web", "spec.http[1].match[0].uri.prefix", "routes[1].match.uri"},
		{"expand", "VirtualService/web", "spec.http[1].match[0].method.exact", "routes[1].match.method"},
		// The weighted route: weights from the ladder step, destinations
		// from the tracks, the rest from the rollout's own fields.
		{"expand", "VirtualService/web", "spec.http[2].route[1].weight", "phases[1].canaryWeight"},
		{"expand", "VirtualService/web", "spec.http[2].name", "phases[1].canaryWeight"},
		{"expand", "VirtualService/web", "spec.http[2].route[0].destination.subset", "stable"},
		{"expand", "VirtualService/web", "spec.http[2].route[1].destination.host", "canary"},
		{"expand", "VirtualService/web", "spec.http[2].timeout", "timeout"},
		{"expand", "VirtualService/web", "spec.http[0].retries.perTryTimeout", "retries.perTryTimeout"},
		{"expand", "VirtualService/web", "spec.http[1].fault.delay.percentage.value", "fault.delay.percent"},
		{"expand", "VirtualService/web", "spec.http[1].fault.delay.fixedDelay", "fault.delay.fixedDelay"},
		{"expand", "VirtualService/web", "spec.http[1].fault.abort.httpStatus", "fault.abort.httpStatus"},
		{"expand", "VirtualService/web", "spec.http[1].mirror.host", "mirror.to"},
		{"expand", "VirtualService/web", "spec.http[1].mirrorPercentage.value", "mirror.percent"},
		{"expand", "VirtualService/web", "metadata.annotations[\"meshroll.dev/phase\"]", ""},
		{"expand", "VirtualService/web", "spec", ""},
		{"expand", "VirtualService/web", "not a path", ""},
		// Rollback has only the weighted route, first.
		{"rollback", "VirtualService/web", "spec.http[0].route[0].weight", "phase"},
		{"rollback", "VirtualService/web", "spec.http[0].retries.attempts", "retries.attempts"},
		{"expand", "DestinationRule/web", "spec.host", "host"},
		{"expand", "DestinationRule/web", "spec.subsets[0].name", "stable.subset"},
		{"expand", "DestinationRule/web", "spec.subsets[1].labels.version", "subsets.internal-testing"},
		{"expand", "DestinationRule/web", "spec.trafficPolicy.connectionPool.tcp.maxConnections", "trafficPolicy.connectionPool.tcp.maxConnections"},
		{"expand", "DestinationRule/web-canary", "spec.host", "canary.host"},
		{"expand", "DestinationRule/web-canary", "spec.trafficPolicy.outlierDetection.consecutive5xxErrors", "trafficPolicy.outlierDetection.consecutive5xxErrors"},
	} {
		t.Run(tc.phase+"/"+tc.object+"/"+tc.path, func(t *testing.T) {
			_, objs := traceOf(t, tc.phase)
			o, ok := objs[tc.object]
			if !ok {
				t.Fatalf("no %s rendered", tc.object)
			}
			if got := relString(o.Provenance.Field(tc.path)); got != tc.want {
				t.Errorf("Field(%s) = %q, want %q", tc.path, got, tc.want)
			}
		})
	}
}

// relString writes an intent path as the tests above do.
func relString(rel []any) string {
	var p yamlpath.Path
	for _, e := range rel {
		switch e := e.(type) {
		case string:
			p = append(p, yamlpath.Elem{Key: e})
		case int:
			p = append(p, yamlpath.Elem{Index: e, IsIndex: true})
		}
	}
	return p.String()
}

// TestProvenanceCoversSpec holds render's records to what it writes: every
// field of every rendered spec, in every phase, comes from a field the
// intent declares — none falls back to the rollout as a whole, and none
// points at a field the intent does not have. A field added to render
// without a record fails here.
func TestProvenanceCoversSpec(t *testing.T) {
	r, _ := traceOf(t, "expand")
	for _, phase := range Phases(r) {
		_, objs := traceOf(t, phase)
		for id, o := range objs {
			var b bytes.Buffer
			AppendYAML(&b, o)
			var doc yaml.Node
			if err := yaml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			spec := yamlpath.Find(&doc, "spec")
			if spec == nil {
				t.Fatalf("%s: no spec", id)
			}
			for _, p := range leaves(spec, yamlpath.Path{{Key: "spec"}}) {
				rel := o.Provenance.Field(p)
				if rel == nil {
					t.Errorf("%s %s: %s has no recorded origin", phase, id, p)
					continue
				}
				if got, want := o.Provenance.Pos(p), r.Pos(rel...); got != want || got == r.Pos() {
					t.Errorf("%s %s: %s comes from %s, which the intent does not declare", phase, id, p, relString(rel))
				}
			}
		}
	}
}

// leaves returns the data paths of the scalars under n, at path p.
func leaves(n *yaml.Node, p yamlpath.Path) []string {
	switch n.Kind {
	case yaml.MappingNode:
		var out []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, leaves(n.Content[i+1], append(slices.Clip(p), yamlpath.Elem{Key: n.Content[i].Value}))...)
		}
		return out
	case yaml.SequenceNode:
		var out []string
		for i, c := range n.Content {
			out = append(out, leaves(c, append(slices.Clip(p), yamlpath.Elem{Index: i, IsIndex: true}))...)
		}
		return out
	}
	return []string{p.String()}
}

// TestTraceRendersAsRollout holds Trace to Rollout's output: recording
// changes nothing that is rendered.
func TestTraceRendersAsRollout(t *testing.T) {
	r, _ := traceOf(t, "expand")
	for _, phase := range Phases(r) {
		plain, err := Rollout(r, phase)
		if err != nil {
			t.Fatal(err)
		}
		traced, err := Trace(r, phase)
		if err != nil {
			t.Fatal(err)
		}
		var a, b bytes.Buffer
		writeFile(&a, plain)
		writeFile(&b, traced)
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: Trace renders\n%s\nRollout renders\n%s", phase, b.Bytes(), a.Bytes())
		}
		for _, o := range plain {
			if o.Provenance != nil {
				t.Errorf("%s: Rollout recorded provenance for %s", phase, o.ID())
			}
		}
	}
}

// BenchmarkTrace measures rendering one rollout with and without
// provenance, what mapping one file's findings to intent adds.
func BenchmarkTrace(b *testing.B) {
	in, err := schema.LoadFiles([]schema.File{{Path: "intents/web.cue", Data: []byte(traced)}})
	if err != nil {
		b.Fatal(err)
	}
	r := in.Rollouts[0]
	for _, f := range []struct {
		name string
		fn   func(*schema.Rollout, string) ([]Object, error)
	}{{"Rollout", Rollout}, {"Trace", Trace}} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := f.fn(r, "expand"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
