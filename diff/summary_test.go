package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// vs writes a VirtualService as meshroll renders it: A/B routes, then the
// weighted route with stable and canary (canary left out when < 0).
func vs(ns, name, phase string, stable, canary int, abRoutes ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  annotations:\n    meshroll.dev/phase: %s\n    meshroll.dev/rollout: %s\n  name: %s\n  namespace: %s\nspec:\n  hosts: [%s]\n  http:\n", phase, name, name, ns, name)
	for _, r := range abRoutes {
		fmt.Fprintf(&b, "  - name: %s\n    match: [{headers: {x-%s: {exact: 'yes'}}}]\n    route: [{destination: {host: %s, subset: v2}, weight: 100}]\n", r, r, name)
	}
	fmt.Fprintf(&b, "  - name: weighted\n    route:\n    - destination: {host: %s, subset: v1}\n      weight: %d\n", name, stable)
	if canary >= 0 {
		fmt.Fprintf(&b, "    - destination: {host: %s, subset: v2}\n      weight: %d\n", name, canary)
	}
	return b.String()
}

func pa(ns, mode string) string {
	return fmt.Sprintf("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: %s}}\n", ns, mode)
}

func result(t *testing.T, old, new map[string]string) *Result {
	t.Helper()
	toFiles := func(m map[string]string) []File {
		var fs []File
		for _, p := range sortedKeys(m) {
			fs = append(fs, File{Path: p, Content: []byte(m[p])})
		}
		return fs
	}
	r, err := Files(toFiles(old), toFiles(new))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func headlines(r *Result) []string {
	var out []string
	for _, ro := range r.Rollouts {
		out = append(out, ro.Label()+": "+ro.Headline())
	}
	return out
}

func TestRolloutSummary(t *testing.T) {
	tests := []struct {
		name     string
		old, new map[string]string
		want     []string
	}{{
		name: "a phase advance is a pure weight change",
		old:  map[string]string{"bookinfo/reviews.yaml": vs("bookinfo", "reviews", "canary", 90, 10, "jason")},
		new:  map[string]string{"bookinfo/reviews.yaml": vs("bookinfo", "reviews", "expand", 75, 25, "jason")},
		want: []string{"bookinfo/reviews: canary → expand, stable 90% → 75%, canary 10% → 25%"},
	}, {
		name: "an A/B route added by name, weights unchanged",
		old:  map[string]string{"r.yaml": vs("bookinfo", "reviews", "canary", 90, 10, "jason")},
		new:  map[string]string{"r.yaml": vs("bookinfo", "reviews", "canary", 90, 10, "jason", "beta-users")},
		want: []string{"bookinfo/reviews: phase canary, stable 90%, canary 10%; A/B route beta-users added"},
	}, {
		name: "rollback drops the A/B routes and the canary",
		old:  map[string]string{"r.yaml": vs("bookinfo", "reviews", "half", 50, 50, "jason", "beta")},
		new:  map[string]string{"r.yaml": vs("bookinfo", "reviews", "rollback", 100, -1)},
		want: []string{"bookinfo/reviews: half → rollback, stable 50% → 100%, canary 50% → 0%; A/B routes jason, beta removed"},
	}, {
		name: "new and removed rollouts, and moving files is no change",
		old: map[string]string{
			"a/old.yaml":  vs("ns", "old", "promote", 0, 100),
			"a/same.yaml": vs("ns", "same", "canary", 90, 10),
		},
		new: map[string]string{
			"b/new.yaml":       vs("ns", "new", "start", 100, 0),
			"b/moved-to.yaml":  vs("ns", "same", "canary", 90, 10),
			"b/unrelated.yaml": "just: a values file\n",
		},
		want: []string{"ns/new: new rollout, phase start, stable 100%, canary 0%", "ns/old: removed (was phase promote, stable 0%, canary 100%)"},
	}, {
		name: "hand-written: the last route without a match splits the traffic, normalised",
		old: map[string]string{"fe.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: frontend, namespace: web}
spec:
  http:
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - route:
    - {destination: {host: fe, subset: blue}, weight: 1}
    - {destination: {host: fe, subset: green}, weight: 3}
`},
		new: map[string]string{"fe.yaml": `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: frontend, namespace: web}
spec:
  http:
  - match: [{uri: {prefix: /api}}]
    route: [{destination: {host: api}}]
  - route:
    - {destination: {host: fe, subset: blue}, weight: 2}
    - {destination: {host: fe, subset: green}, weight: 1}
`},
		want: []string{"web/frontend: stable 25% → 66.7%, canary 75% → 33.3%"},
	}, {
		name: "a timeout change is told as other fields",
		old:  map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10)},
		new:  map[string]string{"r.yaml": strings.Replace(vs("ns", "r", "canary", 90, 10), "  - name: weighted\n", "  - name: weighted\n    timeout: 3s\n", 1)},
		want: []string{"ns/r: phase canary, stable 90%, canary 10%; other fields changed"},
	}, {
		name: "a DestinationRule joins its rollout by annotation or by host",
		old: map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10) + "---\n" +
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r-hand, namespace: ns}\nspec: {host: r.ns.svc.cluster.local, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}\n"},
		new: map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10) + "---\n" +
			"apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r-hand, namespace: ns}\nspec: {host: r.ns.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}\n"},
		want: []string{"ns/r: phase canary, stable 90%, canary 10%; other fields changed"},
	}, {
		name: "mirror and fault changes are told once, not as route changes",
		old:  map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10, "a")},
		new: map[string]string{"r.yaml": strings.ReplaceAll(vs("ns", "r", "canary", 90, 10, "a"), "    route:", "    fault: {abort: {httpStatus: 503, percentage: {value: 5}}}\n"+
			"    mirror: {host: r, subset: v3}\n    route:")},
		want: []string{"ns/r: phase canary, stable 90%, canary 10%; mirror none → r/v3 100%; fault none → abort 5% 503"},
	}, {
		// As Istio applies them: a mirror at 0% mirrors nothing, a fault
		// without a percentage injects into no request (the API's default),
		// an exponential delay is dropped, durations read as written.
		name: "mirrors and faults as Istio applies them",
		old:  map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10, "a")},
		new: map[string]string{"r.yaml": strings.Replace(strings.Replace(vs("ns", "r", "canary", 90, 10, "a"),
			"  - name: a\n", "  - name: a\n    mirror: {host: r, subset: v3}\n    mirrorPercentage: {value: 0}\n    fault: {delay: {fixedDelay: 1m}, abort: {grpcStatus: UNAVAILABLE}}\n", 1),
			"  - name: weighted\n", "  - name: weighted\n    fault: {delay: {exponentialDelay: 1s, percentage: {value: 5}}}\n", 1)},
		want: []string{"ns/r: phase canary, stable 90%, canary 10%; A/B route a changed; fault none → delay 0% 1m, abort 0% UNAVAILABLE"},
	}, {
		name: "the mTLS mode of the rollout's namespace",
		old:  map[string]string{"r.yaml": vs("ns", "r", "canary", 90, 10), "pa.yaml": pa("ns", "STRICT")},
		new:  map[string]string{"r.yaml": vs("ns", "r", "expand", 75, 25), "pa.yaml": pa("ns", "PERMISSIVE")},
		want: []string{"ns/r: canary → expand, stable 90% → 75%, canary 10% → 25%; mTLS STRICT → PERMISSIVE"},
	}, {
		name: "rollouts of the same name in phase directories stay apart",
		old: map[string]string{
			"canary/ns/r.yaml": vs("ns", "r", "canary", 90, 10),
			"expand/ns/r.yaml": vs("ns", "r", "expand", 75, 25),
		},
		new: map[string]string{
			"canary/ns/r.yaml": vs("ns", "r", "canary", 80, 20),
			"expand/ns/r.yaml": vs("ns", "r", "expand", 75, 25),
		},
		want: []string{"ns/r (canary/ns/r.yaml): phase canary, stable 90% → 80%, canary 10% → 20%"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := headlines(result(t, tt.old, tt.new))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestMTLSChanges(t *testing.T) {
	r := result(t,
		map[string]string{"a.yaml": pa("a", "STRICT") + "---\n" + pa("b", "STRICT") + "---\n" +
			"apiVersion: networking.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: db, namespace: a}\nspec: {selector: {matchLabels: {app: db}}, mtls: {mode: DISABLE}}\n"},
		map[string]string{"a.yaml": pa("a", "STRICT") + "---\n" + pa("c", "STRICT") + "---\n" +
			"apiVersion: networking.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: db, namespace: a}\nspec: {selector: {matchLabels: {app: db}}, mtls: {mode: PERMISSIVE}}\n"})
	want := []MTLSChange{{"b", "STRICT", ""}, {"c", "", "STRICT"}}
	if !slices.Equal(r.MTLS, want) {
		t.Errorf("got %v, want %v (a workload's policy is not the namespace's)", r.MTLS, want)
	}
}

func TestShares(t *testing.T) {
	tests := []struct {
		route          string
		stable, canary string
	}{
		{"[{destination: {host: a}, weight: 90}, {destination: {host: b}, weight: 10}]", "90%", "10%"},
		{"[{destination: {host: a}}]", "100%", "0%"},
		{"[{destination: {host: a}, weight: 0}]", "100%", "0%"},
		{"[{destination: {host: a}, weight: 2}, {destination: {host: b}, weight: 1}, {destination: {host: c}, weight: 1}]", "50%", "50%"},
		{"[{destination: {host: a}}, {destination: {host: b}}]", "0%", "0%"},
		{"[{destination: {host: a}, weight: -5}, {destination: {host: b}, weight: 5}]", "0%", "100%"},
		{"[{destination: {host: a}, weight: 1}, {destination: {host: b}, weight: 2}]", "33.3%", "66.7%"},
		// Numbers as Kubernetes reads them: 50.0 is the integer 50.
		{"[{destination: {host: a}, weight: 50.0}, {destination: {host: b}, weight: '50'}]", "50%", "50%"},
		// Weights Istio's schema refuses (a weight is an integer) are left
		// out, as every command reads them (MR900 reports the object): the
		// route reads as one without weights.
		{"[{destination: {host: a}, weight: 10.5}, {destination: {host: b}, weight: 89.5}]", "0%", "0%"},
		{"[]", "—", "—"},
	}
	for _, tt := range tests {
		for _, list := range []string{"http", "tcp", "tls"} {
			docs, err := parseFile(File{Path: "x", Content: []byte("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\nspec: {" + list + ": [{route: " + tt.route + "}]}")})
			if err != nil {
				t.Fatal(err)
			}
			info := readVS(docs[0])
			info.evaluate()
			if Percent(info.stable) != tt.stable || Percent(info.canary) != tt.canary {
				t.Errorf("%s route %s: stable %s, canary %s; want %s, %s", list, tt.route, Percent(info.stable), Percent(info.canary), tt.stable, tt.canary)
			}
		}
	}
}

func TestShortHost(t *testing.T) {
	tests := []struct{ host, ns, want string }{
		{"reviews", "bookinfo", "reviews"},
		{"reviews.bookinfo", "bookinfo", "reviews"},
		{"reviews.bookinfo.svc", "bookinfo", "reviews"},
		{"reviews.bookinfo.svc.cluster.local", "bookinfo", "reviews"},
		{"reviews.other.svc.cluster.local", "bookinfo", "reviews.other"},
		{"app.example.com", "shop", "app.example.com"},
	}
	for _, tt := range tests {
		if got := shortHost(tt.host, tt.ns); got != tt.want {
			t.Errorf("shortHost(%q, %q) = %q, want %q", tt.host, tt.ns, got, tt.want)
		}
	}
}

func TestRolloutWithoutNamespace(t *testing.T) {
	vsNoNS := func(w int) string {
		return fmt.Sprintf("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: fe}\nspec: {http: [{route: [{destination: {host: fe, subset: a}, weight: %d}, {destination: {host: fe, subset: b}, weight: %d}]}]}\n", w, 100-w)
	}
	dr := func(lb string) string {
		return "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: fe, annotations: {meshroll.dev/rollout: fe}}\nspec: {host: fe, trafficPolicy: {loadBalancer: {simple: " + lb + "}}}\n"
	}
	r := result(t, map[string]string{"a.yaml": vsNoNS(80) + dr("ROUND_ROBIN")}, map[string]string{"a.yaml": vsNoNS(60) + dr("LEAST_REQUEST")})
	got := headlines(r)
	if !slices.Equal(got, []string{"fe: stable 80% → 60%, canary 20% → 40%; other fields changed"}) || len(r.Rollouts[0].Resources) != 2 {
		t.Errorf("got %v with %d resources", got, len(r.Rollouts[0].Resources))
	}
}
