package route

import (
	"fmt"
	"testing"

	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/cookie"
)

// benchRequests exercise every route of seedPatterns (5 routes), including
// the worst case: a request that misses four routes and collects a trace.
var benchRequests = []Request{
	{Headers: map[string]string{"x-user-type": "beta"}},
	{Headers: map[string]string{"x-internal": "true", "end-user": "bob"}},
	{SourceLabels: map[string]string{"app": "productpage", "version": "v2"}},
	{Cookies: []cookie.Cookie{{Name: "user", Value: "beta"}, {Name: "theme", Value: "dark"}}},
	{Cookies: []cookie.Cookie{{Name: "theme", Value: "dark"}, {Name: "user", Value: "beta"}}, URI: "/reviews/1", Headers: map[string]string{"User-Agent": "curl"}},
}

// BenchmarkEvaluate is the one-shot form: compile the VirtualService (regexes
// come from the shared cache) and evaluate one request.
func BenchmarkEvaluate(b *testing.B) {
	vs := parseSpec(b, seedPatterns)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Evaluate(vs, "bookinfo", benchRequests[i%len(benchRequests)])
		i++
	}
}

// BenchmarkRouterEvaluate evaluates requests against a compiled Router, the
// form a routing-test suite uses: one Compile per rollout and phase.
func BenchmarkRouterEvaluate(b *testing.B) {
	r := Compile(parseSpec(b, seedPatterns), "bookinfo")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Evaluate(benchRequests[i%len(benchRequests)])
		i++
	}
}

// BenchmarkRouterEvaluateMiss is the slowest request: it misses four routes.
func BenchmarkRouterEvaluateMiss(b *testing.B) {
	r := Compile(parseSpec(b, seedPatterns), "bookinfo")
	req := benchRequests[4]
	b.ReportAllocs()
	for b.Loop() {
		r.Evaluate(req)
	}
}

func BenchmarkCompile(b *testing.B) {
	vs := parseSpec(b, seedPatterns)
	b.ReportAllocs()
	for b.Loop() {
		Compile(vs, "bookinfo")
	}
}

func BenchmarkIneffective(b *testing.B) {
	vs := parseSpec(b, seedPatterns)
	b.ReportAllocs()
	for b.Loop() {
		Ineffective(vs)
		Unreachable(vs)
	}
}

// BenchmarkRolloutSuite is one rollout's share of a 1,000-request routing
// suite: Compile the rollout's VirtualService, then evaluate 1,000 requests.
// A suite over 1,000 rollouts costs 1,000 times ns/op.
func BenchmarkRolloutSuite(b *testing.B) {
	vs := parseSpec(b, seedPatterns)
	b.ReportAllocs()
	for b.Loop() {
		r := Compile(vs, "bookinfo")
		for i := 0; i < 1000; i++ {
			r.Evaluate(benchRequests[i%len(benchRequests)])
		}
	}
}

// BenchmarkIngress is a request through a gateway that 1,000 VirtualServices
// are bound to, each for its own host under the server's wildcard: picking
// the server and the virtual host, then the routes of one VirtualService.
func BenchmarkIngress(b *testing.B) {
	gw := GatewayObject{Name: "public", Namespace: "shop", Spec: &networkingv1.Gateway{Servers: []*networkingv1.Server{
		{Port: &networkingv1.Port{Number: 443, Name: "https", Protocol: "HTTPS"}, Hosts: []string{"shop/*.example.com"},
			Tls: &networkingv1.ServerTLSSettings{Mode: networkingv1.ServerTLSSettings_SIMPLE}},
	}}}
	var vss []VirtualServiceObject
	for i := range 1000 {
		vs := parseSpec(b, seedPatterns)
		vs.Hosts = []string{fmt.Sprintf("app-%d.example.com", i)}
		vs.Gateways = []string{"public"}
		vss = append(vss, VirtualServiceObject{Name: fmt.Sprintf("app-%d", i), Namespace: "shop", Spec: vs})
	}
	tab := NewTable(vss, []GatewayObject{gw})
	req := benchRequests[4]
	req.Authority, req.Port = "app-500.example.com", 443
	if got := tab.Ingress("shop/public", req); !got.Matched {
		b.Fatal(got.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		tab.Ingress("shop/public", req)
	}
}
