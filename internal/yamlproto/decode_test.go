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
	}, {
		name: "anchors and merge keys",
		msg:  func() proto.Message { return &networking.VirtualService{} },
		yaml: `
hosts: [reviews]
http:
- route:
  - destination: &stable {host: reviews, subset: v1}
    weight: 90
  - destination:
      <<: *stable
      subset: v2
    weight: 10
`,
		json: `{"hosts":["reviews"],"http":[{"route":[{"destination":{"host":"reviews","subset":"v1"},"weight":90},{"destination":{"host":"reviews","subset":"v2"},"weight":10}]}]}`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.msg()
			if errs := Decode(parse(t, tt.yaml), got.ProtoReflect(), "spec"); len(errs) != 0 {
				t.Fatalf("Decode errors: %v", errs)
			}
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

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		wantErrs []string // "path: message substring"
		check    func(t *testing.T, vs *networking.VirtualService)
	}{{
		name: "unknown fields are skipped silently",
		yaml: "hosts: [a]\nwieght: 3\nhttp: [{route: [{destination: {host: a}, wieght: 5}]}]",
		check: func(t *testing.T, vs *networking.VirtualService) {
			if len(vs.GetHttp()) != 1 || vs.GetHttp()[0].GetRoute()[0].GetDestination().GetHost() != "a" {
				t.Errorf("known fields lost: %v", vs)
			}
		},
	}, {
		name:     "a wrong type drops only that value",
		yaml:     "hosts: [a]\nhttp:\n- route:\n  - destination: {host: a}\n    weight: ninety\n  - destination: {host: b}\n    weight: 10",
		wantErrs: []string{"spec.http[0].route[0].weight: want an integer"},
		check: func(t *testing.T, vs *networking.VirtualService) {
			r := vs.GetHttp()[0].GetRoute()
			if len(r) != 2 || r[0].GetWeight() != 0 || r[1].GetWeight() != 10 {
				t.Errorf("route = %v", r)
			}
		},
	}, {
		name:     "out of range",
		yaml:     "http: [{route: [{destination: {host: a}, weight: 3000000000}]}]",
		wantErrs: []string{"spec.http[0].route[0].weight: 3000000000 is out of range"},
	}, {
		name: "durations in Go syntax",
		yaml: "http: [{timeout: 1m30s, retries: {perTryTimeout: 1500ms}}]",
		check: func(t *testing.T, vs *networking.VirtualService) {
			h := vs.GetHttp()[0]
			if h.GetTimeout().AsDuration().Seconds() != 90 || h.GetRetries().GetPerTryTimeout().AsDuration().Milliseconds() != 1500 {
				t.Errorf("durations = %v %v", h.GetTimeout(), h.GetRetries().GetPerTryTimeout())
			}
		},
	}, {
		name:     "bad duration",
		yaml:     "http: [{timeout: soon}]",
		wantErrs: []string{"spec.http[0].timeout: want a duration"},
	}, {
		name:     "map where a list belongs",
		yaml:     "hosts: {a: b}\nhttp: [{match: {uri: {exact: /}}}]",
		wantErrs: []string{"spec.hosts: want a list, got a map", "spec.http[0].match: want a list, got a map"},
	}, {
		name:     "scalar where a message belongs",
		yaml:     "http: [{route: [{destination: reviews}]}]",
		wantErrs: []string{"spec.http[0].route[0].destination: want a map, got a string"},
	}, {
		name: "quoted and float integers as protojson takes them",
		yaml: `http: [{route: [{destination: {host: a}, weight: "60"}, {destination: {host: b}, weight: 40.0}]}]`,
		check: func(t *testing.T, vs *networking.VirtualService) {
			r := vs.GetHttp()[0].GetRoute()
			if r[0].GetWeight() != 60 || r[1].GetWeight() != 40 {
				t.Errorf("weights = %d %d", r[0].GetWeight(), r[1].GetWeight())
			}
		},
	}, {
		name: "null clears",
		yaml: "hosts: ~\nhttp: [{name: ~}]",
	}, {
		name:     "null list item",
		yaml:     "hosts: [a, ~]",
		wantErrs: []string{"spec.hosts[1]: null in a list"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := &networking.VirtualService{}
			errs := Decode(parse(t, tt.yaml), vs.ProtoReflect(), "spec")
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("errors = %v, want %d like %v", errs, len(tt.wantErrs), tt.wantErrs)
			}
			for i, e := range errs {
				if !strings.Contains(e.Error(), tt.wantErrs[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, e, tt.wantErrs[i])
				}
			}
			if tt.check != nil {
				tt.check(t, vs)
			}
		})
	}
}

func TestDecodeEnumErrors(t *testing.T) {
	pa := &security.PeerAuthentication{}
	errs := Decode(parse(t, "mtls: {mode: BLAH}\nportLevelMtls: {acd: {mode: STRICT}}"), pa.ProtoReflect(), "spec")
	if len(errs) != 2 ||
		!strings.Contains(errs[0].Error(), `spec.mtls.mode: unknown value "BLAH", want one of UNSET, DISABLE, PERMISSIVE, STRICT`) ||
		!strings.Contains(errs[1].Error(), `spec.portLevelMtls.acd: map key "acd": not a number`) {
		t.Errorf("errors = %v", errs)
	}
}

func TestDecodeDepth(t *testing.T) {
	// EnvoyFilter-style free-form structs nest arbitrarily; Decode stops.
	deep := strings.Repeat("[", 500) + strings.Repeat("]", 500)
	v := &networking.VirtualService{}
	_ = Decode(parse(t, "http: [{route: [{destination: {host: a}}]}]\nexportTo: "+deep), v.ProtoReflect(), "spec")
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
			Decode(&n, m(), "spec")
		}
	})
}

func TestDecodeAliasBomb(t *testing.T) {
	// Billion laughs inside a free-form struct: Decode must stop early.
	var b strings.Builder
	b.WriteString("configPatches:\n- patch:\n    value:\n      l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "      l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	ef := &v1alpha3.EnvoyFilter{}
	errs := DecodeWithin(parse(t, b.String()), ef.ProtoReflect(), "spec", 10000)
	if len(errs) == 0 || !strings.Contains(errs[len(errs)-1].Message, "more than 10000 values (too many aliases)") {
		t.Errorf("errors = %v, want too many aliases", errs)
	}
}
