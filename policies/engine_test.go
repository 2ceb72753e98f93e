package policies

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestEvaluate checks violations field by field: policy, position in the
// manifest, data path and the sentence a person reads.
func TestEvaluate(t *testing.T) {
	timeout := policyFile("ACME001", `["VirtualService"]`, `spec: http?: [...{timeout: string}]`)
	outlier := policyFile("ACME002", `["DestinationRule"]`, `spec: trafficPolicy: outlierDetection!: {...}`)
	prodOnly := File{Name: "pol/p.cue", Data: []byte(`package p
policies: ACME003: {
	name: "prod-hosts"
	severity: "error"
	message: "{path} is {value}: use a fully qualified host in prod"
	kinds: ["VirtualService"]
	apiGroups: ["networking.istio.io"]
	namespaces: ["prod"]
	constraint: spec: hosts?: [...=~"\\.svc\\.cluster\\.local$"]
}
`)}
	// A reference from one field to another: no plan, whole-manifest CUE.
	unsafe := File{Name: "pol/p.cue", Data: []byte(`package p
policies: ACME005: {
	name: "mirror-matches-route"
	severity: "info"
	message: "the mirror must name the first destination's host"
	kinds: ["VirtualService"]
	constraint: spec: http?: [...{route?: [{destination: host: string}, ...], mirror?: host: route[0].destination.host}]
}
`)}
	tests := []struct {
		name     string
		policies []File
		manifest string
		want     []Violation
	}{{
		name: "MR401 on the mode and on each port",
		manifest: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: bookinfo}
spec:
  mtls:
    mode: PERMISSIVE
  portLevelMtls:
    8080:
      mode: DISABLE
    9090: {mode: STRICT}
`,
		want: []Violation{{
			PolicyID: "MR401", Name: "non-strict-mtls", Severity: SeverityWarning,
			Message: "spec.mtls.mode is PERMISSIVE, which accepts plaintext traffic; set it to STRICT",
			Reason:  `spec.mtls.mode must not be "PERMISSIVE"`,
			File:    "m.yaml", Line: 6, Column: 5, Path: "spec.mtls.mode",
		}, {
			PolicyID: "MR401", Name: "non-strict-mtls", Severity: SeverityWarning,
			Message: "spec.portLevelMtls.8080.mode is DISABLE, which accepts plaintext traffic; set it to STRICT",
			Reason:  `spec.portLevelMtls.8080.mode must not be "DISABLE"`,
			File:    "m.yaml", Line: 9, Column: 7, Path: "spec.portLevelMtls.8080.mode",
		}},
	}, {
		name: "MR401 is silent on STRICT, UNSET, no mtls, and modes Istio would reject",
		manifest: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: a}
spec: {mtls: {mode: STRICT}, portLevelMtls: {"80": {mode: UNSET}, "81": {mode: 5}, "82": null}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: b}
spec: {selector: {matchLabels: {app: x}}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: c}
spec: {mtls: "PERMISSIVE"}
`,
	}, {
		name: "MR401 only for the security.istio.io group",
		manifest: `apiVersion: example.com/v1
kind: PeerAuthentication
spec: {mtls: {mode: PERMISSIVE}}
`,
	}, {
		name: "MR303 on the fault key of each route",
		manifest: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  http:
  - route: [{destination: {host: reviews}}]
  - fault:
      abort: {percentage: {value: 10}, httpStatus: 500}
    route: [{destination: {host: reviews}}]
  - {fault: {delay: {fixedDelay: 5s}}, route: [{destination: {host: reviews}}]}
`,
		want: []Violation{{
			PolicyID: "MR303", Name: "fault-injection", Severity: SeverityWarning,
			Message: "spec.http[1].fault injects delays or aborts into live requests; remove the fault block once the fault-injection test is over",
			Reason:  "spec.http[1].fault: a fault block is present",
			File:    "m.yaml", Line: 7, Column: 5, Path: "spec.http[1].fault",
		}, {
			PolicyID: "MR303", Name: "fault-injection", Severity: SeverityWarning,
			Message: "spec.http[2].fault injects delays or aborts into live requests; remove the fault block once the fault-injection test is over",
			Reason:  "spec.http[2].fault: a fault block is present",
			File:    "m.yaml", Line: 10, Column: 6, Path: "spec.http[2].fault",
		}},
	}, {
		name:     "a missing field points at the nearest existing parent: the route",
		policies: []File{timeout},
		manifest: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  http:
  - name: a
    timeout: 1s
  - name: b
    route: [{destination: {host: reviews}}]
`,
		want: []Violation{{
			PolicyID: "ACME001", Name: "p", Severity: SeverityWarning,
			Message: "m (spec.http[1].timeout is missing; want string)",
			Reason:  "spec.http[1].timeout is missing; want string",
			File:    "m.yaml", Line: 8, Column: 5, Path: "spec.http[1].timeout",
		}},
	}, {
		name:     "a missing parent points at the document",
		policies: []File{outlier},
		manifest: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
`,
		want: []Violation{{
			PolicyID: "ACME002", Name: "p", Severity: SeverityWarning,
			Message: "m (spec.trafficPolicy.outlierDetection is missing)",
			Reason:  "spec.trafficPolicy.outlierDetection is missing",
			File:    "m.yaml", Line: 1, Column: 1, Path: "spec.trafficPolicy.outlierDetection",
		}},
	}, {
		name:     "null is absent, and points at its key",
		policies: []File{outlier},
		manifest: `kind: DestinationRule
spec:
  host: reviews
  trafficPolicy:
`,
		want: []Violation{{
			PolicyID: "ACME002", Name: "p", Severity: SeverityWarning,
			Message: "m (spec.trafficPolicy.outlierDetection is missing)",
			Reason:  "spec.trafficPolicy.outlierDetection is missing",
			File:    "m.yaml", Line: 4, Column: 3, Path: "spec.trafficPolicy.outlierDetection",
		}},
	}, {
		name:     "a list where the policy expects a mapping is MR900's concern",
		policies: []File{outlier},
		manifest: `kind: DestinationRule
spec:
  trafficPolicy: [outlierDetection]
`,
	}, {
		name:     "namespaces narrow a policy",
		policies: []File{prodOnly},
		manifest: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a, namespace: prod}
spec: {hosts: [a.prod.svc.cluster.local, a]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a}
spec: {hosts: [a]}
`,
		want: []Violation{{
			PolicyID: "ACME003", Name: "prod-hosts", Severity: SeverityError,
			Message: "spec.hosts[1] is a: use a fully qualified host in prod",
			Reason:  `spec.hosts[1] is "a"; it must match "\\.svc\\.cluster\\.local$"`,
			File:    "m.yaml", Line: 4, Column: 42, Path: "spec.hosts[1]",
		}},
	}, {
		name:     "references between fields are evaluated on the whole manifest",
		policies: []File{unsafe},
		manifest: `kind: VirtualService
spec:
  http:
  - route: [{destination: {host: a}}]
    mirror: {host: b}
  - route: [{destination: {host: a}}]
    mirror: {host: a}
`,
		want: []Violation{{
			PolicyID: "ACME005", Name: "mirror-matches-route", Severity: SeverityInfo,
			Message: `the mirror must name the first destination's host (spec.http[0].mirror.host is "b"; want "a")`,
			Reason:  `spec.http[0].mirror.host is "b"; want "a"`,
			File:    "m.yaml", Line: 5, Column: 14, Path: "spec.http[0].mirror.host",
		}},
	}, {
		name:     "anchors and merge keys are followed; positions stay at the use",
		policies: []File{timeout},
		manifest: `kind: VirtualService
x-defaults: &defaults {timeout: 3s}
spec:
  http:
  - <<: *defaults
    name: merged
  - *defaults
  - name: plain
`,
		want: []Violation{{
			PolicyID: "ACME001", Name: "p", Severity: SeverityWarning,
			Message: "m (spec.http[2].timeout is missing; want string)",
			Reason:  "spec.http[2].timeout is missing; want string",
			File:    "m.yaml", Line: 8, Column: 5, Path: "spec.http[2].timeout",
		}},
	}, {
		name:     "documents that are not mappings, and other kinds, are skipped",
		policies: []File{timeout},
		manifest: "- just\n- a list\n---\nplain\n---\nkind: Service\nspec: {http: [{}]}\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := compileUser(t, tt.policies...)
			got := evalAll(t, e, "m.yaml", tt.manifest)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got\n%s\nwant\n%s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(vs []Violation) string {
	var sb strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&sb, "  %+v\n", v)
	}
	return sb.String()
}

// TestPlans checks which packages get plans: the fast path must not be
// taken where a manifest could change what a constraint means.
func TestPlans(t *testing.T) {
	tests := []struct {
		name, src string
		planned   bool
	}{
		{"literals and definitions", `#R: {timeout: string, ...}
policies: ACME001: constraint: spec: http?: [...#R]`, true},
		{"top-level and hidden helpers", `common: {timeout: string}
_h: =~"s$"
policies: ACME001: constraint: spec: http?: [...common & {retries?: perTryTimeout?: _h}]`, true},
		{"[string] patterns", `policies: ACME001: constraint: metadata: labels: [string]: string`, true},
		{"standard library", `import "strings"
policies: ACME001: constraint: metadata: name: strings.MinRunes(3)`, true},
		{"a sibling reference", `policies: ACME001: constraint: spec: {a: string, b: a}`, false},
		{"a reference inside a helper", `_r: {a: string, b: a}
policies: ACME001: constraint: spec: _r`, false},
		{"a regular-expression pattern", `policies: ACME001: constraint: metadata: labels: [=~"^x"]: string`, false},
		{"a comprehension", `policies: ACME001: constraint: spec: {if true {a: string}}`, false},
		{"a let clause", `policies: ACME001: constraint: spec: {let x = 1, a: x}`, false},
		{"an alias", `policies: ACME001: constraint: spec: X={a: string, b: X.a}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "package p\n" + tt.src + "\npolicies: ACME001: {name: \"p\", severity: \"info\", message: \"m\", kinds: [\"VirtualService\"]}\n"
			e := compileUser(t, File{Name: "pol/p.cue", Data: []byte(src)})
			for _, c := range e.policies {
				if c.ID == "ACME001" && (c.plan != nil) != tt.planned {
					t.Errorf("planned = %v, want %v", c.plan != nil, tt.planned)
				}
			}
		})
	}
}

// TestConcurrentEvaluate runs evaluations from several goroutines, so that
// `go test -race` checks the engine (and CUE beneath it) for data races,
// and checks that every goroutine gets the same answer.
func TestConcurrentEvaluate(t *testing.T) {
	e := compileUser(t,
		policyFile("ACME001", `["VirtualService"]`, `spec: http?: [...{timeout: =~"s$", retries?: attempts?: int & <=5}]`),
		File{Name: "pol/q.cue", Data: []byte("package p\npolicies: ACME002: {name: \"q\", severity: \"info\", message: \"m\", kinds: [\"VirtualService\"], constraint: spec: {hosts: [...string], http?: [...{name?: string}], x?: hosts}}\n")})
	src := `apiVersion: networking.istio.io/v1
kind: VirtualService
spec:
  hosts: [a]
  x: [b]
  http:
  - {timeout: 5, retries: {attempts: 9}, fault: {}}
  - {timeout: 5m, name: ok}
  - {timeout: "%d"}
`
	want := dump(evalAll(t, e, "m.yaml", fmt.Sprintf(src, 0)))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 20 {
				// Distinct values defeat the memo, so CUE itself runs concurrently.
				got := evalAll(t, e, "m.yaml", fmt.Sprintf(src, g*100+i))
				if len(got) != 5 {
					t.Errorf("got %d violations, want 5:\n%s", len(got), dump(got))
				}
			}
		})
	}
	wg.Wait()
	if got := dump(evalAll(t, e, "m.yaml", fmt.Sprintf(src, 0))); got != want {
		t.Errorf("results changed after concurrent use:\n%s\nwant\n%s", got, want)
	}
}
