package route

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/internal/cookie"
)

// The seeds' user-based routing example (000_d3d0101a17879f57.txt).
const seedJason = `
hosts: [reviews]
http:
- match:
  - headers:
      end-user:
        exact: jason
  route:
  - destination: {host: reviews, subset: v2}
- route:
  - destination: {host: reviews, subset: v1}
`

// The seeds' header, source and cookie patterns (004_1d759c1865e1ac81.txt),
// one route each, before a weighted default route.
const seedPatterns = `
hosts: [reviews]
http:
- name: beta-users
  match:
  - headers:
      x-user-type:
        exact: beta
  route:
  - destination: {host: reviews, subset: v2}
- name: internal-testing
  match:
  - headers:
      x-internal:
        exact: "true"
  route:
  - destination: {host: reviews, subset: canary}
- name: productpage-v2
  match:
  - sourceLabels:
      app: productpage
      version: v2
  route:
  - destination: {host: reviews, subset: v2}
- name: beta-cookie
  match:
  - headers:
      cookie:
        regex: "^(.*?;)?(user=beta)(;.*)?$"
  route:
  - destination: {host: reviews, subset: v2}
- name: default
  route:
  - destination: {host: reviews, subset: v1}
    weight: 90
  - destination: {host: reviews, subset: v2}
    weight: 10
`

// outcome is the part of a Result that the table tests compare.
type outcome struct {
	index, match int
	dests        string // "host/subset=weight ..." in route order
	why          []string
}

func summarize(r Result) outcome {
	o := outcome{index: r.Index, match: r.Match}
	var parts []string
	for _, d := range r.Destinations {
		parts = append(parts, d.Host+"/"+d.Subset+"="+strconv.FormatFloat(d.Weight, 'g', -1, 64))
	}
	o.dests = strings.Join(parts, " ")
	for _, m := range r.Trace {
		o.why = append(o.why, m.Why)
	}
	return o
}

func TestEvaluateSeeds(t *testing.T) {
	jason := parseSpec(t, seedJason)
	patterns := parseSpec(t, seedPatterns)
	tests := []struct {
		name string
		vs   string
		req  Request
		want outcome
	}{
		{"jason goes to v2", "jason", Request{Headers: map[string]string{"end-user": "jason"}},
			outcome{0, 0, "reviews/v2=100", nil}},
		{"header names are case-insensitive", "jason", Request{Headers: map[string]string{"End-User": "jason"}},
			outcome{0, 0, "reviews/v2=100", nil}},
		{"values are case-sensitive", "jason", Request{Headers: map[string]string{"end-user": "Jason"}},
			outcome{1, -1, "reviews/v1=100", []string{`header end-user: want exact "jason", got "Jason"`}}},
		{"bob falls through to v1", "jason", Request{Headers: map[string]string{"end-user": "bob"}},
			outcome{1, -1, "reviews/v1=100", []string{`header end-user: want exact "jason", got "bob"`}}},
		{"no header falls through", "jason", Request{},
			outcome{1, -1, "reviews/v1=100", []string{"no header end-user"}}},

		{"beta users", "patterns", Request{Headers: map[string]string{"x-user-type": "beta"}},
			outcome{0, 0, "reviews/v2=100", nil}},
		{"internal testing", "patterns", Request{Headers: map[string]string{"x-internal": "true"}},
			outcome{1, 0, "reviews/canary=100", []string{"no header x-user-type"}}},
		{"x-internal True is not true", "patterns",
			Request{Headers: map[string]string{"x-internal": "True"}, SourceLabels: map[string]string{"app": "productpage"}},
			outcome{4, -1, "reviews/v1=90 reviews/v2=10", []string{
				"no header x-user-type",
				`header x-internal: want exact "true", got "True"`,
				`no source label version (want "v2")`,
				"no header cookie",
			}}},
		{"all source labels match, extra labels do not matter", "patterns",
			Request{SourceLabels: map[string]string{"app": "productpage", "version": "v2", "pod-template-hash": "x"}},
			outcome{2, 0, "reviews/v2=100", []string{"no header x-user-type", "no header x-internal"}}},
		{"source labels with a different value", "patterns",
			Request{SourceLabels: map[string]string{"app": "productpage", "version": "v1"}},
			outcome{4, -1, "reviews/v1=90 reviews/v2=10", []string{
				"no header x-user-type", "no header x-internal",
				`source label version: want "v2", got "v1"`, "no header cookie",
			}}},
		{"seed cookie regex, cookie first", "patterns",
			Request{Cookies: []cookie.Cookie{{Name: "user", Value: "beta"}, {Name: "theme", Value: "dark"}}},
			outcome{3, 0, "reviews/v2=100", []string{"no header x-user-type", "no header x-internal", `no source label app (want "productpage")`}}},
		{"seed cookie regex misses the cookie after \"; \"", "patterns",
			Request{Cookies: []cookie.Cookie{{Name: "theme", Value: "dark"}, {Name: "user", Value: "beta"}}},
			outcome{4, -1, "reviews/v1=90 reviews/v2=10", []string{
				"no header x-user-type", "no header x-internal", `no source label app (want "productpage")`,
				`header cookie: want regex "^(.*?;)?(user=beta)(;.*)?$", got "theme=dark; user=beta"`,
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := jason
			if tt.vs == "patterns" {
				vs = patterns
			}
			got := summarize(Evaluate(vs, "bookinfo", tt.req))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEvaluateConditions(t *testing.T) {
	tests := []struct {
		name  string
		match string // YAML of one match block; the route sends to host "hit"
		req   Request
		miss  string // "" when the block must match, else the reason
	}{
		{"uri prefix", `uri: {prefix: /api}`, Request{URI: "/api/v1"}, ""},
		{"uri prefix sees the query", `uri: {prefix: "/a?x"}`, Request{URI: "/a?x=1"}, ""},
		{"uri prefix miss", `uri: {prefix: /api}`, Request{URI: "/web"}, `uri: want prefix "/api", got "/web"`},
		{"uri exact ignores the query", `uri: {exact: /login}`, Request{URI: "/login?next=/"}, ""},
		{"a fragment is not sent", `uri: {exact: /doc}`, Request{URI: "/doc#intro"}, ""},
		{"uri exact is exact", `uri: {exact: /login}`, Request{URI: "/login/"}, `uri: want exact "/login", got "/login/"`},
		{"empty uri is /", `uri: {exact: /}`, Request{}, ""},
		{"uri regex must match the whole path", `uri: {regex: "/api"}`, Request{URI: "/api/v1"}, `uri: want regex "/api", got "/api/v1"`},
		{"uri regex full match", `uri: {regex: "/api/v[0-9]+"}`, Request{URI: "/api/v12?x=1"}, ""},
		{"ignoreUriCase exact", "uri: {exact: /Login}\nignoreUriCase: true", Request{URI: "/LOGIN"}, ""},
		{"ignoreUriCase prefix", "uri: {prefix: /API}\nignoreUriCase: true", Request{URI: "/api/x"}, ""},
		{"ignoreUriCase does not apply to regex", "uri: {regex: /API}\nignoreUriCase: true", Request{URI: "/api"}, `uri: want regex "/API", got "/api"`},
		{"case-sensitive by default", `uri: {prefix: /API}`, Request{URI: "/api"}, `uri: want prefix "/API", got "/api"`},
		{"method defaults to GET", `method: {exact: GET}`, Request{}, ""},
		{"method miss", `method: {exact: GET}`, Request{Method: "POST"}, `method: want exact "GET", got "POST"`},
		{"scheme defaults to http", `scheme: {exact: https}`, Request{}, `scheme: want exact "https", got "http"`},
		{"authority defaults to the first host", `authority: {exact: reviews}`, Request{}, ""},
		{"authority from the host header", `authority: {prefix: "api."}`, Request{Headers: map[string]string{"Host": "api.example.com"}}, ""},
		{"header presence with {}", `headers: {x-debug: {}}`, Request{Headers: map[string]string{"x-debug": ""}}, ""},
		{"header presence miss", `headers: {x-debug: {}}`, Request{}, "no header x-debug"},
		{"header regex * is presence", `headers: {x-debug: {regex: "*"}}`, Request{Headers: map[string]string{"x-debug": "1"}}, ""},
		{"header exact empty needs an empty value", `headers: {x-debug: {exact: ""}}`, Request{Headers: map[string]string{"x-debug": "1"}}, `header x-debug: want exact "", got "1"`},
		{"header prefix", `headers: {x-env: {prefix: prod}}`, Request{Headers: map[string]string{"x-env": "production"}}, ""},
		{"header regex full match", `headers: {x-env: {regex: "prod"}}`, Request{Headers: map[string]string{"x-env": "production"}}, `header x-env: want regex "prod", got "production"`},
		{"upper-case header name in the manifest", `headers: {X-Env: {exact: prod}}`, Request{Headers: map[string]string{"x-env": "prod"}}, ""},
		{"all headers must hold", `headers: {a: {exact: "1"}, b: {exact: "2"}}`, Request{Headers: map[string]string{"a": "1"}}, "no header b"},
		{"invalid regex matches nothing", `headers: {a: {regex: "(?=x)"}}`, Request{Headers: map[string]string{"a": "x"}}, `header a: want regex "(?=x)" (invalid RE2, matches nothing), got "x"`},
		{"withoutHeaders presence: absent passes", `withoutHeaders: {x-debug: {}}`, Request{}, ""},
		{"withoutHeaders presence: present fails", `withoutHeaders: {x-debug: {}}`, Request{Headers: map[string]string{"x-debug": "0"}}, "without header x-debug: header is present"},
		{"withoutHeaders value: other value passes", `withoutHeaders: {x-env: {exact: prod}}`, Request{Headers: map[string]string{"x-env": "dev"}}, ""},
		{"withoutHeaders value: missing passes", `withoutHeaders: {x-env: {exact: prod}}`, Request{}, ""},
		{"withoutHeaders value: match fails", `withoutHeaders: {x-env: {exact: prod}}`, Request{Headers: map[string]string{"x-env": "prod"}}, `without header x-env: "prod" matches exact "prod"`},
		{"withoutHeaders exact empty: missing counts as empty", `withoutHeaders: {x-env: {exact: ""}}`, Request{}, `without header x-env: missing header counts as "", which matches exact ""`},
		{"query param from the URI", `queryParams: {debug: {exact: "1"}}`, Request{URI: "/?a=b&debug=1"}, ""},
		{"query param without value", `queryParams: {debug: {exact: ""}}`, Request{URI: "/?debug"}, ""},
		{"query param explicit wins", `queryParams: {debug: {exact: "1"}}`, Request{URI: "/?debug=0", QueryParams: map[string]string{"debug": "1"}}, ""},
		{"query param missing", `queryParams: {debug: {exact: "1"}}`, Request{URI: "/?x=1"}, "no query param debug"},
		{"query param first occurrence", `queryParams: {v: {regex: "[0-9]+"}}`, Request{URI: "/?v=1&v=x"}, ""},
		{"query param regex full match", `queryParams: {v: {regex: "[0-9]"}}`, Request{URI: "/?v=12"}, `query param v: want regex "[0-9]", got "12"`},
		{"port match", `port: 9080`, Request{Port: 9080}, ""},
		{"port miss", `port: 9080`, Request{Port: 80}, "port: want 9080, got 80"},
		{"port unknown", `port: 9080`, Request{}, "port: want 9080, request has no port"},
		{"source namespace", `sourceNamespace: frontend`, Request{SourceNamespace: "frontend"}, ""},
		{"source namespace miss", `sourceNamespace: frontend`, Request{SourceNamespace: "batch"}, `source namespace: want "frontend", got "batch"`},
		{"source labels: all must be present", `sourceLabels: {app: productpage, version: v2}`, Request{SourceLabels: map[string]string{"version": "v2"}}, `no source label app (want "productpage")`},
		{"match gateways replace source labels", "gateways: [mesh]\nsourceLabels: {app: productpage}", Request{}, ""},
		{"match gateways", `gateways: [istio-system/ingress]`, Request{}, `gateway: want one of [istio-system/ingress], got "mesh"`},
		{"cookie header from Cookies", `headers: {cookie: {exact: "a=1; b=2"}}`, Request{Cookies: []cookie.Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}}, ""},
		// Envoy sees one cookie header: Cookies follow the header's cookies.
		{"cookie header and Cookies make one header", `headers: {cookie: {exact: "c=3; a=1"}}`, Request{Headers: map[string]string{"Cookie": "c=3"}, Cookies: []cookie.Cookie{{Name: "a", Value: "1"}}}, ""},
		{"cookie header alone no longer matches once Cookies join it", `headers: {cookie: {exact: "c=3"}}`, Request{Headers: map[string]string{"cookie": "c=3"}, Cookies: []cookie.Cookie{{Name: "a", Value: "1"}}}, `header cookie: want exact "c=3", got "c=3; a=1"`},
		{"all conditions hold", "uri: {prefix: /api}\nmethod: {exact: POST}\nheaders: {end-user: {exact: jason}}\nqueryParams: {v: {exact: \"2\"}}",
			Request{URI: "/api/x?v=2", Method: "POST", Headers: map[string]string{"end-user": "jason"}}, ""},
		{"one condition fails", "uri: {prefix: /api}\nmethod: {exact: POST}\nheaders: {end-user: {exact: jason}}",
			Request{URI: "/api/x", Method: "POST", Headers: map[string]string{"end-user": "bob"}}, `header end-user: want exact "jason", got "bob"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block := "  - " + strings.ReplaceAll(tt.match, "\n", "\n    ")
			vs := parseSpec(t, "hosts: [reviews]\nhttp:\n- match:\n"+block+"\n  route:\n  - destination: {host: hit}\n")
			got := Evaluate(vs, "bookinfo", tt.req)
			if tt.miss == "" {
				if !got.Matched || got.Index != 0 || got.Match != 0 || got.Path != "spec.http[0].match[0]" {
					t.Fatalf("want a match on spec.http[0].match[0], got %+v", got)
				}
				return
			}
			if got.Matched {
				t.Fatalf("want no match (%s), got %+v", tt.miss, got)
			}
			if len(got.Trace) != 1 || got.Trace[0].Why != tt.miss {
				t.Fatalf("trace %+v, want one miss %q", got.Trace, tt.miss)
			}
			if got.Reason != "no http route matches: the proxy answers 404" {
				t.Errorf("reason %q", got.Reason)
			}
		})
	}
}

func TestEvaluateOrder(t *testing.T) {
	vs := parseSpec(t, `
hosts: [reviews]
http:
- name: two-blocks
  match:
  - headers: {end-user: {exact: jason}}
  - uri: {prefix: /beta}
  route:
  - destination: {host: reviews, subset: v2}
- name: catch-all
  route:
  - destination: {host: reviews, subset: v1}
- name: never
  route:
  - destination: {host: reviews, subset: v3}
`)
	r := Compile(vs, "")
	// The second block of a route matches on its own: blocks are ORed.
	got := r.Evaluate(Request{URI: "/beta/x"})
	if got.Index != 0 || got.Match != 1 || got.Name != "two-blocks" || got.Path != "spec.http[0].match[1]" {
		t.Errorf("second block: got %+v", got)
	}
	// The first route that matches wins, even when a later one would too.
	got = r.Evaluate(Request{URI: "/"})
	if got.Index != 1 || got.Match != -1 || got.Path != "spec.http[1]" || got.Destinations[0].Subset != "v1" {
		t.Errorf("catch-all: got %+v", got)
	}
	want := []Miss{{Index: 0, Name: "two-blocks",
		Why:    `match[0]: no header end-user; match[1]: uri: want prefix "/beta", got "/"`,
		Blocks: []string{"no header end-user", `uri: want prefix "/beta", got "/"`}}}
	if !reflect.DeepEqual(got.Trace, want) {
		t.Errorf("trace\n got %+v\nwant %+v", got.Trace, want)
	}
}

func TestEvaluateGateways(t *testing.T) {
	vs := parseSpec(t, `
hosts: [bookinfo.example.com, reviews]
gateways: [bookinfo-gateway, mesh]
http:
- name: mesh-only
  match:
  - gateways: [mesh]
  route:
  - destination: {host: reviews, subset: v2}
- name: legacy-gateway-name
  match:
  - gateways: [other.istio-system.svc.cluster.local]
  route:
  - destination: {host: reviews, subset: v3}
- route:
  - destination: {host: reviews, subset: v1}
`)
	r := Compile(vs, "bookinfo")
	tests := []struct {
		gateway string
		index   int
	}{
		{"", 0},
		{"mesh", 0},
		{"bookinfo-gateway", 2},          // resolved in the VirtualService's namespace
		{"bookinfo/bookinfo-gateway", 2}, // already qualified
		{"bookinfo-gateway.bookinfo.svc.cluster.local", 2},
	}
	for _, tt := range tests {
		got := r.Evaluate(Request{Gateway: tt.gateway})
		if got.Index != tt.index {
			t.Errorf("gateway %q: route %d, want %d (%+v)", tt.gateway, got.Index, tt.index, got)
		}
	}
	got := r.Evaluate(Request{Gateway: "istio-system/ingressgateway"})
	if got.Matched || got.Reason != `the VirtualService does not apply to gateway "istio-system/ingressgateway": it is bound to [bookinfo/bookinfo-gateway, mesh]` {
		t.Errorf("unbound gateway: got %+v", got)
	}
	// A VirtualService without gateways applies to sidecars only.
	sidecarOnly := Compile(parseSpec(t, seedJason), "bookinfo")
	if got := sidecarOnly.Evaluate(Request{Gateway: "bookinfo-gateway"}); got.Matched {
		t.Errorf("a mesh-only VirtualService matched a gateway request: %+v", got)
	}
}

func TestEvaluateWeights(t *testing.T) {
	tests := []struct {
		name     string
		route    string
		want     []float64
		warnings int
	}{
		{"seed canary", "- destination: {host: app-primary}\n  weight: 90\n- destination: {host: app-canary}\n  weight: 10", []float64{90, 10}, 0},
		{"lone destination without weight", "- destination: {host: reviews}", []float64{100}, 0},
		{"lone destination with a weight", "- destination: {host: reviews}\n  weight: 30", []float64{100}, 0},
		{"start phase keeps the zero", "- destination: {host: a}\n  weight: 100\n- destination: {host: b}\n  weight: 0", []float64{100, 0}, 0},
		{"normalised to the sum", "- destination: {host: a}\n  weight: 1\n- destination: {host: b}\n  weight: 3", []float64{25, 75}, 0},
		{"unweighted among weighted gets nothing", "- destination: {host: a}\n  weight: 50\n- destination: {host: b}\n- destination: {host: c}\n  weight: 50", []float64{50, 0, 50}, 0},
		{"all zero", "- destination: {host: a}\n- destination: {host: b}", []float64{0, 0}, 1},
		{"negative", "- destination: {host: a}\n  weight: -15\n- destination: {host: b}\n  weight: 100", []float64{0, 100}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := parseSpec(t, "hosts: [reviews]\nhttp:\n- route:\n  "+strings.ReplaceAll(tt.route, "\n", "\n  ")+"\n")
			got := Evaluate(vs, "", Request{})
			var weights []float64
			for _, d := range got.Destinations {
				weights = append(weights, d.Weight)
			}
			if !reflect.DeepEqual(weights, tt.want) {
				t.Errorf("weights %v, want %v", weights, tt.want)
			}
			if len(got.Warnings) != tt.warnings {
				t.Errorf("warnings %q, want %d", got.Warnings, tt.warnings)
			}
		})
	}
	// Thirds do not sum to exactly 100 in any fixed-point form; as floats
	// they are within rounding of it.
	vs := parseSpec(t, "hosts: [r]\nhttp:\n- route:\n  - destination: {host: a}\n    weight: 1\n  - destination: {host: b}\n    weight: 1\n  - destination: {host: c}\n    weight: 1\n")
	var sum float64
	for _, d := range Evaluate(vs, "", Request{}).Destinations {
		sum += d.Weight
	}
	if sum < 99.999999 || sum > 100.000001 {
		t.Errorf("thirds sum to %v", sum)
	}
}

func TestEvaluatePolicies(t *testing.T) {
	vs := parseSpec(t, `
hosts: [reviews]
http:
- name: mirrored
  match: [{headers: {x-case: {exact: mirror}}}]
  route:
  - destination: {host: reviews, subset: v1}
  mirror: {host: reviews, subset: v2}
  mirrorPercentage: {value: 100.0}
- name: mirrored-default
  match: [{headers: {x-case: {exact: mirror-default}}}]
  route:
  - destination: {host: reviews, subset: v1}
  mirror: {host: reviews, subset: v2}
  mirrors:
  - destination: {host: shadow, port: {number: 8080}}
    percentage: {value: 5}
  - destination: {host: muted}
    percentage: {value: 0}
- name: mirror-off
  match: [{headers: {x-case: {exact: mirror-off}}}]
  route:
  - destination: {host: reviews, subset: v1}
  mirror: {host: reviews, subset: v2}
  mirrorPercentage: {value: 0}
- name: delay
  match: [{headers: {x-case: {exact: delay}}}]
  fault:
    delay:
      percentage: {value: 10}
      fixedDelay: 5s
  route:
  - destination: {host: reviews}
- name: abort
  match: [{headers: {x-case: {exact: abort}}}]
  fault:
    abort:
      percentage: {value: 10}
      httpStatus: 500
  route:
  - destination: {host: reviews}
- name: abort-no-percentage
  match: [{headers: {x-case: {exact: abort-none}}}]
  fault:
    abort: {grpcStatus: UNAVAILABLE}
  route:
  - destination: {host: reviews}
- name: timeout-retry
  match: [{headers: {x-case: {exact: retry}}}]
  timeout: 10s
  retries:
    attempts: 3
    perTryTimeout: 3s
    retryOn: 5xx,reset
  route:
  - destination: {host: reviews}
- name: no-retries
  match: [{headers: {x-case: {exact: no-retries}}}]
  retries: {attempts: 0}
  route:
  - destination: {host: reviews}
- name: redirect
  match: [{headers: {x-case: {exact: redirect}}}]
  redirect: {uri: /v2, authority: new.example.com}
- name: direct
  match: [{headers: {x-case: {exact: direct}}}]
  directResponse: {status: 503, body: {string: "maintenance"}}
- name: delegated
  match: [{headers: {x-case: {exact: delegate}}}]
  delegate: {name: reviews-routes}
- name: default
  route:
  - destination: {host: reviews, subset: v1}
`)
	r := Compile(vs, "bookinfo")
	eval := func(c string) Result { return r.Evaluate(Request{Headers: map[string]string{"x-case": c}}) }

	if got := eval("mirror"); !reflect.DeepEqual(got.Mirror, &Mirror{Host: "reviews", Subset: "v2", Percent: 100}) || got.Mirrors != nil {
		t.Errorf("mirror: %+v %+v", got.Mirror, got.Mirrors)
	}
	got := eval("mirror-default")
	if !reflect.DeepEqual(got.Mirror, &Mirror{Host: "reviews", Subset: "v2", Percent: 100}) ||
		!reflect.DeepEqual(got.Mirrors, []Mirror{{Host: "shadow", Port: 8080, Percent: 5}}) {
		t.Errorf("mirror without percentage: %+v %+v", got.Mirror, got.Mirrors)
	}
	if got := eval("mirror-off"); got.Mirror != nil {
		t.Errorf("mirrorPercentage 0 still mirrors: %+v", got.Mirror)
	}
	if got := eval("delay"); !reflect.DeepEqual(got.Fault, &Fault{Delay: &Delay{Percent: 10, FixedDelay: 5 * time.Second}}) {
		t.Errorf("delay: %+v", got.Fault)
	}
	if got := eval("abort"); !reflect.DeepEqual(got.Fault, &Fault{Abort: &Abort{Percent: 10, HTTPStatus: 500}}) {
		t.Errorf("abort: %+v", got.Fault)
	}
	if got := eval("abort-none"); !reflect.DeepEqual(got.Fault, &Fault{Abort: &Abort{Percent: 0, GRPCStatus: "UNAVAILABLE"}}) {
		t.Errorf("abort without percentage: %+v", got.Fault)
	}
	got = eval("retry")
	if got.Timeout != 10*time.Second || !reflect.DeepEqual(got.Retries, &Retries{Attempts: 3, PerTryTimeout: 3 * time.Second, RetryOn: "5xx,reset"}) {
		t.Errorf("timeout and retries: %v %+v", got.Timeout, got.Retries)
	}
	if got := eval("no-retries"); !reflect.DeepEqual(got.Retries, &Retries{}) {
		t.Errorf("attempts 0: %+v", got.Retries)
	}
	got = eval("default")
	if got.Timeout != 0 || !reflect.DeepEqual(got.Retries, &Retries{Attempts: 2, RetryOn: defaultRetryOn, Default: true}) || got.Fault != nil || got.Mirror != nil {
		t.Errorf("defaults: %+v", got)
	}
	got = eval("redirect")
	if got.Action != ActionRedirect || !reflect.DeepEqual(got.Redirect, &Redirect{URI: "/v2", Authority: "new.example.com", Code: 301}) || got.Destinations != nil || got.Retries != nil {
		t.Errorf("redirect: %+v", got)
	}
	got = eval("direct")
	if got.Action != ActionDirectResponse || !reflect.DeepEqual(got.DirectResponse, &DirectResponse{Status: 503, Body: "maintenance"}) {
		t.Errorf("direct response: %+v", got)
	}
	got = eval("delegate")
	if got.Action != ActionDelegate || !reflect.DeepEqual(got.Delegate, &Delegate{Name: "reviews-routes", Namespace: "bookinfo"}) || got.Destinations != nil {
		t.Errorf("delegate: %+v", got)
	}
	if got.Index != 10 || len(got.Trace) != 10 {
		t.Errorf("delegate route %d with %d misses", got.Index, len(got.Trace))
	}
}

func TestEvaluateDoesNotMutateRequest(t *testing.T) {
	h := map[string]string{"End-User": "jason"}
	Evaluate(parseSpec(t, seedJason), "", Request{Headers: h, Cookies: []cookie.Cookie{{Name: "a", Value: "1"}}})
	if len(h) != 1 || h["End-User"] != "jason" {
		t.Errorf("headers changed: %v", h)
	}
}

func TestEvaluateNil(t *testing.T) {
	got := Evaluate(nil, "", Request{})
	if got.Matched || got.Reason != "the VirtualService has no http routes" {
		t.Errorf("nil VirtualService: %+v", got)
	}
}

// TestRouterReuse checks that a Router's cached outcomes carry nothing of
// one request into the next, also when used from several goroutines.
func TestRouterReuse(t *testing.T) {
	r := Compile(parseSpec(t, `
hosts: [reviews]
http:
- match: [{headers: {end-user: {exact: jason}}}, {uri: {prefix: /beta}}]
  route: [{destination: {host: reviews, subset: v2}}]
- route: [{destination: {host: reviews, subset: v1}}]
`), "")
	want := []struct {
		req  Request
		path string
	}{
		{Request{URI: "/beta"}, "spec.http[0].match[1]"},
		{Request{Headers: map[string]string{"end-user": "jason"}}, "spec.http[0].match[0]"},
		{Request{}, "spec.http[1]"},
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				w := want[(i+g)%len(want)]
				got := r.Evaluate(w.req)
				if got.Path != w.path || (w.path == "spec.http[1]") != (len(got.Trace) == 1) {
					done <- fmt.Errorf("request %+v: path %s, trace %v", w.req, got.Path, got.Trace)
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
