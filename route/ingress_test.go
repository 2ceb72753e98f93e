package route

import (
	"strconv"
	"strings"
	"testing"
)

// ingress is a Gateway with plain HTTP, TLS-terminating, passthrough and TCP
// servers, and VirtualServices bound to it in several ways.
const ingress = `
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [shop/app.example.com, "*.shop.example.com"]
    tls: {httpsRedirect: true}
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [shop/app.example.com]
    tls: {mode: SIMPLE, credentialName: app-cert}
  - port: {number: 443, name: https-more, protocol: HTTPS}
    hosts: [./api.example.com, "*/*.shop.example.com"]
    tls: {mode: SIMPLE, credentialName: more-cert}
  - port: {number: 8443, name: tls, protocol: TLS}
    hosts: [db.example.com]
    tls: {mode: PASSTHROUGH}
  - port: {number: 8080, name: http-alt, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 9000, name: tcp, protocol: TCP}
    hosts: ["*"]
---
kind: VirtualService
metadata: {name: app, namespace: shop}
spec:
  hosts: [app.example.com]
  gateways: [public]
  http:
  - name: app
    route:
    - destination: {host: app-primary}
---
kind: VirtualService
metadata: {name: app-intruder, namespace: other}
spec:
  hosts: [app.example.com]
  gateways: [shop/public]
  http:
  - name: intruder-header
    match:
    - headers: {x-intruder: {exact: "yes"}}
    route:
    - destination: {host: intruder}
  - name: intruder-rest
    route:
    - destination: {host: intruder}
---
kind: VirtualService
metadata: {name: api, namespace: shop}
spec:
  hosts: [api.example.com]
  gateways: [shop/public]
  http:
  - name: tls-port
    match:
    - port: 443
    route:
    - destination: {host: api-v2}
  - name: labelled
    match:
    - sourceLabels: {istio: ingressgateway}
      headers: {x-labelled: {exact: "1"}}
    route:
    - destination: {host: api-labelled}
  - name: sidecars-only
    match:
    - gateways: [mesh]
    route:
    - destination: {host: api-mesh}
  - name: rest
    route:
    - destination: {host: api-v1}
---
kind: VirtualService
metadata: {name: wild, namespace: shop}
spec:
  hosts: ["*.shop.example.com"]
  gateways: [shop/public]
  http:
  - route:
    - destination: {host: wild}
---
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart.shop.example.com]
  gateways: [shop/public]
  http:
  - route:
    - destination: {host: cart}
---
kind: VirtualService
metadata: {name: internal, namespace: shop}
spec:
  hosts: [internal.example.com]
  http:
  - route:
    - destination: {host: internal}
---
kind: VirtualService
metadata: {name: hidden, namespace: shop}
spec:
  hosts: [hidden.example.com]
  gateways: [shop/public]
  exportTo: [other]
  http:
  - route:
    - destination: {host: hidden}
`

// TestIngress follows how istiod configures a gateway's Envoy
// (MergeGateways in pilot/pkg/model/gateway.go, buildGatewayHTTPRouteConfig
// in pilot/pkg/networking/core/gateway.go) and how Envoy picks a filter chain
// by SNI and a virtual host by authority.
func TestIngress(t *testing.T) {
	vss, gws := parseObjects(t, ingress)
	tab := NewTable(vss, gws)
	for _, tt := range []struct {
		name string
		req  Request
		// refused, when set, is the whole reason; else the request reaches
		// host through VirtualService vs and route index.
		refused      string
		vs           string
		index        int
		host         string
		server       string
		vhost        string
		traceContain string
	}{
		{name: "a port no server listens on",
			req:     Request{Authority: "app.example.com", Port: 9999},
			refused: "gateway shop/public serves ports 80 (HTTP), 443 (HTTPS), 8080 (HTTP), 8443 (TLS) and 9000 (TCP), not port 9999"},
		{name: "TLS server picked by SNI; the namespace/host form admits its namespace only",
			req: Request{Authority: "app.example.com", Port: 443},
			vs:  "shop/app", index: 0, host: "app-primary", server: "https", vhost: "app.example.com"},
		{name: "./host is the Gateway's namespace; match.port is the server's port",
			req: Request{Authority: "api.example.com:443", Port: 443},
			vs:  "shop/api", index: 0, host: "api-v2", server: "https-more", vhost: "api.example.com"},
		{name: "no TLS server for the host",
			req:     Request{Authority: "foo.example.com", Port: 443},
			refused: "gateway shop/public serves shop/app.example.com, shop/api.example.com and *.shop.example.com on port 443 (HTTPS), not foo.example.com: no server takes the TLS handshake for it"},
		{name: "an exact virtual host beats a wildcard one",
			req: Request{Authority: "cart.shop.example.com", Port: 443},
			vs:  "shop/cart", index: 0, host: "cart", server: "https-more", vhost: "cart.shop.example.com"},
		{name: "a wildcard VirtualService host",
			req: Request{Authority: "x.shop.example.com", Port: 443},
			vs:  "shop/wild", index: 0, host: "wild", server: "https-more", vhost: "*.shop.example.com"},
		{name: "the port follows the scheme when none is given",
			req: Request{Authority: "app.example.com", Scheme: "https"},
			vs:  "shop/app", index: 0, host: "app-primary", server: "https", vhost: "app.example.com"},
		{name: "plain HTTP for a host the server does not serve",
			req:     Request{Authority: "nope.example.com", Port: 80},
			refused: "gateway shop/public serves shop/app.example.com and *.shop.example.com on port 80 (HTTP), not nope.example.com"},
		{name: "TLS passthrough is not HTTP routing",
			req:     Request{Authority: "db.example.com", Port: 8443},
			refused: "server tls (port 8443) of gateway shop/public is a TLS passthrough server for db.example.com: its connections follow tls or tcp routes, which meshroll does not simulate"},
		{name: "a TCP port",
			req:     Request{Authority: "app.example.com", Port: 9000},
			refused: "port 9000 of gateway shop/public is a TCP server: its connections follow tcp routes, which meshroll does not simulate"},
		{name: "two VirtualServices for one host: routes in order, catch-alls last",
			req: Request{Authority: "app.example.com", Port: 8080, Headers: map[string]string{"x-intruder": "yes"}},
			vs:  "other/app-intruder", index: 0, host: "intruder", server: "http-alt", vhost: "app.example.com",
			traceContain: "shop/app [0] app: a catch-all route, which the gateway tries after the routes of the other VirtualServices for app.example.com"},
		{name: "the first VirtualService's catch-all wins over the second's",
			req: Request{Authority: "app.example.com", Port: 8080},
			vs:  "shop/app", index: 0, host: "app-primary", server: "http-alt", vhost: "app.example.com",
			traceContain: `other/app-intruder [0] intruder-header: no header x-intruder`},
		{name: "source labels are the gateway's selector; match.gateways [mesh] skips the gateway",
			req: Request{Authority: "api.example.com", Port: 8080, Headers: map[string]string{"x-labelled": "1"}},
			vs:  "shop/api", index: 1, host: "api-labelled", server: "http-alt", vhost: "api.example.com"},
		{name: "a block for sidecars only is not taken at the gateway",
			req: Request{Authority: "api.example.com", Port: 8080},
			vs:  "shop/api", index: 3, host: "api-v1", server: "http-alt", vhost: "api.example.com",
			traceContain: `shop/api [2] sidecars-only: gateway: want one of [mesh], got "shop/public"`},
		{name: "a VirtualService not bound to the gateway",
			req:     Request{Authority: "internal.example.com", Port: 8080},
			refused: "no VirtualService bound to gateway shop/public routes internal.example.com on port 8080: the gateway answers 404; VirtualService shop/internal routes it but is bound to [mesh]"},
		{name: "a VirtualService not exported to the gateway's namespace",
			req:     Request{Authority: "hidden.example.com", Port: 8080},
			refused: "no VirtualService bound to gateway shop/public routes hidden.example.com on port 8080: the gateway answers 404; VirtualService shop/hidden routes it but is not exported to namespace shop"},
		{name: "a request without a host",
			req:     Request{Port: 80},
			refused: "the request names no host: give its authority"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tab.Ingress("shop/public", tt.req)
			if got.Arrival == nil {
				t.Fatal("no Arrival")
			}
			if tt.refused != "" {
				if got.Matched || got.Reason != tt.refused || got.Arrival.Refused != tt.refused {
					t.Fatalf("got matched=%v reason %q\nwant refused %q", got.Matched, got.Reason, tt.refused)
				}
				return
			}
			if !got.Matched {
				t.Fatalf("refused: %s", got.Reason)
			}
			if got.VirtualService != tt.vs || got.Index != tt.index || got.Destinations[0].Host != tt.host {
				t.Errorf("reached %s via %s [%d], want %s via %s [%d]", got.Destinations[0].Host, got.VirtualService, got.Index, tt.host, tt.vs, tt.index)
			}
			if got.Arrival.ServerName != tt.server || got.Arrival.Host != tt.vhost {
				t.Errorf("server %q virtual host %q, want %q and %q", got.Arrival.ServerName, got.Arrival.Host, tt.server, tt.vhost)
			}
			if tt.traceContain != "" {
				var lines []string
				for _, m := range got.Trace {
					lines = append(lines, m.VirtualService+" ["+strconv.Itoa(m.Index)+"] "+m.Name+": "+m.Why)
				}
				if !strings.Contains(strings.Join(lines, "\n"), tt.traceContain) {
					t.Errorf("trace\n%s\ndoes not hold %q", strings.Join(lines, "\n"), tt.traceContain)
				}
			}
		})
	}
}

// TestIngressHTTPSRedirect: a server with tls.httpsRedirect makes the
// virtual host require TLS, and Envoy answers plain HTTP with a 301 to https
// for the same authority and path (require_tls: ALL).
func TestIngressHTTPSRedirect(t *testing.T) {
	vss, gws := parseObjects(t, ingress)
	got := NewTable(vss, gws).Ingress("shop/public", Request{Authority: "app.example.com", URI: "/cart?x=1"})
	if got.Matched || got.Action != ActionRedirect || got.Redirect == nil {
		t.Fatalf("want a redirect, got %+v", got)
	}
	if r := got.Redirect; r.Scheme != "https" || r.Authority != "app.example.com" || r.URI != "/cart?x=1" || r.Code != 301 {
		t.Errorf("redirect %+v", r)
	}
	if a := got.Arrival; a.Port != 80 || a.ServerName != "http" || a.Host != "app.example.com" {
		t.Errorf("arrival %+v", a)
	}
}

// TestIngressUnknownGateway: without the Gateway, its servers are not known;
// the bound VirtualServices' hosts, resolved as istiod resolves short names,
// decide.
func TestIngressUnknownGateway(t *testing.T) {
	vss, _ := parseObjects(t, `
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews, reviews.example.com]
  gateways: [bookinfo-gateway, mesh]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
`)
	tab := NewTable(vss, nil)
	for _, tt := range []struct {
		host, refused string
	}{
		{"reviews.example.com", ""},
		{"reviews.bookinfo.svc.cluster.local", ""},
		{"REVIEWS.example.com:8080", ""},
		{"reviews", "no VirtualService bound to gateway bookinfo/bookinfo-gateway routes reviews: the gateway answers 404"},
	} {
		got := tab.Ingress("bookinfo/bookinfo-gateway", Request{Authority: tt.host})
		if got.Arrival.Known {
			t.Errorf("%s: the Gateway is not known", tt.host)
		}
		if tt.refused == "" && !got.Matched {
			t.Errorf("%s: %s", tt.host, got.Reason)
		}
		if tt.refused != "" && got.Reason != tt.refused {
			t.Errorf("%s: reason %q, want %q", tt.host, got.Reason, tt.refused)
		}
	}
	if got := tab.Ingress("istio-system/other", Request{Authority: "reviews.example.com"}); got.Matched ||
		got.Reason != "no VirtualService bound to gateway istio-system/other routes reviews.example.com: the gateway answers 404; VirtualService bookinfo/reviews routes it but is bound to [bookinfo/bookinfo-gateway, mesh]" {
		t.Errorf("another gateway: %q", got.Reason)
	}
}

// TestHostIntersection follows host.Names.Intersection and
// host.NamesForNamespace (pkg/config/host), which decide the virtual hosts
// of a gateway.
func TestHostIntersection(t *testing.T) {
	for _, tt := range []struct {
		server []string
		ns     string
		vs     []string
		want   string
	}{
		{[]string{"*.example.com"}, "shop", []string{"a.example.com", "b.example.com"}, "a.example.com,b.example.com"},
		{[]string{"a.example.com", "b.example.com"}, "shop", []string{"*.example.com"}, "a.example.com,b.example.com"},
		{[]string{"foo.com", "*.net"}, "shop", []string{"*.com", "bar.net"}, "foo.com,bar.net"},
		{[]string{"foo.com", "*.net"}, "shop", []string{"*.bar.net"}, "*.bar.net"},
		{[]string{"shop/a.example.com", "other/b.example.com"}, "shop", []string{"a.example.com", "b.example.com"}, "a.example.com"},
		{[]string{"*/a.example.com"}, "any", []string{"a.example.com"}, "a.example.com"},
		{[]string{"*.example.com"}, "shop", []string{"example.com"}, ""},
		{[]string{"*"}, "shop", []string{"x.y"}, "x.y"},
	} {
		got := strings.Join(intersectHosts(hostsForNamespace(tt.server, tt.ns), tt.vs), ",")
		if got != tt.want {
			t.Errorf("server %v in %s with %v: %q, want %q", tt.server, tt.ns, tt.vs, got, tt.want)
		}
	}
}
