package gate

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/meshroll/meshroll/schema"
)

func rollout(t *testing.T, body string) *schema.Rollout {
	t.Helper()
	src := "rollouts: r: {\n" + body + "\n}\n"
	in, err := schema.LoadFiles([]schema.File{{Path: "r.cue", Data: []byte(src)}})
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return in.Rollouts[0]
}

const analysis = `analysis: {interval: "2m", metrics: [
	{name: "success", template: "request-success-rate", min: 99},
	{name: "latency", template: "request-duration", max: 500},
	{name: "custom", query: "sum(rate(x{ {{canary}} }[{{interval}}])) by (n) # {{namespace}}/{{service}}/{{version}}/{{ rollout }}", max: 1},
]}`

// TestQuery: the templates select the canary by namespace, short host name
// and, for a subset track, its version label; custom queries get their
// variables.
func TestQuery(t *testing.T) {
	for _, c := range []struct {
		name, tracks string
		want         []string
	}{
		{"subset", `namespace: "bookinfo", host: "reviews", stable: subset: "v1", canary: subset: "v2"`, []string{
			`100 * sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews",destination_version="v2",response_code!~"5.."}[2m])) / sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews",destination_version="v2"}[2m]))`,
			`histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="bookinfo",destination_service_name="reviews",destination_version="v2"}[2m])))`,
			`sum(rate(x{ destination_service_namespace="bookinfo",destination_service_name="reviews",destination_version="v2" }[2m])) by (n) # bookinfo/reviews/v2/r`,
		}},
		{"labelled subset", `namespace: "shop", stable: subset: "v1", canary: {subset: "next", labels: {version: "2.1", app: "r"}}`, []string{
			`destination_version="2.1"`,
		}},
		{"host of its own", `namespace: "shop", stable: host: "app-primary", canary: host: "app-canary"`, []string{
			`{reporter="destination",destination_service_namespace="shop",destination_service_name="app-canary"}[2m]`,
			`# shop/app-canary//r`,
		}},
		{"host in another namespace", `namespace: "shop", stable: host: "app-primary", canary: host: "app-canary.staging.svc.cluster.local"`, []string{
			`destination_service_namespace="staging",destination_service_name="app-canary"}`,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rollout(t, c.tracks+"\n"+analysis)
			var all []string
			for _, m := range r.Analysis.Metrics {
				all = append(all, Query(r, m))
			}
			got := strings.Join(all, "\n")
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("queries lack %s:\n%s", w, got)
				}
			}
			if strings.Contains(got, "{{") {
				t.Errorf("a variable is left unexpanded:\n%s", got)
			}
		})
	}
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want string
	}{{99.5, "99.5"}, {97.12345, "97.123"}, {500, "500"}, {0.0001, "0"}, {-0.0001, "0"}, {1e9, "1000000000"}} {
		if got := FormatValue(c.in); got != c.want {
			t.Errorf("FormatValue(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func f(v float64) *float64 { return &v }

// TestDecide: what promote does with each verdict, phase and hold.
func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	fail := &Result{Verdict: Fail, Metrics: []MetricResult{{Name: "success", Value: f(95), Min: f(99)}, {Name: "latency", Value: f(40), Max: f(500), Pass: true}}}
	pass := &Result{Verdict: Pass, Metrics: []MetricResult{{Name: "success", Value: f(100), Min: f(99), Pass: true}}}
	nodata := &Result{Verdict: NoData, Metrics: []MetricResult{{Name: "success", NoData: true, Note: "the query returned no series"}}}
	for _, c := range []struct {
		name, state string
		g           *Result
		action, to  string
		reason      string
	}{
		{"fail rolls back", `phase: "canary", since: "2026-11-20T11:59:00Z"`, fail, Rollback, "rollback", "meshroll promote: the gate failed in canary: success 95, below min 99"},
		{"pass after the hold advances", `phase: "canary", since: "2026-11-20T10:00:00Z"`, pass, Advance, "expand", "the gate passes and the 1h hold of canary has passed"},
		{"pass within the hold waits", `phase: "half", since: "2026-11-20T11:00:00Z"`, pass, Wait, "half", "the gate passes; r has held half for 1h of its 4h hold; 3h left, until 2026-11-20T15:00:00Z"},
		{"pass without since waits", `phase: "half"`, pass, Wait, "half", "but its since is not set"},
		{"pass at the last phase", `phase: "promote", since: "2026-11-20T10:00:00Z"`, pass, None, "promote", "the last phase; nothing to advance"},
		{"no data with traffic waits", `phase: "canary", since: "2026-11-20T10:00:00Z"`, nodata, Wait, "canary", "no data to judge the canary by: success: no data (the query returned no series)"},
		{"no data at start advances", `phase: "start"`, nodata, Advance, "canary", "nothing to measure at 0% to the canary"},
		{"fail at promote rolls back", `phase: "promote", since: "2026-11-20T10:00:00Z"`, fail, Rollback, "rollback", "failed in promote"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rollout(t, `stable: subset: "v1", canary: subset: "v2"`+"\n"+c.state+"\n"+analysis)
			d := Decide(r, c.g, now)
			if d.Action != c.action || d.To != c.to || !strings.Contains(d.Reason, c.reason) {
				t.Errorf("Decide = %s → %s (%s): %q; want %s → %s, reason containing %q", d.From, d.To, d.Action, d.Reason, c.action, c.to, c.reason)
			}
		})
	}
}

// TestSkip: rollouts promote leaves alone, and why.
func TestSkip(t *testing.T) {
	for _, c := range []struct{ body, reason string }{
		{`stable: subset: "v1"`, "no canary"},
		{`stable: subset: "v1", canary: subset: "v2"`, "no analysis"},
		{`stable: subset: "v1", canary: subset: "v2", phase: "rollback"` + "\n" + analysis, "rolled back"},
	} {
		r := rollout(t, c.body)
		if Gated(r) {
			t.Errorf("%s: gated", c.body)
		}
		if d := Skip(r); d.Action != None || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: Skip = %+v, want none because %s", c.body, d, c.reason)
		}
	}
}

// TestBearerToken: the token goes in the Authorization header of every
// query, and only there.
func TestBearerToken(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"scalar","result":[1795176000,"100"]}}`)
	}))
	defer srv.Close()
	c, err := New(Options{URL: srv.URL, Token: "s3cret", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := rollout(t, `stable: subset: "v1", canary: subset: "v2"`+"\n"+`analysis: metrics: [{name: "success", template: "request-success-rate", min: 99}]`)
	res, err := c.Evaluate(context.Background(), r, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Pass || len(got) != 1 || got[0] != "Bearer s3cret" {
		t.Errorf("verdict %s, Authorization headers %q", res.Verdict, got)
	}
}

func TestNewRefusesBadURLs(t *testing.T) {
	for _, u := range []string{"prometheus:9090", "ftp://p", "http://", ""} {
		if _, err := New(Options{URL: u}); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}
