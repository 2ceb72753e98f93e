package traffic

import (
	"bytes"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	apinet "istio.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/internal/gen"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
)

func examples(t testing.TB) *schema.Intent {
	t.Helper()
	in, err := schema.Load([]string{"../fixtures/intents"})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func find(t testing.TB, in *schema.Intent, name string) *schema.Rollout {
	t.Helper()
	r, err := in.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSimulateSeedPatterns(t *testing.T) {
	in := examples(t)
	reviews := find(t, in, "reviews")
	s := NewSimulator()
	for _, tc := range []struct {
		phase, want, route string
		req                route.Request
	}{
		{"canary", "canary 100%", "jason", route.Request{Headers: map[string]string{"end-user": "jason"}}},
		{"canary", "stable 90% / canary 10%", "weighted", route.Request{Headers: map[string]string{"end-user": "bob"}}},
		{"canary", "canary 100%", "beta-users", route.Request{Headers: map[string]string{"x-user-type": "beta"}}},
		{"canary", "internal-testing 100%", "internal", route.Request{Headers: map[string]string{"x-internal": "true"}}},
		{"canary", "canary 100%", "beta-cookie", route.Request{Cookies: []cookie.Cookie{{Name: "theme", Value: "dark"}, {Name: "user", Value: "beta"}}}},
		{"canary", "canary 100%", "beta-cookie", route.Request{Cookies: []cookie.Cookie{{Name: "user", Value: "beta"}, {Name: "theme", Value: "dark"}}}},
		{"canary", "stable 90% / canary 10%", "weighted", route.Request{Cookies: []cookie.Cookie{{Name: "user", Value: "betamax"}}}},
		{"canary", "canary 100%", "productpage-v2", route.Request{SourceLabels: map[string]string{"app": "productpage", "version": "v2", "pod": "x"}}},
		{"canary", "stable 90% / canary 10%", "weighted", route.Request{SourceLabels: map[string]string{"app": "productpage"}}},
		{"start", "canary 100%", "jason", route.Request{Headers: map[string]string{"end-user": "jason"}}},
		{"start", "stable 100%", "weighted", route.Request{}},
		{"promote", "canary 100%", "weighted", route.Request{}},
		{"rollback", "stable 100%", "weighted", route.Request{Headers: map[string]string{"end-user": "jason"}}},
	} {
		o, err := s.Simulate(reviews, tc.phase, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if got := Describe(o.Shares); got != tc.want || o.Result.Name != tc.route {
			t.Errorf("%s, %s: got %s via %s, want %s via %s", tc.phase, DescribeRequest(tc.req), got, o.Result.Name, tc.want, tc.route)
		}
	}
	// The seed's host-based canary.
	app := find(t, in, "app")
	o, err := s.Simulate(app, "canary", route.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(o.Shares); got != "stable 90% / canary 10%" || o.Shares[0].Host != "app-primary" || o.Shares[1].Host != "app-canary" {
		t.Errorf("app in canary: %s %+v", got, o.Shares)
	}
	// ratings mirrors to the canary while no user reaches it.
	ratings := find(t, in, "ratings")
	o, err = s.Simulate(ratings, "start", route.Request{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Mirror == nil || o.Mirror.Target != "canary" || o.Mirror.Percent != 100 {
		t.Errorf("ratings in start: mirror %+v, want canary 100%%", o.Mirror)
	}
}

func TestExpectations(t *testing.T) {
	in := examples(t)
	s := NewSimulator()
	reviews := find(t, in, "reviews")
	checks, err := s.Expectations(reviews)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 7 {
		t.Fatalf("%d checks, want 7 (5 phases, then 1, then 1)", len(checks))
	}
	for _, c := range checks {
		if !c.OK() {
			t.Errorf("fixture expectation fails: %s %s", c.Name(), c.Explain())
		}
	}
	// Expecting the weighted split in another phase fails, and says why.
	bad := *reviews
	bad.Expect = []schema.Expectation{{Request: schema.Request{Headers: map[string][]string{"end-user": {"alice"}}}, Phases: []string{"expand"}, Reaches: map[string]float64{"stable": 90, "canary": 10}}}
	checks, err = s.Expectations(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 1 || checks[0].OK() {
		t.Fatalf("a wrong expectation passed: %+v", checks)
	}
	want := "in phase expand: canary gets 25%, want 10%, stable gets 75%, want 90%; route weighted matched and sends stable 75% / canary 25%"
	if got := checks[0].Explain(); got != want {
		t.Errorf("Explain() = %q\nwant %q", got, want)
	}
	if got := checks[0].Name(); got != "expect[0] (header end-user=alice)" {
		t.Errorf("Name() = %q", got)
	}
}

func TestPhaseMatrix(t *testing.T) {
	reviews := find(t, examples(t), "reviews")
	m, err := PhaseMatrix(reviews, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Phases, ","); got != "start,canary,expand,half,promote,rollback" {
		t.Fatalf("phases %s", got)
	}
	cell := func(row, phase int) string {
		c := m.Rows[row].Cells[phase]
		s := Describe(c.Shares)
		if c.FallsThrough {
			s += " (falls through)"
		}
		return s
	}
	last := len(m.Rows) - 1
	for _, tc := range []struct {
		row, phase int
		want       string
	}{
		{0, 0, "canary 100%"},
		{0, 5, "stable 100% (falls through)"},
		{2, 1, "internal-testing 100%"},
		{last, 0, "stable 100%"},
		{last, 1, "stable 90% / canary 10%"},
		{last, 3, "stable 50% / canary 50%"},
		{last, 4, "canary 100%"},
		{last, 5, "stable 100%"},
	} {
		if got := cell(tc.row, tc.phase); got != tc.want {
			t.Errorf("%s in %s: %s, want %s", m.Rows[tc.row].Route, m.Phases[tc.phase], got, tc.want)
		}
	}
	if m.Rows[last].Route != route.Everyone {
		t.Errorf("last row %q, want %q", m.Rows[last].Route, route.Everyone)
	}
}

// intentTarget is the oracle: where the intent says a request goes, read
// from the intent alone, without rendering. ok is false for requests that
// take the weighted split.
func intentTarget(r *schema.Rollout, phase string, q route.Request) (string, bool) {
	if phase == schema.PhaseRollback {
		return "", false
	}
	header := cookie.Header(q.Cookies)
	for _, rt := range r.Routes {
		m := rt.Match
		ok := true
		for _, h := range m.Headers {
			v, present := q.Headers[h.Name]
			ok = ok && present && stringMatches(h.StringMatch, v)
		}
		if c := m.Cookie; c != nil {
			found := false
			for _, part := range strings.Split(header, ";") {
				if strings.TrimSpace(part) == c.Name+"="+c.Value {
					found = true
				}
			}
			ok = ok && found
		}
		for k, v := range m.SourceLabels {
			ok = ok && q.SourceLabels[k] == v
		}
		if m.URI != nil {
			ok = ok && stringMatches(*m.URI, orDefault(q.URI, "/"))
		}
		if m.Method != "" {
			ok = ok && orDefault(q.Method, "GET") == m.Method
		}
		if ok {
			return rt.To, true
		}
	}
	return "", false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func stringMatches(m schema.StringMatch, v string) bool {
	switch m.Kind {
	case "prefix":
		return strings.HasPrefix(v, m.Prefix)
	case "regex":
		return regexp.MustCompile("^(?:" + m.Regex + ")$").MatchString(v)
	}
	return v == m.Exact
}

// TestSimulationAgreesWithIntentAndRenderedYAML sends generated requests
// through three routes to an answer — the intent read directly, the
// simulator on the rendered objects, and the simulator on the rendered YAML
// parsed back — for every example rollout and phase, and expects one answer.
func TestSimulationAgreesWithIntentAndRenderedYAML(t *testing.T) {
	in := examples(t)
	s := NewSimulator()
	rng := rand.New(rand.NewPCG(3, 5))
	files, err := render.Tree(in, render.AllPhases)
	if err != nil {
		t.Fatal(err)
	}
	yamlVS := map[string]*apinet.VirtualService{}
	for _, f := range files {
		for _, doc := range bytes.Split(f.Content, []byte("\n---\n")) {
			var obj struct {
				Kind     string         `json:"kind"`
				Metadata map[string]any `json:"metadata"`
				Spec     map[string]any `json:"spec"`
			}
			if err := yaml.Unmarshal(doc, &obj); err != nil {
				t.Fatal(err)
			}
			if obj.Kind != "VirtualService" {
				continue
			}
			js, _ := yaml.Marshal(obj.Spec)
			js, _ = yaml.YAMLToJSON(js)
			vs := &apinet.VirtualService{}
			if err := protojson.Unmarshal(js, vs); err != nil {
				t.Fatal(err)
			}
			yamlVS[f.Path] = vs
		}
	}
	pool := requestPool(in)
	checked := 0
	for _, r := range in.Rollouts {
		for _, phase := range render.Phases(r) {
			if _, ok := r.PhaseNamed(phase); !ok && phase != schema.PhaseRollback {
				continue
			}
			vs := yamlVS[phase+"/"+r.Namespace+"/"+r.Name+".yaml"]
			if vs == nil {
				t.Fatalf("no rendered VirtualService for %s in %s", r.Name, phase)
			}
			fromYAML := route.Compile(vs, r.Namespace)
			stable, canary, _ := render.Weights(r, phase)
			for range 60 {
				q := pool[rng.IntN(len(pool))]
				o, err := s.Simulate(r, phase, q)
				if err != nil {
					t.Fatal(err)
				}
				got := o.ByTarget()
				want := map[string]float64{}
				if target, ok := intentTarget(r, phase, q); ok {
					want[target] = 100
				} else {
					want[schema.TrackStable] += float64(stable)
					if r.Canary != nil {
						want[schema.TrackCanary] += float64(canary)
					}
				}
				for k, v := range want {
					if got[k] != v {
						t.Fatalf("%s in %s, %s: simulator %v, intent %v", r.Name, phase, DescribeRequest(q), got, want)
					}
				}
				y := fromYAML.Evaluate(q)
				if y.Name != o.Result.Name || len(y.Destinations) != len(o.Result.Destinations) {
					t.Fatalf("%s in %s, %s: rendered YAML routes via %s, objects via %s", r.Name, phase, DescribeRequest(q), y.Name, o.Result.Name)
				}
				for i := range y.Destinations {
					if y.Destinations[i] != o.Result.Destinations[i] {
						t.Fatalf("%s in %s: YAML %+v, objects %+v", r.Name, phase, y.Destinations, o.Result.Destinations)
					}
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("checked only %d requests", checked)
	}
}

// requestPool builds requests from the values the intents match on, and
// near misses of them.
func requestPool(in *schema.Intent) []route.Request {
	var headers []map[string]string
	var cookies [][]cookie.Cookie
	var labels []map[string]string
	for _, r := range in.Rollouts {
		for _, rt := range r.Routes {
			for _, h := range rt.Match.Headers {
				v := h.Value()
				headers = append(headers, map[string]string{h.Name: v}, map[string]string{h.Name: v + "x"}, map[string]string{h.Name: strings.ToUpper(v)})
			}
			if c := rt.Match.Cookie; c != nil {
				cookies = append(cookies,
					[]cookie.Cookie{{Name: c.Name, Value: c.Value}},
					[]cookie.Cookie{{Name: "theme", Value: "dark"}, {Name: c.Name, Value: c.Value}},
					[]cookie.Cookie{{Name: c.Name, Value: c.Value}, {Name: "a", Value: "b"}},
					[]cookie.Cookie{{Name: "x" + c.Name, Value: c.Value}},
					[]cookie.Cookie{{Name: c.Name, Value: c.Value + "max"}})
			}
			if len(rt.Match.SourceLabels) > 0 {
				labels = append(labels, rt.Match.SourceLabels, map[string]string{"app": rt.Match.SourceLabels["app"]})
			}
		}
	}
	var pool []route.Request
	for i := range 200 {
		var q route.Request
		if i%2 == 0 && len(headers) > 0 {
			q.Headers = headers[i%len(headers)]
		}
		if i%3 == 0 && len(cookies) > 0 {
			q.Cookies = cookies[i%len(cookies)]
		}
		if i%5 == 0 && len(labels) > 0 {
			q.SourceLabels = labels[i%len(labels)]
		}
		pool = append(pool, q)
	}
	return pool
}

// BenchmarkCheckAll runs a routing test suite over 1,000 generated
// rollouts, one expectation each over every phase of its ladder.
func BenchmarkCheckAll(b *testing.B) {
	dir := b.TempDir()
	if err := gen.Write(dir, 1000, gen.Options{Expect: true}); err != nil {
		b.Fatal(err)
	}
	in, err := schema.Load([]string{dir})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		checks, err := CheckAll(in)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range checks {
			if !c.OK() {
				b.Fatalf("%s fails: %s", c.Name(), c.Explain())
			}
		}
	}
}

// TestFromIntent: an expectation's request becomes the request Envoy sees.
func TestFromIntent(t *testing.T) {
	x := schema.Expectation{
		GatewayID: "shop/public-gateway",
		Request: schema.Request{
			Headers:         map[string][]string{"end-user": {"bob", "jason"}, "cookie": {"theme=dark"}},
			Cookies:         map[string]string{"user": "beta", "lang": "en"},
			SourceNamespace: "web", Scheme: "https", Authority: "app.example.com", Port: 443,
			Query: map[string]string{"v": "2"},
		},
	}
	req := FromIntent(x)
	// Joined as Envoy joins a repeated header (route.JoinHeaders).
	if got := req.Headers["end-user"]; got != "bob,jason" {
		t.Errorf("end-user %q, want bob,jason", got)
	}
	if req.Gateway != "shop/public-gateway" || req.Scheme != "https" || req.Authority != "app.example.com" || req.Port != 443 ||
		req.SourceNamespace != "web" || req.QueryParams["v"] != "2" {
		t.Errorf("request fields lost: %+v", req)
	}
	// One cookie header: the header's cookies, then the others in name order.
	vs := &apinet.VirtualService{Hosts: []string{"app"}, Http: []*apinet.HTTPRoute{{
		Match: []*apinet.HTTPMatchRequest{{Headers: map[string]*apinet.StringMatch{"cookie": {MatchType: &apinet.StringMatch_Exact{Exact: "theme=dark; lang=en; user=beta"}}}}},
		Route: []*apinet.HTTPRouteDestination{{Destination: &apinet.Destination{Host: "hit"}}},
	}}}
	sidecar := req
	sidecar.Gateway = ""
	if got := route.Evaluate(vs, "shop", sidecar); !got.Matched {
		t.Errorf("cookie header not as expected: %+v", got.Trace)
	}
	if got := FromIntent(schema.Expectation{GatewayID: "mesh"}).Gateway; got != "" {
		t.Errorf("mesh expectation has gateway %q", got)
	}
}

// TestExpectationsThroughGateway runs the bundled app's ingress
// expectations, with its Gateway's servers unknown (as meshroll test does)
// and known (fixtures/gateways), and a request the Gateway redirects.
func TestExpectationsThroughGateway(t *testing.T) {
	app := find(t, examples(t), "app")
	gws := fixtureGateways(t)
	for _, known := range []bool{false, true} {
		s := NewSimulator()
		if known {
			s.Gateways = gws
		}
		checks, err := s.Expectations(app)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks) != 2 {
			t.Fatalf("%d checks, want 2", len(checks))
		}
		for _, c := range checks {
			if !c.OK() {
				t.Errorf("known=%v: %s fails: %s", known, c.Name(), c.Explain())
			}
		}
	}
	s := NewSimulator()
	s.Gateways = gws
	bad := *app
	bad.Expect = []schema.Expectation{{GatewayID: "shop/public-gateway", Phases: []string{"canary"}, Reaches: map[string]float64{"stable": 90, "canary": 10}}}
	checks, err := s.Expectations(&bad)
	if err != nil {
		t.Fatal(err)
	}
	want := "in phase canary: canary gets 0%, want 10%, stable gets 0%, want 90%; the gateway answers 301, a redirect to https"
	if len(checks) != 1 || checks[0].OK() || checks[0].Explain() != want {
		t.Errorf("plain HTTP through a redirecting gateway: %q, want %q", checks[0].Explain(), want)
	}
	if o := checks[0].Outcome; o.Result.Arrival == nil || o.Result.Arrival.Port != 80 || o.Result.Arrival.Host != "app.example.com" {
		t.Errorf("arrival %+v", o.Result.Arrival)
	}
}

// TestIngressMatrix: through a gateway, a route that matches workload
// labels is not taken, and a phase the gateway turns away says so.
func TestIngressMatrix(t *testing.T) {
	in := examples(t)
	reviews := find(t, in, "reviews")
	s := NewSimulator()
	m, err := s.IngressMatrix(reviews, nil, []string{"canary"}, "bookinfo/bookinfo-gateway", route.Request{Authority: "reviews.bookinfo.svc.cluster.local"})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range m.Rows {
		if want := row.Route == "productpage-v2"; row.NotAtGateway != want {
			t.Errorf("row %s: NotAtGateway %v, want %v", row.Route, row.NotAtGateway, want)
		}
		// reviews is bound to the mesh only: the gateway routes nothing to it.
		if row.Cells[0].Answer != "no route" {
			t.Errorf("row %s: %+v, want no route", row.Route, row.Cells[0])
		}
	}
	app := find(t, in, "app")
	s.Gateways = fixtureGateways(t)
	m, err = s.IngressMatrix(app, in.Rollouts, []string{"canary", "promote"}, "shop/public-gateway", route.Request{Authority: "app.example.com", Port: 443})
	if err != nil {
		t.Fatal(err)
	}
	if got := Describe(m.Request[1].Shares); got != "canary 100%" || m.Request[1].Rollout != app {
		t.Errorf("promote through the gateway: %s", got)
	}
	if got := Describe(m.Rows[0].Cells[0].Shares); got != "stable 90% / canary 10%" {
		t.Errorf("anyone else in canary: %s", got)
	}
	m, err = s.IngressMatrix(app, in.Rollouts, []string{"canary"}, "shop/public-gateway", route.Request{Authority: "app.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Rows[0].Cells[0].Answer; got != "301 to https" {
		t.Errorf("port 80: %q, want the redirect", got)
	}
}

func TestPublicHost(t *testing.T) {
	for _, tt := range []struct {
		r    schema.Rollout
		want string
	}{
		{schema.Rollout{Name: "app", Namespace: "shop", Host: "app.example.com"}, "app.example.com"},
		{schema.Rollout{Name: "reviews", Namespace: "bookinfo", Host: "reviews", Hosts: []string{"*.example.com", "reviews.example.com"}}, "reviews.example.com"},
		{schema.Rollout{Name: "reviews", Namespace: "bookinfo", Host: "reviews"}, "reviews.bookinfo.svc.cluster.local"},
	} {
		if got := PublicHost(&tt.r); got != tt.want {
			t.Errorf("PublicHost(%s %v) = %s, want %s", tt.r.Host, tt.r.Hosts, got, tt.want)
		}
	}
}

func fixtureGateways(t testing.TB) []route.GatewayObject {
	t.Helper()
	data, err := os.ReadFile("../fixtures/gateways/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var obj struct {
		Metadata struct{ Name, Namespace string }
		Spec     map[string]any
	}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		t.Fatal(err)
	}
	js, _ := yaml.Marshal(obj.Spec)
	js, _ = yaml.YAMLToJSON(js)
	gw := &apinet.Gateway{}
	if err := protojson.Unmarshal(js, gw); err != nil {
		t.Fatal(err)
	}
	return []route.GatewayObject{{Name: obj.Metadata.Name, Namespace: obj.Metadata.Namespace, Spec: gw}}
}
