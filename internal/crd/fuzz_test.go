package crd

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzValidate feeds arbitrary YAML to Validate: it must never panic, must
// report only errors with a position and a message, and must give the same
// answer twice.
func FuzzValidate(f *testing.F) {
	for _, file := range []string{"testdata/bench-virtualservice.yaml", "testdata/bench-destinationrule.yaml"} {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(src))
	}
	// The documents of every kind the webhook checks cover.
	kinds, err := os.ReadFile("testdata/webhook-kinds.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, doc := range strings.Split(string(kinds), "\n---\n") {
		f.Add(doc)
	}
	f.Add(vs("  hosts: [reviews]\n  http:\n  - route:\n    - destination: &d {host: reviews}\n    - destination: {<<: *d, subset: v2}\n    timeout: 1x\n"))
	f.Add(pa("  selector: {matchLabels: {a: '*'}}\n  portLevelMtls: {acd: {mode: X}, 0: ~}\n"))
	f.Add(dr("  host: 80\n  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {maglev: {tableSize: 4}}}}\n"))
	f.Add(object("networking.istio.io/v1", "ServiceEntry", "  hosts: ['*']\n  ports: [{number: 1, name: a}, {number: 1, name: a}]\n  endpoints: [{address: 'unix://'}]\n"))
	f.Add(object("extensions.istio.io/v1alpha1", "WasmPlugin", "  url: '::'\n"))
	f.Add("apiVersion: networking.istio.io/v1\nkind: Gateway\nspec: !!binary aGk=\n")
	f.Add(vs("  hosts: ['*.example.com']\n  gateways: [mesh, ns/gw]\n  tls:\n  - match: [{sniHosts: [a.example.com, b.org], destinationSubnets: [10.0.0.0/8]}]\n    route: [{destination: {host: a, port: {number: 443}}}]\n" +
		"  http:\n  - redirect: {scheme: ftp, port: 70000}\n    rewrite: {uri: /}\n    headers: {request: {set: {':authority': x, host: y}}}\n    retries: {retryOn: '5xx, reset'}\n"))
	f.Add(dr("  host: r\n  exportTo: ['*', '.']\n  trafficPolicy:\n    tls: {mode: MUTUAL}\n    loadBalancer:\n      warmup: {duration: 1s, aggression: 0}\n" +
		"      localityLbSetting: {distribute: [{from: a, to: {b: 0}}], failover: [{from: a, to: a}]}\n    connectionPool: {tcp: {maxConnections: -1}}\n"))
	// The checks of a Class.
	f.Add(vs("  hosts: [r]\n  http:\n  - match: [{uri: {regex: '(?!x'}, withoutHeaders: {a: {regex: '*'}}}]\n    rewrite: {uriRegexRewrite: {match: '\\\\1', rewrite: /}}\n" +
		"    route: [{destination: {host: r}, weight: -1}, {destination: {host: s}, weight: 1}]\n    mirror: {host: s}\n    mirrorPercent: 101\n    mirrorPercentage: {value: -0.5}\n" +
		"  tcp:\n  - route: [{destination: {host: r}, weight: 0}, {destination: {host: s}}]\n"))
	f.Add(dr("  host: r\n  subsets: [{name: a}, {name: a}, {name: b}, {name: a}]\n"))
	f.Add("a: &a [x, x]\nb: &b [*a, *a]\napiVersion: networking.istio.io/v1\nkind: VirtualService\nspec: {hosts: *b}\n")
	f.Fuzz(func(t *testing.T, src string) {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			return
		}
		errs, ok := Validate(&doc)
		if !ok && errs != nil {
			t.Fatalf("errors for a document that is not an Istio object: %v", errs)
		}
		for _, e := range errs {
			if e.Message == "" || e.Line < 1 || e.Column < 1 {
				t.Fatalf("error without a message or position: %+v", e)
			}
		}
		again, _ := Validate(&doc)
		if !reflect.DeepEqual(errs, again) {
			t.Fatalf("Validate is not deterministic:\n%v\n%v", errs, again)
		}
	})
}
