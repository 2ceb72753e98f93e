package route

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	networkingv1 "istio.io/api/networking/v1"
)

// indent re-indents a YAML fragment to sit under a list item at depth n.
func indent(s string, n int) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
}

func TestIneffectiveHTTP(t *testing.T) {
	tests := []struct {
		name           string
		earlier, later string // one match block each, in routes 0 and 1
		// want is "" (no finding), "covers", "same" (identical conditions)
		// or "catch-all" (the earlier block takes everything, so the later
		// route is unreachable rather than its block ineffective).
		want string
	}{
		{"longer prefix", `uri: {prefix: /api}`, `uri: {prefix: /api/v1}`, "covers"},
		{"shorter prefix", `uri: {prefix: /api/v1}`, `uri: {prefix: /api}`, ""},
		{"same exact", `uri: {exact: /a}`, `uri: {exact: /a}`, "same"},
		{"names do not count", "name: first\nuri: {exact: /a}", "name: second\nuri: {exact: /a}", "same"},
		{"other exact", `uri: {exact: /a}`, `uri: {exact: /b}`, ""},
		{"exact does not cover a prefix", `uri: {exact: /a}`, `uri: {prefix: /a}`, ""},
		{"prefix does not cover an exact (IST0131)", `uri: {prefix: /a}`, `uri: {exact: /a/b}`, ""},
		{"regex never covers another regex", `uri: {regex: "/api/.*"}`, `uri: {regex: "/api/v1/.*"}`, ""},
		{"regex does not cover an exact it matches", `uri: {regex: "/a.*"}`, `uri: {exact: /ab}`, ""},
		{"identical regex", `uri: {regex: "/api/.*"}`, `uri: {regex: "/api/.*"}`, "same"},
		{"regex .* matches every path", `uri: {regex: ".*"}`, `uri: {exact: /x}`, "catch-all"},
		{"prefix / matches every path", `uri: {prefix: /}`, `headers: {x: {exact: "1"}}`, "catch-all"},
		{"no uri is prefix /", "uri: {prefix: /}\nport: 80", "headers: {x: {exact: \"1\"}}\nport: 80", "covers"},
		{"fewer conditions", `uri: {prefix: /api}`, "uri: {prefix: /api}\nmethod: {exact: GET}", "covers"},
		{"more conditions", "uri: {prefix: /api}\nmethod: {exact: GET}", `uri: {prefix: /api}`, ""},
		{"different methods", "uri: {prefix: /api}\nmethod: {exact: GET}", "uri: {prefix: /api}\nmethod: {exact: POST}", ""},
		{"method prefix", `method: {prefix: P}`, `method: {exact: POST}`, ""},
		{"method presence is no condition", "method: {}\nport: 80", "uri: {prefix: /x}\nport: 80", "covers"},
		{"authority prefix", `authority: {prefix: api.}`, `authority: {prefix: api.example.com}`, "covers"},
		{"header subset", `headers: {end-user: {exact: jason}}`, "headers: {end-user: {exact: jason}, x-env: {exact: prod}}", "covers"},
		{"header superset", "headers: {end-user: {exact: jason}, x-env: {exact: prod}}", `headers: {end-user: {exact: jason}}`, ""},
		{"header values differ", `headers: {end-user: {exact: jason}}`, `headers: {end-user: {exact: bob}}`, ""},
		{"header presence covers any value", `headers: {x-debug: {}}`, `headers: {x-debug: {exact: "1"}}`, "covers"},
		{"header regex * is presence", `headers: {x-debug: {regex: "*"}}`, `headers: {x-debug: {prefix: "a"}}`, "covers"},
		{"header value does not cover presence", `headers: {x-debug: {exact: "1"}}`, `headers: {x-debug: {}}`, ""},
		{"header name case", `headers: {X-Debug: {exact: "1"}}`, `headers: {x-debug: {exact: "1"}, b: {}}`, "covers"},
		{"cookie regexes", `headers: {cookie: {regex: "^(.*?;)?(user=beta)(;.*)?$"}}`, `headers: {cookie: {regex: "(?s)^(?:.*;)?[ \\t]*user=beta[ \\t]*(?:;.*)?$"}}`, ""},
		{"query param subset", `queryParams: {v: {exact: "2"}}`, "queryParams: {v: {exact: \"2\"}, w: {}}", "covers"},
		{"withoutHeaders same", `withoutHeaders: {x-debug: {}}`, "withoutHeaders: {x-debug: {}}\nuri: {prefix: /a}", "covers"},
		{"withoutHeaders absent implies other value", `withoutHeaders: {x-env: {exact: prod}}`, `withoutHeaders: {x-env: {}}`, "covers"},
		{"withoutHeaders absent is empty", `withoutHeaders: {x-env: {exact: ""}}`, `withoutHeaders: {x-env: {}}`, ""},
		{"withoutHeaders wider rejection", `withoutHeaders: {x-env: {prefix: prod}}`, `withoutHeaders: {x-env: {prefix: pro}}`, "covers"},
		{"withoutHeaders narrower rejection", `withoutHeaders: {x-env: {prefix: pro}}`, `withoutHeaders: {x-env: {prefix: prod}}`, ""},
		{"withoutHeaders missing later", `withoutHeaders: {x-env: {}}`, `uri: {prefix: /}`, ""},
		{"source labels subset", `sourceLabels: {app: productpage}`, `sourceLabels: {app: productpage, version: v2}`, "covers"},
		{"source labels superset", `sourceLabels: {app: productpage, version: v2}`, `sourceLabels: {app: productpage}`, ""},
		{"source namespace", `sourceNamespace: a`, `sourceNamespace: b`, ""},
		{"no source namespace", `uri: {prefix: /x}`, "uri: {prefix: /x}\nsourceNamespace: b", "covers"},
		{"port", `port: 9080`, `port: 9080`, "same"},
		{"any port", `uri: {prefix: /a}`, "port: 9080\nuri: {prefix: /a/b}", "covers"},
		{"one port", "port: 9080\nuri: {prefix: /a}", `uri: {prefix: /a/b}`, ""},
		{"more gateways", "gateways: [mesh, gw]\nuri: {prefix: /x}", "gateways: [mesh]\nuri: {prefix: /x}", "covers"},
		{"gateways covering the VirtualService's", `gateways: [mesh, gw]`, `uri: {prefix: /x}`, "catch-all"},
		{"fewer gateways", "gateways: [mesh]\nuri: {prefix: /x}", "gateways: [mesh, gw]\nuri: {prefix: /x}", ""},
		{"match gateways ignore source labels", "gateways: [mesh]\nsourceLabels: {app: a}\nport: 80", "uri: {prefix: /x}\nport: 80", "covers"},
		{"empty block", `name: everything`, `uri: {exact: /x}`, "catch-all"},
		{"labels do not cover a gateway match", `sourceLabels: {app: a}`, `gateways: [mesh]`, ""},
		{"ignoreUriCase widens", "uri: {prefix: /API}\nignoreUriCase: true", `uri: {prefix: /api/x}`, "covers"},
		{"case-sensitive does not cover ignoreUriCase", `uri: {prefix: /api}`, "uri: {prefix: /api/x}\nignoreUriCase: true", ""},
		{"ignoreUriCase exact", "uri: {exact: /A}\nignoreUriCase: true", "uri: {exact: /a}\nignoreUriCase: true", "covers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := "hosts: [reviews]\nhttp:\n- match:\n  - " + indent(tt.earlier, 4) +
				"\n  route: [{destination: {host: a}}]\n- match:\n  - " + indent(tt.later, 4) +
				"\n  route: [{destination: {host: b}}]\n"
			vs := parseSpec(t, spec)
			got := Ineffective(vs)
			unreachable := Unreachable(vs)
			switch tt.want {
			case "":
				if len(got) != 0 || len(unreachable) != 0 {
					t.Fatalf("want no finding, got %+v and %+v", got, unreachable)
				}
			case "catch-all":
				want := []Finding{{Kind: "http", Route: 1, Match: -1, By: 0, ByMatch: 0,
					Path: "spec.http[1]", ByPath: "spec.http[0].match[0]"}}
				if len(unreachable) == 1 {
					unreachable[0].Reason = ""
				}
				if len(got) != 0 || !reflect.DeepEqual(unreachable, want) {
					t.Fatalf("want only %+v, got %+v and %+v", want, got, unreachable)
				}
			default:
				if len(got) != 1 {
					t.Fatalf("want one finding, got %+v", got)
				}
				f := got[0]
				want := Finding{Kind: "http", Route: 1, Match: 0, By: 0, ByMatch: 0, Duplicate: tt.want == "same",
					Path: "spec.http[1].match[0]", ByPath: "spec.http[0].match[0]", Reason: f.Reason}
				if !reflect.DeepEqual(f, want) {
					t.Errorf("got  %+v\nwant %+v", f, want)
				}
				// A route whose only block is merely covered stays reachable
				// in IST0130's terms; an identical one does not.
				if (len(unreachable) == 1) != (tt.want == "same") {
					t.Errorf("Unreachable = %+v", unreachable)
				}
			}
		})
	}
}

func TestUnreachableHTTP(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []Finding // Reason not compared
	}{
		{"route without match before others", `
- route: [{destination: {host: a}}]
- match: [{uri: {prefix: /x}}]
  route: [{destination: {host: b}}]
- route: [{destination: {host: c}}]`,
			[]Finding{
				{Kind: "http", Route: 1, Match: -1, By: 0, ByMatch: -1, Path: "spec.http[1]", ByPath: "spec.http[0]"},
				{Kind: "http", Route: 2, Match: -1, By: 0, ByMatch: -1, Path: "spec.http[2]", ByPath: "spec.http[0]"},
			}},
		{"prefix / is a catch-all", `
- match: [{uri: {prefix: /}}]
  route: [{destination: {host: a}}]
- match: [{headers: {end-user: {exact: jason}}}]
  route: [{destination: {host: b}}]`,
			[]Finding{{Kind: "http", Route: 1, Match: -1, By: 0, ByMatch: 0, Path: "spec.http[1]", ByPath: "spec.http[0].match[0]"}}},
		{"an empty block among others is a catch-all", `
- match: [{headers: {x: {exact: "1"}}}, {}]
  route: [{destination: {host: a}}]
- route: [{destination: {host: b}}]`,
			[]Finding{{Kind: "http", Route: 1, Match: -1, By: 0, ByMatch: 1, Path: "spec.http[1]", ByPath: "spec.http[0].match[1]"}}},
		{"a source-restricted prefix / is not a catch-all", `
- match: [{uri: {prefix: /}, sourceLabels: {app: a}}]
  route: [{destination: {host: a}}]
- route: [{destination: {host: b}}]`, nil},
		{"a catch-all last is fine", `
- match: [{headers: {end-user: {exact: jason}}}]
  route: [{destination: {host: a}}]
- route: [{destination: {host: b}}]`, nil},
		{"every block repeated", `
- match: [{uri: {exact: /a}}]
  route: [{destination: {host: a}}]
- match: [{uri: {exact: /b}}]
  route: [{destination: {host: a}}]
- match: [{uri: {exact: /b}}, {uri: {exact: /a}}]
  route: [{destination: {host: b}}]`,
			[]Finding{{Kind: "http", Route: 2, Match: -1, By: 1, ByMatch: 0, Duplicate: true, Path: "spec.http[2]", ByPath: "spec.http[1].match[0]"}}},
		{"one new block keeps the route", `
- match: [{uri: {exact: /a}}]
  route: [{destination: {host: a}}]
- match: [{uri: {exact: /a}}, {uri: {exact: /c}}]
  route: [{destination: {host: b}}]`, nil},
		{"repeats within one route do not count", `
- match: [{uri: {exact: /a}}, {uri: {exact: /a}}]
  route: [{destination: {host: b}}]`, nil},
		{"seed patterns are all reachable", strings.TrimPrefix(seedPatterns, "\nhosts: [reviews]\nhttp:"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unreachable(parseSpec(t, "hosts: [reviews]\nhttp:"+tt.spec+"\n"))
			for i := range got {
				if got[i].Reason == "" {
					t.Errorf("finding %d has no reason", i)
				}
				got[i].Reason = ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCoverageTCPAndTLS(t *testing.T) {
	tests := []struct {
		name        string
		spec        string
		ineffective []string // paths
		unreachable []string
	}{
		{"tcp port and labels", `
tcp:
- match: [{port: 31400}]
  route: [{destination: {host: a}}]
- match: [{port: 31400, sourceLabels: {app: x}}, {port: 31401}]
  route: [{destination: {host: b}}]`, []string{"spec.tcp[1].match[0]"}, nil},
		{"tcp subnets", `
tcp:
- match: [{destinationSubnets: [10.0.0.0/8]}]
  route: [{destination: {host: a}}]
- match: [{destinationSubnets: [10.1.0.0/16, 10.2.3.4]}, {destinationSubnets: [11.0.0.0/16]}, {destinationSubnets: [10.0.0.0/7]}]
  route: [{destination: {host: b}}]`, []string{"spec.tcp[1].match[0]"}, nil},
		{"tcp empty match is a catch-all", `
tcp:
- match: [{}]
  route: [{destination: {host: a}}]
- match: [{port: 1}]
  route: [{destination: {host: b}}]`, nil, []string{"spec.tcp[1]"}},
		{"tls wildcard sni", `
tls:
- match: [{sniHosts: ["*.example.com"]}]
  route: [{destination: {host: a}}]
- match: [{sniHosts: [a.example.com, b.example.com]}, {sniHosts: [example.com]}, {sniHosts: ["*.example.com"], port: 443}]
  route: [{destination: {host: b}}]`, []string{"spec.tls[1].match[0]", "spec.tls[1].match[2]"}, nil},
		{"tls sni * is a catch-all", `
tls:
- match: [{sniHosts: ["*"]}]
  route: [{destination: {host: a}}]
- match: [{sniHosts: [a.example.com]}]
  route: [{destination: {host: b}}]`, nil, []string{"spec.tls[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := parseSpec(t, "hosts: [\"*\"]"+tt.spec+"\n")
			var ineff, unr []string
			for _, f := range Ineffective(vs) {
				ineff = append(ineff, f.Path)
			}
			for _, f := range Unreachable(vs) {
				unr = append(unr, f.Path)
			}
			if !reflect.DeepEqual(ineff, tt.ineffective) {
				t.Errorf("ineffective %v, want %v", ineff, tt.ineffective)
			}
			if !reflect.DeepEqual(unr, tt.unreachable) {
				t.Errorf("unreachable %v, want %v", unr, tt.unreachable)
			}
		})
	}
}

func TestCoverageOrderAndNil(t *testing.T) {
	vs := parseSpec(t, `
hosts: [r]
http:
- match: [{uri: {prefix: /a}}]
  route: [{destination: {host: a}}]
- match: [{uri: {prefix: /a}}]
  route: [{destination: {host: a}}]
tcp:
- route: [{destination: {host: a}}]
- route: [{destination: {host: a}}]
`)
	var kinds []string
	for _, f := range Unreachable(vs) {
		kinds = append(kinds, f.Path)
	}
	if want := []string{"spec.http[1]", "spec.tcp[1]"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("order %v, want %v", kinds, want)
	}
	// A nil route keeps the others' positions.
	vs.Http = append(vs.Http[:1], append(vs.GetHttp()[:1:1], vs.Http[1:]...)...)
	vs.Http[1] = nil
	got := Ineffective(vs)
	if len(got) != 1 || got[0].Path != "spec.http[2].match[0]" || got[0].ByPath != "spec.http[0].match[0]" {
		t.Errorf("with a nil route: %+v", got)
	}
	if Unreachable(nil) != nil || Ineffective(nil) != nil {
		t.Error("nil VirtualService has findings")
	}
}

func TestCoverageReasons(t *testing.T) {
	vs := parseSpec(t, `
hosts: [r]
http:
- name: products
  match: [{uri: {prefix: /api/v1/product}}, {uri: {prefix: /api/v1/products}}]
  route: [{destination: {host: a}}]
- match: [{uri: {prefix: /api/v1/product}}]
  route: [{destination: {host: b}}]
- route: [{destination: {host: c}}]
- route: [{destination: {host: d}}]
`)
	var got []string
	for _, f := range Ineffective(vs) {
		got = append(got, f.Reason)
	}
	for _, f := range Unreachable(vs) {
		got = append(got, f.Reason)
	}
	want := []string{
		`match[1] of http route 0 ("products") has no effect: match[0] of the same route, tried first, matches every request it matches`,
		`match[0] of http route 1 has no effect: it repeats match[0] of http route 0 ("products"), which is tried first`,
		`http route 1 can never match: each of its match blocks repeats one of an earlier route`,
		`http route 3 can never match: http route 2 before it has no match conditions and takes every request`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reasons\n got %q\nwant %q", got, want)
	}
}

// TestCoverageLargeList checks that a route list beyond maxCoverBlocks is
// still searched for identical blocks, in linear time, but not for covering
// ones.
func TestCoverageLargeList(t *testing.T) {
	vs := &networkingv1.VirtualService{Hosts: []string{"r"}}
	for i := 0; i <= maxCoverBlocks; i++ {
		vs.Http = append(vs.Http, &networkingv1.HTTPRoute{
			Match: []*networkingv1.HTTPMatchRequest{{Uri: &networkingv1.StringMatch{
				MatchType: &networkingv1.StringMatch_Exact{Exact: "/" + strconv.Itoa(i)}}}},
			Route: []*networkingv1.HTTPRouteDestination{{Destination: &networkingv1.Destination{Host: "a"}}},
		})
	}
	prefix := func(p string) *networkingv1.HTTPMatchRequest {
		return &networkingv1.HTTPMatchRequest{Uri: &networkingv1.StringMatch{MatchType: &networkingv1.StringMatch_Prefix{Prefix: p}}}
	}
	vs.Http[1].Match = append(vs.Http[1].Match, prefix("/api"), prefix("/api/v1"))
	vs.Http[2].Match[0] = vs.Http[0].Match[0]
	var got []string
	for _, f := range Ineffective(vs) {
		got = append(got, f.Path)
	}
	if want := []string{"spec.http[2].match[0]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
