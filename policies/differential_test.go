package policies

import (
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// differentialConstraints are constraints of many shapes, all in packages
// that safe accepts, so that they get plans.
var differentialConstraints = []string{
	`spec: http: [...{timeout: string}]`,
	`spec?: http?: [...{fault?: error("no faults")}]`,
	`spec?: {mtls?: mode?: !="PERMISSIVE" & !="DISABLE", portLevelMtls?: [string]: mode?: !="PERMISSIVE" & !="DISABLE"}`,
	`spec: trafficPolicy: outlierDetection!: {...}`,
	`spec: trafficPolicy: connectionPool: tcp: maxConnections: int`,
	`{#R: {name!: =~"^[a-z]+$", timeout?: =~"s$"}, spec: http?: [...#R]}`,
	`metadata: labels: [string]: string`,
	`metadata: labels: team!: =~"^[a-z]+$"`,
	`spec?: http?: [...{retries?: attempts?: int & >=0 & <=5}]`,
	`spec?: hosts?: [...=~"\\.local$"] | string`,
	`spec?: http?: [...{route?: [...{weight?: >=0 & <=100}]}]`,
	`spec?: hosts?: [string, ...string]`,
	`spec?: hosts?: [string]`,
	`spec?: mtls?: mode?: *"STRICT" | "UNSET"`,
	`spec?: mtls?: mode?: "STRICT" | "UNSET"`,
	`spec?: mtls?: {mode: "STRICT"} | {mode: "UNSET"}`,
	`spec?: http?: [...] & list.MinItems(1)`,
	`metadata: name: strings.MinRunes(3) & strings.HasPrefix("r")`,
	`spec: struct.MinFields(2)`,
	`spec?: subsets?: [...{name: string, labels: version: string}]`,
	`{#S: {host: string, subsets?: [...{name: string, ...}]}, spec: #S}`,
	`metadata: {name: string, namespace: *"default" | string}`,
	`spec: {hosts?: [...string], http?: [...{name?: string, timeout?: string, ...}], ...}`,
	`close({apiVersion: string, kind: string, metadata: _, spec: _})`,
	`spec?: http?: [...{mirrorPercentage?: value?: number & <=100}]`,
	`spec?: weight?: 1`,
	`spec?: flag?: true | null`,
	`spec?: trafficPolicy?: tls?: mode?: "ISTIO_MUTUAL"`,
	`_`,
}

// differentialDocs are manifests, realistic and odd.
var differentialDocs = []string{
	`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo, labels: {team: books}}
spec:
  hosts: [reviews.bookinfo.svc.cluster.local, reviews]
  http:
  - name: jason
    match: [{headers: {end-user: {exact: jason}}}]
    route: [{destination: {host: reviews, subset: v2}}]
    timeout: 10s
    retries: {attempts: 3, perTryTimeout: 3s}
  - name: weighted
    fault: {delay: {percentage: {value: 10}, fixedDelay: 5s}}
    mirrorPercentage: {value: 100.5}
    route:
    - {destination: {host: reviews, subset: v1}, weight: 90}
    - {destination: {host: reviews, subset: v2}, weight: 110}
    retries: {attempts: 9}
`,
	`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 100}}
    outlierDetection: {consecutive5xxErrors: 5}
    tls: {mode: DISABLE}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2}
  - name: v3
    labels: {version: 3}
`,
	`apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, labels: {team: Sec, tier: 1}}
spec:
  mtls: {mode: PERMISSIVE}
  portLevelMtls:
    8080: {mode: DISABLE}
    9090: {mode: STRICT}
    "9443": {mode: 5}
`,
	`apiVersion: v1
kind: VirtualService
metadata: {name: r}
spec: null
`,
	`kind: VirtualService
metadata: {name: ab}
spec:
  hosts: a.local
  http: {timeout: 5s}
  mtls: [STRICT]
`,
	`kind: VirtualService
metadata: {name: rr, labels: null}
spec:
  hosts: []
  http: []
  weight: 1.0
  flag: null
`,
	`kind: VirtualService
metadata: {name: rr}
spec:
  hosts: [a.local, b.local, 3]
  http:
  - null
  - "route"
  - timeout: 5
  - {timeout: 5s, name: Upper}
  weight: 1
  flag: true
`,
	`base: &base
  timeout: 3s
  name: anchored
kind: VirtualService
metadata: {name: anchors}
spec:
  http:
  - <<: *base
    route: [{destination: {host: a}}]
  - <<: [*base]
    timeout: 4s
  - *base
  - name: plain
    timeout: 1s
`,
	`kind: DestinationRule
spec:
  trafficPolicy: {}
  subsets: [{name: v1, labels: {version: v1}, extra: 1}]
`,
	`kind: PeerAuthentication
metadata: {name: p, namespace: "x", labels: {team: sec-ops}}
spec: {mtls: {mode: UNSET}, portLevelMtls: {"80": {mode: PERMISSIVE}, 81: {}}}
`,
	`{}`,
	`kind: VirtualService
metadata: {name: q}
spec: {mtls: {mode: UNSET}, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}, connectionPool: {tcp: {maxConnections: "100"}}}}
`,
	`kind: VirtualService
"metadata": {"name": "x.y", "labels": {"app.kubernetes.io/name": "x", team: "a"}}
spec: {"http": [{"route": [{"weight": -1}, {"weight": 101}, {"weight": 50}]}], "hosts": ["one.local"]}
`,
}

// TestPlanMatchesCUE checks that evaluating with a plan finds what unifying
// the constraint with the whole manifest finds: every path CUE reports, and
// violations only where CUE reports an error. Plans are only an
// optimisation; CUE stays the definition of a violation.
func TestPlanMatchesCUE(t *testing.T) {
	var files []File
	for i, c := range differentialConstraints {
		f := policyFile(diffID(i), `["VirtualService", "DestinationRule", "PeerAuthentication"]`, c)
		f.Name = "pol/" + diffID(i) + ".cue"
		files = append(files, f)
	}
	e := compileUser(t, files...)
	for _, c := range e.policies {
		if c.plan == nil {
			t.Fatalf("%s has no plan", c.ID)
		}
	}
	for di, src := range differentialDocs {
		for _, d := range decodeAll(t, src) {
			for _, c := range e.policies {
				checkPlanMatchesCUE(t, e, c, documentBody(d), di)
			}
		}
	}
}

func diffID(i int) string {
	return "D" + string(rune('A'+i/10)) + string(rune('0'+i%10))
}

// checkPlanMatchesCUE compares plan and whole-value evaluation of one policy
// on one manifest.
func checkPlanMatchesCUE(t testing.TB, e *Engine, c *compiled, body *yaml.Node, doc int) {
	t.Helper()
	if body == nil || body.Kind != yaml.MappingNode || c.plan == nil {
		return
	}
	planned := cueplan.Walk(c.plan, newView(), body, walkOptions)
	whole := cueplan.Whole(c.constraint, e.s, newView(), body, walkOptions)
	got := violationPaths(c.violations("m.yaml", body, planned))
	want := violationPaths(c.violations("m.yaml", body, whole))
	for _, p := range want {
		if !covered(p, got) {
			t.Errorf("doc %d, %s: CUE reports %q, the plan does not\nplan: %q\nCUE:  %q", doc, c.ID, p, got, want)
		}
	}
	if len(got) > 0 {
		expr := cueplan.Expr(newView(), body, walkOptions)
		if c.constraint.Unify(e.ctx.BuildExpr(expr)).Validate(cue.Concrete(true)) == nil {
			t.Errorf("doc %d, %s: the plan reports %q, CUE accepts the manifest", doc, c.ID, got)
		}
	}
}

// covered reports whether the plan reported path p or one of its parents.
// For a field that a closed definition does not allow, CUE sometimes names
// a field inside it (spec."0"."00" for spec."0"), the plan the field itself.
func covered(p string, planned []string) bool {
	for _, q := range planned {
		if p == q || q == "" || strings.HasPrefix(p, q) && (p[len(q)] == '.' || p[len(q)] == '[') {
			return true
		}
	}
	return false
}

func violationPaths(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Path)
	}
	slices.Sort(out)
	return out
}
