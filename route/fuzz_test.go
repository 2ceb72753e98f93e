package route

import (
	"math"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/cookie"
)

// FuzzEvaluate feeds random requests, and random VirtualService specs in
// JSON, to Evaluate and the coverage analyses: nothing may panic, and the
// result must be consistent with itself.
func FuzzEvaluate(f *testing.F) {
	fixed := parseSpec(f, seedPatterns)
	seedJSON, err := protojson.Marshal(fixed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seedJSON, "x-user-type", "beta", "/", "GET", "theme=dark; user=beta", "v2", "", uint32(0))
	f.Add([]byte(`{"gateways":["gw"],"http":[{"match":[{"uri":{"regex":"(a+)+$"},"gateways":["ns/gw"],"port":80,"queryParams":{"q":{"exact":""}}}],"route":[{"destination":{"host":"a"},"weight":-1},{"destination":{"host":"b"}}]}]}`),
		"End-User", "jason", "/x?q", "POST", "", "v1", "gw", uint32(80))
	f.Add([]byte(`{"http":[{"match":[{"withoutHeaders":{"x":{"exact":""}}},{}],"fault":{"abort":{"http2Error":"x"}}},{"redirect":{"derivePort":"FROM_REQUEST_PORT"}}],"tcp":[{}],"tls":[{"match":[{"sniHosts":["*"]}]}]}`),
		"x", "", "?&=&a=b#c", "", "a=1;;b", "", "mesh", uint32(1))
	f.Fuzz(func(t *testing.T, spec []byte, hName, hValue, uri, method, cookieValue, version, gateway string, port uint32) {
		vs := &networkingv1.VirtualService{}
		if protojson.Unmarshal(spec, vs) != nil {
			vs = fixed
		}
		req := Request{
			Headers:      map[string]string{hName: hValue},
			Cookies:      []cookie.Cookie{{Name: "user", Value: cookieValue}},
			SourceLabels: map[string]string{"app": "productpage", "version": version},
			URI:          uri, Method: method, Port: port, Gateway: gateway,
			QueryParams: map[string]string{hName: hValue},
		}
		got := Evaluate(vs, "bookinfo", req)
		if got.Matched {
			if got.Index < 0 || got.Index >= len(vs.GetHttp()) || got.Path == "" {
				t.Fatalf("matched route %d of %d, path %q", got.Index, len(vs.GetHttp()), got.Path)
			}
			var sum float64
			for _, d := range got.Destinations {
				if d.Weight < 0 || d.Weight > 100 || math.IsNaN(d.Weight) {
					t.Fatalf("share %v", d.Weight)
				}
				sum += d.Weight
			}
			if sum > 100.000001 {
				t.Fatalf("shares sum to %v", sum)
			}
		} else if got.Reason == "" {
			t.Fatal("no match and no reason")
		}
		for _, m := range got.Trace {
			if got.Matched && m.Index >= got.Index || m.Why == "" {
				t.Fatalf("trace %+v for route %d", m, got.Index)
			}
		}
		for _, fs := range [][]Finding{Unreachable(vs), Ineffective(vs)} {
			for _, fd := range fs {
				if fd.By > fd.Route || fd.Path == "" || fd.ByPath == "" || fd.Reason == "" {
					t.Fatalf("finding %+v", fd)
				}
			}
		}
	})
}

// FuzzIngress feeds random Gateways and VirtualServices (a root, and a
// delegate it may name) in JSON, and random requests, to Table.Ingress and
// Table.Evaluate: nothing may panic, and every answer is a route or a reason.
func FuzzIngress(f *testing.F) {
	f.Add([]byte(`{"selector":{"istio":"ingressgateway"},"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["shop/*.example.com"],"tls":{"httpsRedirect":true}},{"port":{"number":443,"name":"https","protocol":"HTTPS"},"hosts":["./app.example.com","*/*"],"tls":{"mode":"SIMPLE"}}]}`),
		[]byte(`{"hosts":["app.example.com","app"],"gateways":["gw"],"http":[{"match":[{"uri":{"prefix":"/api"},"port":443}],"delegate":{"name":"d"}},{"route":[{"destination":{"host":"a"}}]}]}`),
		[]byte(`{"http":[{"match":[{"uri":{"prefix":"/api/v2"},"gateways":["gw"]}],"route":[{"destination":{"host":"b"}}]},{"delegate":{"name":"d"}}]}`),
		"app.example.com:443", "/api/v2", "https", uint32(443))
	f.Add([]byte(`{"servers":[{"port":{"number":443,"protocol":"TLS"},"hosts":["*"],"tls":{"mode":"PASSTHROUGH"}},{"port":{"number":443,"protocol":"HTTPS"},"hosts":["*"],"tls":{}}]}`),
		[]byte(`{"hosts":["*"],"gateways":["shop/gw"],"exportTo":["."],"http":[{"match":[{"uri":{"regex":".*"}}],"route":[{"destination":{"host":"a"}}]}]}`),
		[]byte(`{"hosts":[],"exportTo":["~"]}`), "[::1]:80", "", "", uint32(0))
	f.Fuzz(func(t *testing.T, gwSpec, rootSpec, delSpec []byte, authority, uri, scheme string, port uint32) {
		gw := &networkingv1.Gateway{}
		if protojson.Unmarshal(gwSpec, gw) != nil {
			gw = nil
		}
		root, del := &networkingv1.VirtualService{}, &networkingv1.VirtualService{}
		if protojson.Unmarshal(rootSpec, root) != nil {
			root = nil
		}
		if protojson.Unmarshal(delSpec, del) != nil {
			del = nil
		}
		tab := NewTable([]VirtualServiceObject{{Name: "root", Namespace: "shop", Spec: root}, {Name: "d", Namespace: "shop", Spec: del}},
			[]GatewayObject{{Name: "gw", Namespace: "shop", Spec: gw}})
		req := Request{Authority: authority, URI: uri, Scheme: scheme, Port: port, Headers: map[string]string{"host": authority}}
		for _, got := range []Result{tab.Ingress("shop/gw", req), tab.Evaluate("shop/root", req)} {
			switch {
			case got.Matched && (got.VirtualService == "" || got.Index < 0 || got.Path == ""):
				t.Fatalf("matched without a route: %+v", got)
			case !got.Matched && got.Reason == "":
				t.Fatalf("no match and no reason: %+v", got)
			}
		}
		if a := tab.Ingress("shop/gw", req).Arrival; a == nil || a.Known != (gw != nil) {
			t.Fatalf("arrival %+v", a)
		}
	})
}
