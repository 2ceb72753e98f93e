package crd

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/lint/linttest"
)

// want is one expected error: its path, position and a part of its message.
type want struct {
	path      string
	line, col int
	msg       string
}

func (w want) String() string { return fmt.Sprintf("%d:%d %s: %q", w.line, w.col, w.path, w.msg) }

func parse(t testing.TB, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("parsing test input: %v\n%s", err, src)
	}
	return &n
}

// expect validates src and compares the errors, in position order, with
// wants.
func expect(t *testing.T, src string, wants ...want) {
	t.Helper()
	errs, ok := Validate(parse(t, src))
	if !ok {
		t.Fatalf("Validate says the document is not an Istio object:\n%s", src)
	}
	match := len(errs) == len(wants)
	for i := 0; match && i < len(wants); i++ {
		e, w := errs[i], wants[i]
		match = e.Path == w.path && e.Line == w.line && e.Column == w.col && strings.Contains(e.Message, w.msg)
	}
	if match {
		return
	}
	var got, exp strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&got, "\n  %d:%d %s: %q", e.Line, e.Column, e.Path, e.Message)
	}
	for _, w := range wants {
		fmt.Fprintf(&exp, "\n  %v", w)
	}
	t.Errorf("errors differ\ngot:%s\nwant:%s", got.String(), exp.String())
}

// object builds a document whose spec starts on line 6.
func object(apiVersion, kind, spec string) string {
	return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: x\nspec:\n" + spec
}

func vs(spec string) string { return object("networking.istio.io/v1", "VirtualService", spec) }
func dr(spec string) string { return object("networking.istio.io/v1", "DestinationRule", spec) }
func pa(spec string) string { return object("security.istio.io/v1", "PeerAuthentication", spec) }

func TestValidateSchema(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		wants []want
	}{
		{"valid virtual service", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 100
`), nil},
		{"unknown field suggests the close name", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      wieght: 100
`), []want{{"spec.http[0].route[0].wieght", 10, 7, `unknown field "wieght" in spec.http[0].route[0]; did you mean "weight"?`}}},
		{"unknown field in snake case suggests camel case", dr(`  host: reviews
  trafficPolicy:
    connectionPool:
      http:
        max_retries: 3
`), []want{{"spec.trafficPolicy.connectionPool.http.max_retries", 10, 9, `did you mean "maxRetries"?`}}},
		{"field indented one level too deep", vs(`  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
        weight: 100
`), []want{{"spec.http[0].route[0].destination.weight", 11, 9, "belongs one level up"}}},
		{"field indented one level too shallow", vs(`  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
      subset: v1
`), []want{{"spec.http[0].route[0].subset", 11, 7, `belongs inside "destination"`}}},
		{"unknown top-level field", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: x
specs:
  host: reviews
`, []want{{"specs", 5, 1, `unknown field "specs" at the top level of the DestinationRule; did you mean "spec"?`}}},
		{"unknown metadata field", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: x
  label:
    app: reviews
spec:
  host: reviews
`, []want{{"metadata.label", 5, 3, `did you mean "labels"?`}}},
		{"required field missing points at the parent key", dr(`  subsets:
  - name: v1
`), []want{{"spec.host", 5, 1, "spec.host is required"}}},
		{"required field of a list item points at the item", vs(`  hosts: [reviews]
  http:
  - route:
    - weight: 100
`), []want{{"spec.http[0].route[0].destination", 9, 7, "spec.http[0].route[0].destination is required"}}},
		{"null counts as missing", dr(`  host: ~
`), []want{{"spec.host", 5, 1, "spec.host is required"}}},
		{"empty optional object is pruned", dr(`  host: reviews
  trafficPolicy:
`), nil},
		{"string where an object belongs", dr(`  host: reviews
  trafficPolicy: ROUND_ROBIN
`), []want{{"spec.trafficPolicy", 7, 18, `spec.trafficPolicy must be an object, not the string "ROUND_ROBIN"`}}},
		{"string where a list belongs", vs(`  hosts: reviews
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.hosts", 6, 10, "must be a list, not the string \"reviews\"; write it as a list"}}},
		{"list where an object belongs", dr(`  host: reviews
  trafficPolicy:
  - loadBalancer:
      simple: RANDOM
`), []want{{"spec.trafficPolicy", 8, 3, `must be an object, not a list; remove the "- "`}}},
		{"integer where a string belongs", vs(`  hosts: [80]
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.hosts[0]", 6, 11, `spec.hosts[0] must be a string, not the integer 80; quote it: "80"`}}},
		{"quoted number where an integer belongs", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: "100"
`), []want{{"spec.http[0].route[0].weight", 10, 15, `must be an integer, not the string "100"; remove the quotes`}}},
		{"fraction where an integer belongs", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 50.5
`), []want{{"spec.http[0].route[0].weight", 10, 15, "must be an integer, not 50.5"}}},
		{"whole float is an integer", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 100.0
`), nil},
		{"integer outside int32", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 3000000000
`), []want{{"spec.http[0].route[0].weight", 10, 15, "must be between -2147483648 and 2147483647 (a 32-bit integer), not 3000000000"}}},
		{"YAML 1.1 yes is a string, not a boolean", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      consistentHash:
        useSourceIp: yes
`), []want{{"spec.trafficPolicy.loadBalancer.consistentHash.useSourceIp", 10, 22, `must be true or false, not the string "yes"`}}},
		{"YAML 1.1 yes is a fine string value", dr(`  host: "reviews"
  subsets:
  - name: v1
    labels:
      canary: yes
`), nil},
		{"enum", pa(`  mtls:
    mode: BLAH
`), []want{{"spec.mtls.mode", 7, 11, `spec.mtls.mode has unsupported value "BLAH"; use one of UNSET, DISABLE, PERMISSIVE, STRICT`}}},
		{"enum suggests the close value", pa(`  mtls:
    mode: strict
`), []want{{"spec.mtls.mode", 7, 11, `did you mean "STRICT"?`}}},
		{"maximum", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      warmup:
        duration: 300s
        minimumPercent: 150.0
`), []want{{"spec.trafficPolicy.loadBalancer.warmup.minimumPercent", 11, 25, "must be between 0 and 100, not 150"}}},
		{"minimum", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      warmup:
        duration: 300s
        aggression: -0.1
`), []want{{"spec.trafficPolicy.loadBalancer.warmup.aggression", 11, 21, "must be at least 0, not -0.1"}}},
		{"uint32 range", dr(`  host: reviews
  trafficPolicy:
    outlierDetection:
      consecutive5xxErrors: -1
`), []want{{"spec.trafficPolicy.outlierDetection.consecutive5xxErrors", 9, 29, "must not be negative, and at most 4294967295; not -1"}}},
		{"number field takes an integer", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      warmup:
        duration: 300s
        minimumPercent: 5
`), nil},
		{"map values are typed", vs(`  hosts: [reviews]
  http:
  - match:
    - sourceLabels:
        version: 2
    route:
    - destination: {host: reviews}
`), []want{{`spec.http[0].match[0].sourceLabels["version"]`, 10, 18, `must be a string, not the integer 2; quote it: "2"`}}},
		{"minProperties", pa(`  selector:
    matchLabels: {app: x}
  portLevelMtls: {}
`), []want{{"spec.portLevelMtls", 8, 3, "spec.portLevelMtls must not be empty"}}},
		{"oneOf of a protobuf oneof", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      simple: ROUND_ROBIN
      consistentHash:
        useSourceIp: true
`), []want{{"spec.trafficPolicy.loadBalancer.consistentHash", 10, 7, `spec.trafficPolicy.loadBalancer sets "simple" and "consistentHash", which exclude each other; keep only one`}}},
		{"allOf of protobuf oneofs", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpHeaderName: x-user
        useSourceIp: true
`), []want{{"spec.trafficPolicy.loadBalancer.consistentHash.useSourceIp", 11, 9, `sets "httpHeaderName" and "useSourceIp"`}}},
		{"nullable field takes null", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        enabled: null
`), nil},
		{"null list entry", vs(`  hosts:
  - reviews
  -
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.hosts[1]", 8, 4, "spec.hosts[1] must be a string, not null"}}},
		{"duplicate key", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      weight: 90
      weight: 10
`), []want{{"spec.http[0].route[0].weight", 11, 7, `"weight" is set twice in spec.http[0].route[0] (also on line 10); keep one`}}},
		{"byte format", vs(`  hosts: [reviews]
  http:
  - directResponse:
      status: 200
      body:
        bytes: "not base64!"
`), []want{{"spec.http[0].directResponse.body.bytes", 11, 16, "must be base64-encoded bytes"}}},
		{"port keys may be numbers or strings", pa(`  selector:
    matchLabels: {app: x}
  portLevelMtls:
    80: {mode: STRICT}
    "8080": {mode: DISABLE}
`), nil},
		{"status preserves unknown fields", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
status:
  observedGeneration: "3"
  anything: goes
`), nil},
		{"int-or-string", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
status:
  observedGeneration: true
`), []want{{"status.observedGeneration", 11, 23, "must be an integer or a string, not the boolean true"}}},
		{"date-time format", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
status:
  conditions:
  - lastTransitionTime: yesterday
`), []want{{"status.conditions[0].lastTransitionTime", 12, 25, "must be an RFC 3339 date and time"}}},
		{"minLength", object("security.istio.io/v1", "RequestAuthentication", `  jwtRules:
  - issuer: ""
`), []want{{"spec.jwtRules[0].issuer", 7, 13, "spec.jwtRules[0].issuer must not be empty"}}},
		{"pattern", object("security.istio.io/v1", "RequestAuthentication", `  jwtRules:
  - issuer: https://example.com
    outputClaimToHeaders:
    - header: "x user"
      claim: sub
`), []want{{"spec.jwtRules[0].outputClaimToHeaders[0].header", 9, 15, `is "x user", which does not match the pattern ^[-_A-Za-z0-9]+$`}}},
		{"minItems", object("networking.istio.io/v1", "Gateway", `  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["*"]
    tls:
      mode: SIMPLE
      credentialNames: []
`), []want{{"spec.servers[0].tls.credentialNames", 11, 7, "must have at least one entry"}}},
		{"maxItems", object("networking.istio.io/v1", "Gateway", `  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["*"]
    tls:
      mode: SIMPLE
      credentialNames: [a, b, c]
`), []want{{"spec.servers[0].tls.credentialNames", 11, 7, "must have at most 2 entries, not 3"}}},
		{"list-map keys are unique", object("networking.istio.io/v1", "ServiceEntry", `  hosts: [api.example.com]
  ports:
  - {number: 80, name: http, protocol: HTTP}
  - {number: 8080, name: http, protocol: HTTP}
`), []want{{"spec.ports[1]", 9, 5, "spec.ports[1] has the same name as spec.ports[0]"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.doc, tt.wants...)
		})
	}
}

func TestValidateRules(t *testing.T) {
	se := func(spec string) string { return object("networking.istio.io/v1", "ServiceEntry", spec) }
	tests := []struct {
		name  string
		doc   string
		wants []want
	}{
		{"duration", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    timeout: "10"
`), []want{{"spec.http[0].timeout", 10, 14, `spec.http[0].timeout must be a duration of at least 1ms, such as "10s", "1m" or "500ms"; "10" is not`}}},
		{"duration given as a number", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    timeout: 10
`), []want{{"spec.http[0].timeout", 10, 14, `spec.http[0].timeout must be a duration such as "10s", "1m" or "500ms", not the integer 10`}}},
		{"duration below 1ms", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries:
      attempts: 2
      perTryTimeout: 0s
`), []want{{"spec.http[0].retries.perTryTimeout", 12, 22, "must be a duration of at least 1ms"}}},
		{"durations in Go syntax", dr(`  host: reviews
  trafficPolicy:
    outlierDetection:
      interval: 1m30s
      baseEjectionTime: 500ms
`), nil},
		{"port-level mTLS needs a selector", pa(`  portLevelMtls:
    "80":
      mode: STRICT
`), []want{{"spec.portLevelMtls", 6, 3, "spec.portLevelMtls applies to ports of selected workloads only: add spec.selector.matchLabels"}}},
		{"wildcard in a selector value", pa(`  selector:
    matchLabels:
      app: "*"
`), []want{{`spec.selector.matchLabels["app"]`, 8, 12, "wildcard not allowed in label value match"}}},
		{"wildcard in a selector key (all)", pa(`  selector:
    matchLabels:
      "app*": x
`), []want{{"spec.selector.matchLabels", 7, 5, "wildcard not allowed in label key match"}}},
		{"port rule on a number", se(`  hosts: [api.example.com]
  ports:
  - {number: 0, name: http, protocol: HTTP}
`), []want{{"spec.ports[0].number", 8, 14, "spec.ports[0].number must be a port number from 1 to 65535, not 0"}}},
		{"exists_one over a list", se(`  hosts: [api.example.com]
  ports:
  - {number: 80, name: http, protocol: HTTP}
  - {number: 80, name: http2, protocol: HTTP2}
`), []want{{"spec.ports", 7, 3, "spec.ports: port number cannot be duplicated"}}},
		{"has() and ternaries on the spec", se(`  hosts: [api.example.com]
  resolution: NONE
  endpoints:
  - address: 10.0.0.1
`), []want{{"spec", 5, 1, "spec: NONE mode cannot set endpoints"}}},
		{"substring from the strings extension", se(`  hosts: [api.example.com]
  resolution: STATIC
  endpoints:
  - address: unix://relative/path
`), []want{{"spec.endpoints[0].address", 9, 14, "UDS must be an absolute path or abstract socket"}}},
		{"matches on map keys", object("networking.istio.io/v1", "WorkloadEntry", `  address: 10.0.0.1
  ports:
    "http port": 8080
`), []want{{"spec.ports", 7, 3, "port name must be valid"}}},
		{"isURL and url().getScheme()", object("extensions.istio.io/v1alpha1", "WasmPlugin", `  url: ftp://example.com/plugin.wasm
`), []want{{"spec.url", 6, 8, "url must have schema one of [http, https, file, oci]"}}},
		{"url without scheme is accepted", object("extensions.istio.io/v1alpha1", "WasmPlugin", `  url: example.com/plugin.wasm
`), nil},
		{"jwksUri scheme", object("security.istio.io/v1", "RequestAuthentication", `  jwtRules:
  - issuer: https://example.com
    jwksUri: ftp://example.com/keys
`), []want{{"spec.jwtRules[0].jwksUri", 8, 14, "url must have scheme http:// or https://"}}},
		{"rules are skipped where the schema already failed", pa(`  selector:
    matchLabels: {app: x}
  portLevelMtls:
    "80": {mode: BLAH}
`), []want{{`spec.portLevelMtls["80"].mode`, 9, 18, "unsupported value"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.doc, tt.wants...)
		})
	}
}

func TestValidateWebhook(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		wants []want
	}{
		{"port key not a number", pa(`  selector:
    matchLabels: {app: x}
  portLevelMtls:
    "acd": {mode: STRICT}
`), []want{{`spec.portLevelMtls["acd"]`, 9, 5, `spec.portLevelMtls has key "acd", which is not a port number; use a port from 1 to 65535`}}},
		{"port key out of range", pa(`  selector:
    matchLabels: {app: x}
  portLevelMtls:
    "65536": {mode: STRICT}
`), []want{{`spec.portLevelMtls["65536"]`, 9, 5, "not a port number"}}},
		{"empty traffic policy", dr(`  host: reviews
  trafficPolicy: {}
`), []want{{"spec.trafficPolicy", 7, 3, "spec.trafficPolicy is an empty traffic policy"}}},
		{"empty connection pool", dr(`  host: reviews
  subsets:
  - name: v1
    trafficPolicy:
      connectionPool: {}
`), []want{{"spec.subsets[0].trafficPolicy.connectionPool", 10, 7, "is an empty connection pool; set http or tcp"}}},
		{"port-level policy without port", dr(`  host: reviews
  trafficPolicy:
    portLevelSettings:
    - loadBalancer: {simple: RANDOM}
`), []want{{"spec.trafficPolicy.portLevelSettings[0].port", 9, 7, "port is required"}}},
		{"local origin failures without split", dr(`  host: reviews
  trafficPolicy:
    outlierDetection:
      consecutiveLocalOriginFailures: 3
`), []want{{"spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures", 9, 7, "splitExternalLocalOriginErrors: true"}}},
		{"ejection percent above 100", dr(`  host: reviews
  trafficPolicy:
    outlierDetection:
      maxEjectionPercent: 150
`), []want{{"spec.trafficPolicy.outlierDetection.maxEjectionPercent", 9, 27, "must be between 0 and 100, not 150"}}},
		{"maglev table size not prime", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      consistentHash:
        useSourceIp: true
        maglev: {tableSize: 1000}
`), []want{{"spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize", 11, 29, "must be a prime number"}}},
		{"warmup aggression below 1", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      warmup: {duration: 60s, aggression: 0.5}
`), []want{{"spec.trafficPolicy.loadBalancer.warmup.aggression", 9, 43, "must be at least 1 (1 ramps traffic up linearly), not 0.5"}}},
		{"locality weights", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        distribute:
        - from: us-west/zone1/*
          to:
            "us-west/zone1/*": 80
            "us-west/zone2/*": 10
    outlierDetection: {consecutive5xxErrors: 5}
`), []want{{"spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to", 12, 11, "has weights that sum to 90; they must sum to 100"}}},
		{"locality failover to the same region", dr(`  host: reviews
  trafficPolicy:
    loadBalancer:
      localityLbSetting:
        failover:
        - {from: us-east, to: us-east}
    outlierDetection: {consecutive5xxErrors: 5}
`), []want{{"spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]", 11, 11, "fails over from \"us-east\" to the same region"}}},
		{"mutual TLS without certificates", dr(`  host: reviews
  trafficPolicy:
    tls: {mode: MUTUAL, caCertificates: /etc/ca.pem}
`), []want{
			{"spec.trafficPolicy.tls.clientCertificate", 8, 5, "clientCertificate is required for MUTUAL TLS"},
			{"spec.trafficPolicy.tls.privateKey", 8, 5, "privateKey is required for MUTUAL TLS"},
		}},
		{"credential and files", dr(`  host: reviews
  trafficPolicy:
    tls: {mode: SIMPLE, credentialName: reviews-ca, caCertificates: /etc/ca.pem}
`), []want{{"spec.trafficPolicy.tls.caCertificates", 8, 53, "sets caCertificates together with credentialName"}}},
		{"insecureSkipVerify and SANs", dr(`  host: reviews
  trafficPolicy:
    tls: {mode: SIMPLE, insecureSkipVerify: true, subjectAltNames: [reviews]}
`), []want{{"spec.trafficPolicy.tls.subjectAltNames", 8, 51, "together with insecureSkipVerify"}}},
		{"negative connection limits", dr(`  host: reviews
  trafficPolicy:
    connectionPool:
      http: {maxRetries: -1}
`), []want{{"spec.trafficPolicy.connectionPool.http.maxRetries", 9, 26, "must not be negative, not -1"}}},
		{"exportTo", dr(`  host: reviews
  exportTo: [".", Team_A, "."]
`), []want{
			{"spec.exportTo[1]", 7, 19, `"Team_A" is not ".", "*" or a namespace name`},
			{"spec.exportTo[2]", 7, 27, `repeats "."`},
		}},
		{"exportTo star alone", vs(`  hosts: [reviews]
  exportTo: ["*", prod]
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.exportTo[0]", 7, 14, "keep \"*\" alone"}}},
		{"IP as DestinationRule host", dr(`  host: 10.0.0.1
`), []want{{"spec.host", 6, 9, `"10.0.0.1" must be a host name, not an IP address`}}},
		{"subset name", dr(`  host: reviews
  subsets:
  - name: v1.0
`), []want{{"spec.subsets[0].name", 8, 11, `subset name "v1.0" must consist of letters, digits and '-'`}}},
		{"subset label value", dr(`  host: reviews
  subsets:
  - name: v1
    labels:
      version: "v1 beta"
`), []want{{`spec.subsets[0].labels["version"]`, 10, 16, "is not a valid label value"}}},
		{"host name", dr(`  host: reviews_v1.default
`), []want{{"spec.host", 6, 9, `spec.host "reviews_v1.default" is not a valid host name`}}},
		{"virtual service without routes", vs(`  hosts: [reviews]
`), []want{{"spec", 5, 1, "spec has no routes; add http, tcp or tls routes"}}},
		{"delegate with gateways", vs(`  gateways: [ingress]
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.gateways", 6, 3, "a delegate must not set gateways"}}},
		{"wildcard host bound to the mesh", vs(`  hosts: ["*"]
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.hosts[0]", 6, 11, "not allowed for a VirtualService bound to the mesh"}}},
		{"wildcard host bound to a gateway", vs(`  hosts: ["*"]
  gateways: [ingress]
  http:
  - route:
    - destination: {host: reviews}
`), nil},
		{"duplicate hosts", vs(`  hosts: ["*.example.com", api.example.com]
  http:
  - route:
    - destination: {host: reviews}
`), []want{{"spec.hosts[1]", 6, 28, `"api.example.com" duplicates "*.example.com"`}}},
		{"http route without destination", vs(`  hosts: [reviews]
  http:
  - name: nowhere
    timeout: 5s
`), []want{{"spec.http[0]", 8, 5, "spec.http[0] has no destination; add route"}}},
		{"route and redirect", vs(`  hosts: [reviews]
  http:
  - redirect: {uri: /v2}
    route:
    - destination: {host: reviews}
`), []want{{"spec.http[0].redirect", 8, 5, "sets both route and redirect"}}},
		{"header name", vs(`  hosts: [reviews]
  http:
  - match:
    - headers:
        "end user": {exact: jason}
    route:
    - destination: {host: reviews}
`), []want{{`spec.http[0].match[0].headers["end user"]`, 10, 9, "is not a valid header name"}}},
		{"retryOn typo", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries:
      attempts: 3
      retryOn: 5xx,connect-failures
`), []want{{"spec.http[0].retries.retryOn", 12, 16, `has "connect-failures", which is not a retry condition; did you mean "connect-failure"?`}}},
		{"retryOn with status codes", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries:
      attempts: 3
      retryOn: gateway-error,503,retriable-status-codes
`), nil},
		{"fault percentage", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    fault:
      abort:
        httpStatus: 500
        percentage: {value: 120}
`), []want{{"spec.http[0].fault.abort.percentage.value", 13, 29, "must be 0 or a percentage from 0.0001 to 100, not 120"}}},
		{"retries configured with zero attempts", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries:
      retryOn: 5xx
`), []want{{"spec.http[0].retries.retryOn", 11, 7, "sets retryOn, but attempts is 0, which disables retries"}}},
		{"retryOn with spaces", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    retries:
      attempts: 2
      retryOn: 5xx, reset
`), []want{{"spec.http[0].retries.retryOn", 12, 16, `has " reset", which is not a retry condition; remove the spaces around the commas`}}},
		{"gRPC status", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    fault:
      abort:
        grpcStatus: UNAVAILBLE
`), []want{{"spec.http[0].fault.abort.grpcStatus", 12, 21, `did you mean "UNAVAILABLE"?`}}},
		{"HTTP/2 abort is not supported", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    fault:
      abort:
        http2Error: REFUSED_STREAM
`), []want{{"spec.http[0].fault.abort.http2Error", 12, 9, "http2Error is not supported yet"}}},
		{"redirect scheme", vs(`  hosts: [reviews]
  http:
  - redirect: {scheme: ftp}
`), []want{{"spec.http[0].redirect.scheme", 8, 24, `must be "http" or "https", not "ftp"`}}},
		{"redirect to the request's port only", vs(`  hosts: [reviews]
  http:
  - redirect: {derivePort: FROM_PROTOCOL_DEFAULT}
`), nil},
		{"direct response status", vs(`  hosts: [reviews]
  http:
  - directResponse: {status: 700}
`), []want{{"spec.http[0].directResponse.status", 8, 30, "must be an HTTP status from 200 to 599, not 700"}}},
		{"rewrite of nothing", vs(`  hosts: [reviews]
  http:
  - rewrite: {}
    route:
    - destination: {host: reviews}
`), []want{{"spec.http[0].rewrite", 8, 5, "rewrites nothing"}}},
		{"mirror and mirrors", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    mirror: {host: shadow}
    mirrors:
    - destination: {host: shadow2}
`), []want{{"spec.http[0].mirrors", 11, 5, "sets both mirror and mirrors"}}},
		{"root route delegates only", vs(`  hosts: [reviews]
  http:
  - delegate: {name: reviews-routes}
    route:
    - destination: {host: reviews}
`), []want{{"spec.http[0].delegate", 8, 5, "sets both delegate and route"}}},
		{"a delegate cannot delegate", vs(`  http:
  - delegate: {name: more}
`), []want{{"spec.http[0].delegate", 7, 5, "a delegate cannot delegate further"}}},
		{"JWT claim routing needs a gateway", vs(`  hosts: [reviews]
  http:
  - match:
    - headers:
        "@request.auth.claims.group": {exact: admin}
    route:
    - destination: {host: reviews}
`), []want{{`spec.http[0].match[0].headers["@request.auth.claims.group"]`, 10, 9, "works only for VirtualServices bound to gateways"}}},
		{"JWT claim routing at a gateway", vs(`  hosts: [reviews.example.com]
  gateways: [istio-system/public]
  http:
  - match:
    - headers:
        "@request.auth.claims.group": {exact: admin}
    route:
    - destination: {host: reviews}
`), nil},
		{"empty prefix match", vs(`  hosts: [reviews]
  http:
  - match:
    - uri: {prefix: ""}
      headers:
        x-user: {prefix: ""}
    route:
    - destination: {host: reviews}
`), []want{{`spec.http[0].match[0].headers["x-user"].prefix`, 11, 26, "is an empty prefix match"}}},
		{"withoutHeaders regex star is presence", vs(`  hosts: [reviews]
  http:
  - match:
    - withoutHeaders:
        x-debug: {regex: "*"}
    route:
    - destination: {host: reviews}
`), nil},
		{"header operations", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
      headers:
        response:
          set: {host: x}
    headers:
      request:
        remove: [":path"]
`), []want{
			{"spec.http[0].route[0].headers.response.set[\"host\"]", 12, 17, "is the Host header"},
			{"spec.http[0].headers.request.remove[0]", 15, 18, "is a pseudo-header"},
		}},
		{"authority set twice", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    rewrite: {authority: a.example.com}
    headers:
      request:
        set: {":authority": b.example.com}
`), []want{{`spec.http[0].headers.request.set[":authority"]`, 13, 15, `sets the authority again (it is already "a.example.com")`}}},
		{"CORS origin without match", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews}
    corsPolicy:
      allowOrigins:
      - exact: ""
      allowHeaders: ["*", "x user"]
`), []want{
			{"spec.http[0].corsPolicy.allowOrigins[0]", 12, 9, "matches no origin"},
			{"spec.http[0].corsPolicy.allowHeaders[1]", 13, 27, "is not a valid header name"},
		}},
		{"SNI host outside the hosts", vs(`  hosts: ["*.example.com"]
  gateways: [mesh]
  tls:
  - match:
    - sniHosts: [api.example.com, api.example.org]
    route:
    - destination: {host: api.example.com}
`), []want{{"spec.tls[0].match[0].sniHosts[1]", 10, 35, `"api.example.org" is not covered by any of the VirtualService's hosts`}}},
		{"destination subnets and gateway names", vs(`  hosts: [db]
  tcp:
  - match:
    - destinationSubnets: [10.0.0.0/99]
      gateways: [ns/]
    route:
    - destination: {host: db}
`), []want{
			{"spec.tcp[0].match[0].destinationSubnets[0]", 9, 28, "is not an IP address or a CIDR block"},
			{"spec.tcp[0].match[0].gateways[0]", 10, 18, "must be namespace/name"},
		}},
		{"redirect code", vs(`  hosts: [reviews]
  http:
  - redirect: {uri: /v2, redirectCode: 200}
`), []want{{"spec.http[0].redirect.redirectCode", 8, 40, "must be a 3xx status"}}},
		{"destination port zero", vs(`  hosts: [reviews]
  http:
  - route:
    - destination:
        host: reviews
        port: {number: 0}
`), []want{{"spec.http[0].route[0].destination.port.number", 11, 24, "must be a port number from 1 to 65535"}}},
		{"tcp route without destination", vs(`  hosts: [db]
  tcp:
  - match:
    - port: 5432
`), []want{{"spec.tcp[0].route", 8, 5, "spec.tcp[0].route is required"}}},
		{"destination host wildcard", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: "*"}
`), []want{{"spec.http[0].route[0].destination.host", 9, 27, `must name one host, not "*"`}}},
		{"all-digit top-level domain", dr(`  host: reviews.123
`), []want{{"spec.host", 6, 9, `its top-level domain "123" is all digits`}}},
		{"IP hosts are accepted", vs(`  hosts: [10.0.0.1, "2001:db8::1"]
  http:
  - route:
    - destination: {host: reviews}
`), nil},
		{"IP destinations are not", vs(`  hosts: [reviews]
  http:
  - route:
    - destination: {host: 10.0.0.2}
`), []want{{"spec.http[0].route[0].destination.host", 9, 27, `"10.0.0.2" must be a host name, not an IP address`}}},
		{"virtual service without spec", `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
`, []want{{"spec", 1, 1, "spec is required: a VirtualService needs hosts and routes"}}},
		{"peer authentication without spec is mesh-wide", `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
`, nil},
		{"metadata name", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: Reviews_V1
spec:
  host: reviews
`, []want{{"metadata.name", 4, 9, `metadata.name "Reviews_V1" must be a DNS-1123 subdomain`}}},
		{"metadata name missing", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  namespace: bookinfo
spec:
  host: reviews
`, []want{{"metadata.name", 3, 1, "metadata.name is required"}}},
		{"label value", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  labels:
    team: "platform team"
spec:
  host: reviews
`, []want{{`metadata.labels["team"]`, 6, 11, "is not a valid label value"}}},
		{"label key", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  labels:
    Example.COM/team: platform
spec:
  host: reviews
`, []want{{`metadata.labels["Example.COM/team"]`, 6, 5, `metadata.labels has key "Example.COM/team", which has a prefix that must be a DNS-1123 subdomain`}}},
		{"subset label keys may be upper case", dr(`  host: reviews
  subsets:
  - name: v1
    labels:
      Example.COM/Version: V1
`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, tt.doc, tt.wants...)
		})
	}
}

func TestValidateKinds(t *testing.T) {
	t.Run("kind typo", func(t *testing.T) {
		expect(t, `apiVersion: networking.istio.io/v1
kind: VirtualServce
metadata: {name: x}
`, want{"kind", 2, 7, `networking.istio.io has no kind "VirtualServce"; did you mean "VirtualService"?`})
	})
	t.Run("unserved version", func(t *testing.T) {
		expect(t, `apiVersion: networking.istio.io/v2
kind: VirtualService
metadata: {name: x}
`, want{"apiVersion", 1, 13, "networking.istio.io/v2 is not a served version of VirtualService; use one of networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1"})
	})
	t.Run("apiVersion without version", func(t *testing.T) {
		expect(t, `apiVersion: security.istio.io
kind: PeerAuthentication
metadata: {name: x}
`, want{"apiVersion", 1, 13, `apiVersion "security.istio.io" lacks a version; write it as security.istio.io/v1`})
	})
	t.Run("apiVersion without version, group without v1", func(t *testing.T) {
		expect(t, `apiVersion: extensions.istio.io
kind: WasmPlugin
metadata: {name: x}
`, want{"apiVersion", 1, 13, `write it as extensions.istio.io/v1alpha1`})
	})
	t.Run("every served version", func(t *testing.T) {
		for _, v := range []string{"v1", "v1beta1", "v1alpha3"} {
			expect(t, object("networking.istio.io/"+v, "DestinationRule", "  host: reviews\n  subsets:\n  - name: v1\n    wieght: 1\n"),
				want{"spec.subsets[0].wieght", 9, 5, "unknown field"})
		}
	})
	notIstio := map[string]string{
		"deployment":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
		"core":              "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n",
		"other istio group": "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: x}\n",
		"list":              "- a\n- b\n",
		"scalar":            "hello\n",
		"no apiVersion":     "kind: VirtualService\n",
		"apiVersion a list": "apiVersion: [networking.istio.io/v1]\nkind: VirtualService\n",
	}
	for name, src := range notIstio {
		t.Run(name, func(t *testing.T) {
			if errs, ok := Validate(parse(t, src)); ok || errs != nil {
				t.Errorf("Validate = %v, %v; want nil, false", errs, ok)
			}
		})
	}
	t.Run("nil and empty documents", func(t *testing.T) {
		if errs, ok := Validate(nil); ok || errs != nil {
			t.Errorf("Validate(nil) = %v, %v", errs, ok)
		}
		if errs, ok := Validate(&yaml.Node{Kind: yaml.DocumentNode}); ok || errs != nil {
			t.Errorf("Validate(empty document) = %v, %v", errs, ok)
		}
	})
}

// TestValidateConcurrent exercises the lazy loading from many goroutines;
// run it with -race.
func TestValidateConcurrent(t *testing.T) {
	docs := []string{
		vs("  hosts: [reviews]\n  http:\n  - route:\n    - destination: {host: reviews}\n    timeout: 5s\n"),
		dr("  host: reviews\n  trafficPolicy:\n    outlierDetection: {interval: 10s}\n"),
		pa("  selector:\n    matchLabels: {app: x}\n  portLevelMtls:\n    \"80\": {mode: STRICT}\n"),
	}
	nodes := make([]*yaml.Node, len(docs))
	for i, d := range docs {
		nodes[i] = parse(t, d)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := nodes[g%len(nodes)]
			if errs, ok := Validate(n); !ok || len(errs) != 0 {
				t.Errorf("Validate = %v, %v", errs, ok)
			}
		}()
	}
	wg.Wait()
}

// TestWebhookKinds validates testdata/webhook-kinds.yaml, whose documents
// exercise the webhook checks ported for Gateway, Sidecar, ServiceEntry,
// WorkloadEntry, WorkloadGroup, AuthorizationPolicy, RequestAuthentication,
// Telemetry and EnvoyFilter, and compares the errors with its want
// comments, both ways. Valid documents have none.
func TestWebhookKinds(t *testing.T) {
	const file = "testdata/webhook-kinds.yaml"
	var findings []linttest.Finding
	for i, doc := range documents(t, file) {
		errs, ok := Validate(doc)
		if !ok {
			t.Errorf("document %d is not recognised as an Istio object", i)
		}
		for _, e := range errs {
			findings = append(findings, linttest.Finding{Rule: "MR900", Message: e.Message, File: file, Line: e.Line, Column: e.Column})
		}
	}
	linttest.Compare(t, file, "", findings)
}
