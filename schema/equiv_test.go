package schema

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cuejson "cuelang.org/go/encoding/json"
)

// verdicts evaluates the JSON intent data both ways — the checker, the plan
// internal/cueplan compiles from intent.cue, and CUE itself unifying the data with #Intent — and
// returns whether each accepts it.
type verdicts struct {
	ctx    *cue.Context
	intent cue.Value
	chk    *Checker
}

func newVerdicts(t testing.TB) *verdicts {
	ctx := cuecontext.New()
	sch := ctx.CompileBytes(Source, cue.Filename(SchemaFile))
	if sch.Err() != nil {
		t.Fatal(sch.Err())
	}
	chk, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	return &verdicts{ctx: ctx, intent: sch.LookupPath(cue.ParsePath("#Intent")), chk: chk}
}

func (v *verdicts) judge(data []byte) (goOK, cueOK bool, detail string, ok bool) {
	x, err := cuejson.Extract("data.json", data)
	if err != nil {
		return false, false, "", false
	}
	val := v.ctx.BuildExpr(x)
	if val.Err() != nil || val.IncompleteKind() != cue.StructKind {
		return false, false, "", false
	}
	vs := v.chk.Check(fromValue(val))
	cerr := val.Unify(v.intent).Validate(cue.Concrete(true))
	var msgs []string
	for _, vi := range vs {
		msgs = append(msgs, vi.Path.String()+" "+vi.Msg)
	}
	return len(vs) == 0, cerr == nil, fmt.Sprintf("checker: %v\ncue: %v", msgs, cerr), true
}

// seedIntent is a valid intent that exercises most of the schema.
const seedIntent = `{"rollouts": {"reviews": {
  "namespace": "bookinfo", "host": "reviews", "hosts": ["reviews.example.com"], "gateways": ["istio-system/gw", "mesh"],
  "stable": {"subset": "v1", "labels": {"version": "v1"}}, "canary": {"subset": "v2", "host": "reviews"},
  "subsets": {"internal": {"labels": {"version": "canary", "app.kubernetes.io/name": "reviews"}}},
  "phase": "canary", "since": "2026-11-20T09:00:00Z",
  "phases": [{"name": "start", "canaryWeight": 0}, {"name": "canary", "canaryWeight": 10, "hold": "1h"}],
  "routes": [{"name": "jason", "match": {"headers": {"end-user": {"exact": "jason"}}, "cookie": {"name": "user", "value": "beta"},
     "sourceLabels": {"app": "productpage"}, "uri": {"prefix": "/api"}, "method": "GET"}, "to": "canary"}],
  "mirror": {"to": "canary", "percent": 50.5},
  "fault": {"delay": {"percent": 10, "fixedDelay": "5s"}, "abort": {"percent": 1, "httpStatus": 503}},
  "timeout": "10s", "retries": {"attempts": 3, "perTryTimeout": "3s", "retryOn": "5xx"},
  "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 10, "connectTimeout": "1s"}, "http": {"http1MaxPendingRequests": 1, "h2UpgradePolicy": "UPGRADE", "useClientProtocol": true}},
     "outlierDetection": {"consecutive5xxErrors": 5, "interval": "30s", "maxEjectionPercent": 100, "splitExternalLocalOriginErrors": false},
     "loadBalancer": {"simple": "ROUND_ROBIN"}, "tls": {"mode": "ISTIO_MUTUAL"}},
  "mtls": "STRICT",
  "expect": [{"name": "x", "gateway": "istio-system/gw", "request": {"headers": {"a": "b", "b": ["1", "2"]}, "cookies": {"c": "d"}, "sourceNamespace": "web",
     "uri": "/", "query": {"v": "2"}, "method": "GET", "scheme": "https", "authority": "a.example.com", "port": 443}, "phases": ["canary"], "reaches": {"canary": 100}}]
}}, "mesh": {"rootNamespace": "istio-system", "mtls": "PERMISSIVE"}}`

// replacements are values that sit on either side of the schema's
// constraints.
var replacements = []any{
	"", "v1", "V1", "a-b", "-a", "a-", strings.Repeat("a", 63), strings.Repeat("a", 64), "a.b", "*.example.com", "*",
	"10s", "1h30m", "1.5s", "500ms", "1d", "10", "5 s", "STRICT", "strict", "GET", "get", "UPGRADE", "ROUND_ROBIN",
	"2026-11-20T09:00:00Z", "app.kubernetes.io/name", "ünï", "x/y/z",
	0, 1, -1, 10, 63, 99, 100, 101, 199, 200, 503, 599, 600, 2147483647, 2147483648, 0.5, 10.0, 12.5, -0.1, 100.5,
	true, false, nil, map[string]any{}, []any{}, map[string]any{"exact": "x"}, []any{"a"}, map[string]any{"unknown": 1},
}

// mutate changes one random place of v.
func mutate(rng *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 || rng.IntN(8) == 0 {
			// A field the schema may not know, or may.
			names := []string{"wieght", "extra", "name", "labels", "to", "exact", "value"}
			x[names[rng.IntN(len(names))]] = replacements[rng.IntN(len(replacements))]
			return x
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Sorted so that the random choice is reproducible.
		sortStrings(keys)
		k := keys[rng.IntN(len(keys))]
		switch rng.IntN(6) {
		case 0:
			delete(x, k)
		case 1:
			x[k] = replacements[rng.IntN(len(replacements))]
		default:
			x[k] = mutate(rng, x[k])
		}
		return x
	case []any:
		if len(x) == 0 || rng.IntN(6) == 0 {
			return append(x, replacements[rng.IntN(len(replacements))])
		}
		i := rng.IntN(len(x))
		x[i] = mutate(rng, x[i])
		return x
	}
	return replacements[rng.IntN(len(replacements))]
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestCheckerAgreesWithCUE holds the checker — the plan of #Intent from
// internal/cueplan, the compiler policies use too — to CUE's own verdict on
// the seed intent and on thousands of mutations of it.
func TestCheckerAgreesWithCUE(t *testing.T) {
	v := newVerdicts(t)
	if goOK, cueOK, detail, _ := v.judge([]byte(seedIntent)); !goOK || !cueOK {
		t.Fatalf("the seed intent must be valid both ways:\n%s", detail)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	n := 600
	if testing.Short() {
		n = 200
	}
	accepted, rejected := 0, 0
	for i := range n {
		var data any
		if err := json.Unmarshal([]byte(seedIntent), &data); err != nil {
			t.Fatal(err)
		}
		for range 1 + rng.IntN(3) {
			data = mutate(rng, data)
		}
		b, err := json.Marshal(data)
		if err != nil {
			t.Fatal(err)
		}
		goOK, cueOK, detail, ok := v.judge(b)
		if !ok {
			continue
		}
		if goOK != cueOK {
			t.Fatalf("mutation %d: checker accepts=%v, CUE accepts=%v\n%s\n%s", i, goOK, cueOK, b, detail)
		}
		if goOK {
			accepted++
		} else {
			rejected++
		}
	}
	// Both sides of the constraints must have been exercised.
	if accepted < n/20 || rejected < n/4 {
		t.Fatalf("mutations not varied enough: %d accepted, %d rejected", accepted, rejected)
	}
}

// FuzzCheckerAgreesWithCUE is the same comparison on arbitrary JSON.
func FuzzCheckerAgreesWithCUE(f *testing.F) {
	f.Add([]byte(seedIntent))
	f.Add([]byte(`{"rollouts": {"a": {"stable": {"subset": "v1"}, "phases": [{"name": "x", "canaryWeight": 101}]}}}`))
	f.Add([]byte(`{"mesh": {"mtls": "DISABLE"}, "rollouts": {}}`))
	v := newVerdicts(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		goOK, cueOK, detail, ok := v.judge(data)
		if ok && goOK != cueOK {
			t.Fatalf("checker accepts=%v, CUE accepts=%v\n%s\n%s", goOK, cueOK, data, detail)
		}
	})
}

// TestSchemaJudgedNatively holds the plan of #Intent to the speed that
// loading relies on: every constraint of intent.cue is judged in Go, and CUE
// is never asked about an intent.
func TestSchemaJudgedNatively(t *testing.T) {
	chk, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if n := chk.intent.Opaque(); n != 0 {
		t.Errorf("%d constraints of #Intent are left to CUE; keep intent.cue to what internal/cueplan judges", n)
	}
}
