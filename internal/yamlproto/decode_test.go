package yamlproto

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	networking "istio.io/api/networking/v1"
	v1alpha3 "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1"
)

func parse(t testing.TB, s string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestDecodeMatchesProtojson checks that valid specs decode to exactly what
// protojson makes of the same data in JSON.
func TestDecodeMatchesProtojson(t *testing.T) {
	tests := []struct {
		name, yaml, json string
		msg              func() proto.Message
	}{{
		name: "virtualservice",
		msg:  func() proto.Message { return &networking.VirtualService{} },
		yaml: `
hosts: [reviews]
http:
- name: canary
  match:
  - headers:
      end-user: {exact: jason}
      cookie: {regex: "^(.*?;)?(user=beta)(;.*)?$"}
  route:
  - destination: {host: reviews, subset: v1, port: {number: 9080}}
    weight: 90
  - destination: {host: reviews, subset: v2}
    weight: 10
  mirror: {host: reviews, subset: v2}
  mirrorPercentage: {value: 100.0}
  timeout: 10s
  retries: {attempts: 3, perTryTimeout: 3s, retryOn: "5xx,reset"}
  fault:
    delay: {percentage: {value: 10}, fixedDelay: 5s}
    abort: {percentage: {value: 10}, httpStatus: 500}
`,
		json: `{"hosts":["reviews"],"http":[{"name":"canary","match":[{"headers":{"end-user":{"exact":"jason"},"cookie":{"regex":"^(.*?;)?(user=beta)(;.*)?$"}}}],
"route":[{"destination":{"host":"reviews","subset":"v1","port":{"number":9080}},"weight":90},{"destination":{"host":"reviews","subset":"v2"},"weight":10}],
"mirror":{"host":"reviews","subset":"v2"},"mirrorPercentage":{"value":100},"timeout":"10s","retries":{"attempts":3,"perTryTimeout":"3s","retryOn":"5xx,reset"},
"fault":{"delay":{"percentage":{"value":10},"fixedDelay":"5s"},"abort":{"percentage":{"value":10},"httpStatus":500}}}]}`,
	}, {
		name: "destinationrule",
		msg:  func() proto.Message { return &networking.DestinationRule{} },
		yaml: `
host: reviews
trafficPolicy:
  connectionPool: {tcp: {maxConnections: 100}, http: {http1MaxPendingRequests: 10}}
  outlierDetection: {consecutive5xxErrors: 5, interval: 30s, baseEjectionTime: 60s}
  tls: {mode: ISTIO_MUTUAL}
subsets:
- name: v1
  labels: {version: v1}
`,
		json: `{"host":"reviews","trafficPolicy":{"connectionPool":{"tcp":{"maxConnections":100},"http":{"http1MaxPendingRequests":10}},
"outlierDetection":{"consecutive5xxErrors":5,"interval":"30s","baseEjectionTime":"60s"},"tls":{"mode":"ISTIO_MUTUAL"}},
"subsets":[{"name":"v1","labels":{"version":"v1"}}]}`,
	}, {
		name: "peerauthentication with port keys as numbers",
		msg:  func() proto.Message { return &security.PeerAuthentication{} },
		yaml: `
selector: {matchLabels: {app: reviews}}
mtls: {mode: STRICT}
portLevelMtls:
  8080: {mode: PERMISSIVE}
  "9090": {mode: 3}
`,
		json: `{"selector":{"matchLabels":{"app":"reviews"}},"mtls":{"mode":"STRICT"},"portLevelMtls":{"8080":{"mode":"PERMISSIVE"},"9090":{"mode":"STRICT"}}}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.msg()
			Decode(parse(t, tt.yaml), got.ProtoReflect())
			want := tt.msg()
			if err := protojson.Unmarshal([]byte(tt.json), want); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("Decode = %v\nwant %v", got, want)
			}
		})
	}
}

// TestDecodeLenient checks that Decode keeps what fits and drops what does
// not, one value at a time: whether the spec is valid is internal/crd's to
// say.
func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		json string // what the spec decodes to, as protojson writes it
	}{{
		name: "unknown fields are skipped",
		yaml: "hosts: [a]\nwieght: 3\nhttp: [{route: [{destination: {host: a}, wieght: 5}]}]",
		json: `{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}}]}]}`,
	}, {
		name: "a wrong type drops only that value",
		yaml: "hosts: [a]\nhttp:\n- route:\n  - destination: {host: a}\n    weight: ninety\n  - destination: {host: b}\n    weight: 10",
		json: `{"hosts":["a"],"http":[{"route":[{"destination":{"host":"a"}},{"destination":{"host":"b"},"weight":10}]}]}`,
	}, {
		name: "out of range",
		yaml: "http: [{route: [{destination: {host: a}, weight: 3000000000}, {destination: {host: b}, weight: -1e10}]}]",
		json: `{"http":[{"route":[{"destination":{"host":"a"}},{"destination":{"host":"b"}}]}]}`,
	}, {
		name: "durations in Go syntax",
		yaml: "http: [{timeout: 1m30s, retries: {perTryTimeout: 1500ms}}]",
		json: `{"http":[{"timeout":"90s","retries":{"perTryTimeout":"1.500s"}}]}`,
	}, {
		// A message of the wrong shape is left empty, but set.
		name: "bad duration",
		yaml: "http: [{timeout: soon, name: a}]",
		json: `{"http":[{"name":"a","timeout":"0s"}]}`,
	}, {
		name: "map where a list belongs",
		yaml: "hosts: {a: b}\nhttp: [{match: {uri: {exact: /}}, name: a}]",
		json: `{"http":[{"name":"a"}]}`,
	}, {
		name: "scalar where a message belongs",
		yaml: "http: [{route: [{destination: reviews, weight: 5}]}]",
		json: `{"http":[{"route":[{"destination":{},"weight":5}]}]}`,
	}, {
		name: "quoted and float integers as protojson takes them",
		yaml: `http: [{route: [{destination: {host: a}, weight: "60"}, {destination: {host: b}, weight: 40.0}]}]`,
		json: `{"http":[{"route":[{"destination":{"host":"a"},"weight":60},{"destination":{"host":"b"},"weight":40}]}]}`,
	}, {
		name: "null clears",
		yaml: "hosts: ~\nhttp: [{name: ~}]",
		json: `{"http":[{}]}`,
	}, {
		name: "null list item",
		yaml: "hosts: [a, ~, b]",
		json: `{"hosts":["a","b"]}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := &networking.VirtualService{}
			Decode(parse(t, tt.yaml), got.ProtoReflect())
			want := &networking.VirtualService{}
			if err := protojson.Unmarshal([]byte(tt.json), want); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("Decode = %v\nwant %v", got, want)
			}
		})
	}
}

func TestDecodeDropsUnknownEnumsAndKeys(t *testing.T) {
	pa := &security.PeerAuthentication{}
	Decode(parse(t, "mtls: {mode: BLAH}\nportLevelMtls: {acd: {mode: STRICT}, 8080: {mode: 2}}"), pa.ProtoReflect())
	want := &security.PeerAuthentication{
		Mtls:          &security.PeerAuthentication_MutualTLS{},
		PortLevelMtls: map[uint32]*security.PeerAuthentication_MutualTLS{8080: {Mode: security.PeerAuthentication_MutualTLS_PERMISSIVE}},
	}
	if !proto.Equal(pa, want) {
		t.Errorf("Decode = %v\nwant %v", pa, want)
	}
}

func TestDecodeDepth(t *testing.T) {
	// EnvoyFilter-style free-form structs nest arbitrarily; Decode stops.
	deep := strings.Repeat("[", 500) + strings.Repeat("]", 500)
	v := &networking.VirtualService{}
	Decode(parse(t, "http: [{route: [{destination: {host: a}}]}]\nexportTo: "+deep), v.ProtoReflect())
	if v.GetHttp()[0].GetRoute()[0].GetDestination().GetHost() != "a" {
		t.Errorf("host lost")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"hosts: [a]\nhttp: [{route: [{destination: {host: a, subset: v1}, weight: 100}]}]",
		"http: [{timeout: 1m, mirrorPercentage: {value: .nan}}]",
		"a: &a {b: *a}",
		"<<: [{hosts: [x]}, {gateways: [y]}]",
		"tcp: [{route: [{weight: 1e99}]}]",
	} {
		f.Add(s)
	}
	msgs := []func() protoreflect.Message{
		func() protoreflect.Message { return (&networking.VirtualService{}).ProtoReflect() },
		func() protoreflect.Message { return (&networking.DestinationRule{}).ProtoReflect() },
		func() protoreflect.Message { return (&security.PeerAuthentication{}).ProtoReflect() },
		func() protoreflect.Message { return (&v1alpha3.EnvoyFilter{}).ProtoReflect() },
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) != nil {
			return
		}
		for _, m := range msgs {
			Decode(&n, m())
		}
	})
}

// shared replaces the aliases of n by the values they name, shared as
// package manifest resolves them: the tree Decode is given.
func shared(n *yaml.Node) *yaml.Node {
	for i, c := range n.Content {
		for c.Kind == yaml.AliasNode {
			c = c.Alias
		}
		n.Content[i] = shared(c)
	}
	return n
}

func TestDecodeAliasBomb(t *testing.T) {
	// Billion laughs inside a free-form struct, as a resolved tree of shared
	// values (10^9 of them, written in 10 lines): Decode must stop early.
	var b strings.Builder
	b.WriteString("configPatches:\n- patch:\n    value:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString("  applyTo: CLUSTER\n")
	ef := &v1alpha3.EnvoyFilter{}
	DecodeWithin(shared(parse(t, b.String())), ef.ProtoReflect(), 10000)
	p := ef.GetConfigPatches()
	if len(p) != 1 || len(p[0].GetPatch().GetValue().GetFields()) != 0 {
		t.Errorf("patch = %v, want the value that expands past the budget dropped", p)
	}
	if len(p) == 1 && p[0].GetApplyTo() != v1alpha3.EnvoyFilter_CLUSTER {
		t.Errorf("applyTo = %v, want CLUSTER: a field after the bomb is still read while the budget lasts", p[0].GetApplyTo())
	}
}
