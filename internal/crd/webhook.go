package crd

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// check is one of the checks of Istio's validation webhook (and of the API
// server's ObjectMeta validation) that the CRD schemas do not express. It
// runs at the schema node it is attached to, after that node's subtree passed
// the schema, so it can rely on the types the schema declares.
//
// Checks that other meshroll rules own are left out on purpose: negative and
// summed route weights (MR202, MR201), regular expressions (MR205), mirror
// percentages (MR304) and duplicate subset names (MR103).
type check func(w *walker, n, key *yaml.Node)

// checksFor returns the checks of kind at a schema path (properties joined by
// dots, "[]" for list items, "{}" for map values).
func checksFor(kind, path string) []check {
	var cs []check
	add := func(c ...check) { cs = append(cs, c...) }
	if path == "metadata" {
		add(checkMetadata)
	}
	if path == "" && (kind == "VirtualService" || kind == "DestinationRule") {
		add(requireSpec)
	}
	switch kind {
	case "PeerAuthentication":
		if path == "spec.portLevelMtls" {
			add(checkPortKeys)
		}
	case "DestinationRule":
		switch {
		case path == "spec.host":
			add(checkHost)
		case path == "spec.subsets[]":
			add(checkSubset)
		case strings.HasSuffix(path, "trafficPolicy"):
			add(checkTrafficPolicy)
		case strings.HasSuffix(path, "portLevelSettings[]"):
			add(checkPortTrafficPolicy)
		case strings.HasSuffix(path, ".connectionPool"):
			add(notEmpty("connection pool", "http or tcp"), checkConnectionPool)
		case strings.HasSuffix(path, ".outlierDetection"):
			add(checkOutlierDetection)
		case strings.HasSuffix(path, ".loadBalancer.consistentHash"):
			add(checkConsistentHash)
		case strings.HasSuffix(path, "trafficPolicy.tunnel"):
			add(checkTunnel)
		}
	case "VirtualService":
		switch path {
		case "spec":
			add(checkVirtualService)
		case "spec.http[]":
			add(checkHTTPRoute)
		case "spec.http[].match[]":
			add(checkHTTPMatch)
		case "spec.http[].retries":
			add(checkRetries)
		case "spec.http[].fault":
			add(checkFault)
		case "spec.http[].redirect":
			add(checkRedirect)
		case "spec.http[].route[].destination", "spec.http[].mirror", "spec.http[].mirrors[].destination",
			"spec.tcp[].route[].destination", "spec.tls[].route[].destination":
			add(checkDestination)
		case "spec.tcp[]":
			add(requireList("route", "a TCP route needs at least one destination in route"))
		case "spec.tls[]":
			add(requireList("match", "a TLS route needs at least one match with sniHosts"),
				requireList("route", "a TLS route needs at least one destination in route"))
		case "spec.tls[].match[]":
			add(requireList("sniHosts", "a TLS match needs at least one SNI host"))
		}
	}
	return cs
}

// field is a shorthand for a present field's key and value.
func (w *walker) field(n *yaml.Node, name string) (*yaml.Node, *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	return w.present(n, name)
}

// fieldReport reports about the field name of the current object.
func (w *walker) fieldReport(k *yaml.Node, name, format string, args ...any) {
	w.report(k, []seg{{kind: segField, name: name}}, format, args...)
}

// sub renders the path of a field of the current object.
func (w *walker) sub(name string) string {
	return w.pathString(seg{kind: segField, name: name})
}

// intField returns a present integer field's value.
func (w *walker) intField(n *yaml.Node, name string) (k *yaml.Node, v int64, ok bool) {
	k, vn := w.field(n, name)
	if vn == nil || vn.Kind != yaml.ScalarNode {
		return nil, 0, false
	}
	num, parsed := parseNumber(vn, scalarKindOf(vn))
	if !parsed || !num.isInt {
		return nil, 0, false
	}
	return k, num.i, true
}

// stringField returns a present string field's value.
func (w *walker) stringField(n *yaml.Node, name string) (*yaml.Node, *yaml.Node, string) {
	k, v := w.field(n, name)
	if v == nil || v.Kind != yaml.ScalarNode {
		return nil, nil, ""
	}
	return k, v, v.Value
}

// boolField returns a present boolean field's value.
func (w *walker) boolField(n *yaml.Node, name string) bool {
	_, v := w.field(n, name)
	return v != nil && v.Kind == yaml.ScalarNode && strings.EqualFold(v.Value, "true")
}

// count returns the number of fields of a mapping with non-null values.
func (w *walker) count(n *yaml.Node) int {
	c := 0
	p := w.pairs(n)
	for i := 0; i+1 < len(p); i += 2 {
		if v := w.deref(p[i+1]); v != nil && !isNull(v) {
			c++
		}
	}
	return c
}

// notEmpty rejects an object with no fields set.
func notEmpty(what, fields string) check {
	return func(w *walker, n, key *yaml.Node) {
		if n.Kind == yaml.MappingNode && w.count(n) == 0 {
			w.report(anchor(n, key), nil, "%s is an empty %s; set %s, or remove it", w.where(), what, fields)
		}
	}
}

// requireList rejects an object whose list field is absent or empty.
func requireList(name, why string) check {
	return func(w *walker, n, key *yaml.Node) {
		k, v := w.field(n, name)
		if v == nil {
			w.report(anchor(n, key), []seg{{kind: segField, name: name}}, "%s is required: %s", w.sub(name), why)
			return
		}
		if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			w.fieldReport(k, name, "%s is empty: %s", w.sub(name), why)
		}
	}
}

// requireSpec rejects a VirtualService or DestinationRule without a spec:
// the webhook finds no host or no routes in it.
func requireSpec(w *walker, n, key *yaml.Node) {
	if _, spec := w.field(n, "spec"); spec == nil {
		what := "hosts and routes"
		if w.kind == "DestinationRule" {
			what = "spec.host"
		}
		w.report(n, []seg{{kind: segField, name: "spec"}}, "spec is required: a %s needs %s", w.kind, what)
	}
}

func checkMetadata(w *walker, n, key *yaml.Node) {
	_, nameNode, name := w.stringField(n, "name")
	if nameNode == nil {
		if _, g := w.field(n, "generateName"); g == nil {
			w.report(anchor(n, key), []seg{{kind: segField, name: "name"}}, "metadata.name is required")
		}
	} else if msg := dnsSubdomainProblem(name); msg != "" {
		w.fieldReport(nameNode, "name", "metadata.name %s %s", quote(name), msg)
	}
	if _, ns, namespace := w.stringField(n, "namespace"); ns != nil {
		if msg := dnsLabelProblem(namespace, false); msg != "" {
			w.fieldReport(ns, "namespace", "metadata.namespace %s %s", quote(namespace), msg)
		}
	}
	for _, field := range []string{"labels", "annotations"} {
		_, m := w.field(n, field)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		p := w.pairs(m)
		for i := 0; i+1 < len(p); i += 2 {
			k, v := w.deref(p[i]), w.deref(p[i+1])
			if k == nil || v == nil {
				return
			}
			at := []seg{{kind: segField, name: field}, {kind: segKey, name: k.Value}}
			if msg := qualifiedNameProblem(k.Value, false); msg != "" {
				w.report(k, at, "metadata.%s has key %s, which %s", field, quote(k.Value), msg)
			}
			if field == "labels" && !isNull(v) {
				if msg := labelValueProblem(v.Value); msg != "" {
					w.report(v, at, "%s %s", w.pathString(at...), msg)
				}
			}
		}
	}
}

// checkPortKeys checks PeerAuthentication's portLevelMtls keys: the webhook
// reads them as port numbers.
func checkPortKeys(w *walker, n, key *yaml.Node) {
	p := w.pairs(n)
	for i := 0; i+1 < len(p); i += 2 {
		k := w.deref(p[i])
		if k == nil {
			return
		}
		if port, err := strconv.ParseUint(k.Value, 10, 32); err != nil || port < 1 || port > 65535 {
			w.report(k, []seg{{kind: segKey, name: k.Value}}, "%s has key %s, which is not a port number; use a port from 1 to 65535", w.where(), quote(k.Value))
		}
	}
}

func checkHost(w *walker, n, key *yaml.Node) {
	if msg := wildcardDomainProblem(n.Value); msg != "" {
		w.report(n, nil, "%s %s %s", w.where(), quote(n.Value), msg)
	}
}

func checkSubset(w *walker, n, key *yaml.Node) {
	if _, v, name := w.stringField(n, "name"); v != nil {
		if msg := dnsLabelProblem(name, true); msg != "" {
			w.fieldReport(v, "name", "subset name %s %s", quote(name), msg)
		}
	}
	_, labels := w.field(n, "labels")
	if labels == nil || labels.Kind != yaml.MappingNode {
		return
	}
	p := w.pairs(labels)
	for i := 0; i+1 < len(p); i += 2 {
		k, v := w.deref(p[i]), w.deref(p[i+1])
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: "labels"}, {kind: segKey, name: k.Value}}
		if msg := qualifiedNameProblem(k.Value, true); msg != "" {
			w.report(k, at, "%s has label key %s, which %s", w.sub("labels"), quote(k.Value), msg)
		} else if msg := labelValueProblem(v.Value); msg != "" && !isNull(v) {
			w.report(v, at, "%s %s", w.pathString(at...), msg)
		}
	}
}

func checkTrafficPolicy(w *walker, n, key *yaml.Node) {
	if w.count(n) == 0 {
		w.report(anchor(n, key), nil, "%s is an empty traffic policy; set a policy such as connectionPool, loadBalancer, outlierDetection or tls, or remove it", w.where())
		return
	}
	_, tunnel := w.field(n, "tunnel")
	if k, pp := w.field(n, "proxyProtocol"); tunnel != nil && pp != nil {
		w.fieldReport(k, "proxyProtocol", "%s sets both tunnel and proxyProtocol, which cannot be used together; keep one", w.where())
	}
}

func checkPortTrafficPolicy(w *walker, n, key *yaml.Node) {
	_, port := w.field(n, "port")
	if port == nil {
		w.report(anchor(n, key), []seg{{kind: segField, name: "port"}}, "%s is required: a port-level policy applies to one port", w.sub("port"))
	}
	policies := w.count(n)
	if port != nil {
		policies--
	}
	if policies == 0 {
		w.report(anchor(n, key), nil, "%s sets no policy; set connectionPool, loadBalancer, outlierDetection or tls, or remove it", w.where())
	}
}

func checkConnectionPool(w *walker, n, key *yaml.Node) {
	_, h := w.field(n, "http")
	if h == nil || h.Kind != yaml.MappingNode {
		return
	}
	_, _, policy := w.stringField(h, "h2UpgradePolicy")
	if policy == "UPGRADE" && w.boolField(h, "useClientProtocol") {
		k, _ := w.field(h, "useClientProtocol")
		w.report(k, []seg{{kind: segField, name: "http"}, {kind: segField, name: "useClientProtocol"}},
			"%s.http sets useClientProtocol together with h2UpgradePolicy UPGRADE; drop one of them", w.where())
	}
}

func checkOutlierDetection(w *walker, n, key *yaml.Node) {
	if k, v, ok := w.intField(n, "consecutiveLocalOriginFailures"); ok && v > 0 && !w.boolField(n, "splitExternalLocalOriginErrors") {
		w.fieldReport(k, "consecutiveLocalOriginFailures", "%s takes effect only with splitExternalLocalOriginErrors: true; set that too", w.sub("consecutiveLocalOriginFailures"))
	}
	for _, name := range []string{"maxEjectionPercent", "minHealthPercent"} {
		if _, v, ok := w.intField(n, name); ok && (v < 0 || v > 100) {
			_, vn := w.field(n, name)
			w.report(vn, []seg{{kind: segField, name: name}}, "%s is a percentage and must be between 0 and 100, not %d", w.sub(name), v)
		}
	}
}

func checkConsistentHash(w *walker, n, key *yaml.Node) {
	if _, cookie := w.field(n, "httpCookie"); cookie != nil && cookie.Kind == yaml.MappingNode {
		if _, v, name := w.stringField(cookie, "name"); v != nil && name == "" {
			w.report(v, []seg{{kind: segField, name: "httpCookie"}, {kind: segField, name: "name"}}, "%s.httpCookie.name must not be empty: it names the cookie to hash", w.where())
		}
	}
	if k, size, ok := w.intField(n, "minimumRingSize"); ok && size != 0 {
		_, ring := w.field(n, "ringHash")
		_, maglev := w.field(n, "maglev")
		if ring != nil || maglev != nil {
			w.fieldReport(k, "minimumRingSize", "%s sets the deprecated minimumRingSize together with ringHash or maglev; move it into ringHash.minimumRingSize", w.where())
		}
	}
	mk, maglev := w.field(n, "maglev")
	if maglev == nil || maglev.Kind != yaml.MappingNode {
		return
	}
	at := []seg{{kind: segField, name: "maglev"}, {kind: segField, name: "tableSize"}}
	_, sizeNode := w.field(maglev, "tableSize")
	_, size, ok := w.intField(maglev, "tableSize")
	switch {
	case !ok || size == 0:
		w.report(mk, at, "%s.maglev.tableSize must be set, to a prime number such as 65537", w.where())
	case size >= 5000011:
		w.report(sizeNode, at, "%s.maglev.tableSize must be less than 5000011, not %d", w.where(), size)
	case !isPrime(uint64(size)):
		w.report(sizeNode, at, "%s.maglev.tableSize must be a prime number, and %d is not; 65537 is a common choice", w.where(), size)
	}
}

// isPrime matches Envoy's check of maglev table sizes.
func isPrime(x uint64) bool {
	if x != 0 && x < 4 {
		return true
	}
	if x&1 == 0 {
		return false
	}
	limit := uint64(math.Sqrt(float64(x)))
	for f := uint64(3); f <= limit; f += 2 {
		if x%f == 0 {
			return false
		}
	}
	return true
}

func checkTunnel(w *walker, n, key *yaml.Node) {
	if _, v, proto := w.stringField(n, "protocol"); v != nil && proto != "" && proto != "CONNECT" && proto != "POST" {
		w.report(v, []seg{{kind: segField, name: "protocol"}}, "%s must be CONNECT or POST, not %s", w.sub("protocol"), quote(proto))
	}
	if _, v, host := w.stringField(n, "targetHost"); v != nil {
		if fqdnProblem(host) != "" && !isIP(host) {
			w.report(v, []seg{{kind: segField, name: "targetHost"}}, "%s must be a host name or an IP address, not %s", w.sub("targetHost"), quote(host))
		}
	}
	if _, port, ok := w.intField(n, "targetPort"); ok && (port < 1 || port > 65535) {
		_, v := w.field(n, "targetPort")
		w.report(v, []seg{{kind: segField, name: "targetPort"}}, "%s must be a port number from 1 to 65535, not %d", w.sub("targetPort"), port)
	}
}

// checkVirtualService checks what the webhook checks across a
// VirtualService's fields.
func checkVirtualService(w *walker, n, key *yaml.Node) {
	_, hosts := w.field(n, "hosts")
	gatewaysKey, gateways := w.field(n, "gateways")
	delegate := hosts == nil || (hosts.Kind == yaml.SequenceNode && len(hosts.Content) == 0)
	if delegate {
		// A VirtualService without hosts can only be a delegate, which
		// holds http routes only.
		if gateways != nil && len(gateways.Content) > 0 {
			w.fieldReport(gatewaysKey, "gateways", "%s has no hosts, which makes it a delegate VirtualService, and a delegate must not set gateways; add hosts or remove gateways", w.where())
		}
		for _, name := range []string{"tcp", "tls"} {
			if k, v := w.field(n, name); v != nil && len(v.Content) > 0 {
				w.fieldReport(k, name, "%s has no hosts, which makes it a delegate VirtualService, and a delegate supports http routes only; add hosts or remove %s", w.where(), name)
			}
		}
	}
	routes := 0
	for _, name := range []string{"http", "tcp", "tls"} {
		if _, v := w.field(n, name); v != nil {
			routes += len(v.Content)
		}
	}
	if routes == 0 {
		w.report(anchor(n, key), nil, "%s has no routes; add http, tcp or tls routes", w.where())
	}
	if hosts == nil {
		return
	}
	mesh := gateways == nil || len(gateways.Content) == 0
	if gateways != nil {
		for _, g := range gateways.Content {
			if g = w.deref(g); g != nil && g.Value == "mesh" {
				mesh = true
			}
		}
	}
	valid := true
	for i, h := range hosts.Content {
		h = w.deref(h)
		if h == nil {
			return
		}
		at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
		if h.Value == "*" {
			if mesh {
				w.report(h, at, "%s is \"*\", which is not allowed for a VirtualService bound to the mesh; name the hosts, or bind it to gateways only", w.pathString(at...))
				valid = false
			}
			continue
		}
		if msg := wildcardDomainProblem(h.Value); msg != "" && !isIP(h.Value) {
			w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
			valid = false
		}
	}
	if !valid {
		return
	}
	for i := range hosts.Content {
		for j := i + 1; j < len(hosts.Content); j++ {
			a, b := w.deref(hosts.Content[i]), w.deref(hosts.Content[j])
			if a == nil || b == nil {
				return
			}
			if hostsOverlap(a.Value, b.Value) {
				at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: j}}
				w.report(b, at, "%s %s duplicates %s; list each host once", w.pathString(at...), quote(b.Value), quote(a.Value))
			}
		}
	}
}

// hostsOverlap reports whether two VirtualService hosts match each other, as
// Istio's host.Name.Matches does: equal, or a wildcard covering the other.
func hostsOverlap(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	if a == b {
		return true
	}
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	switch {
	case aw && bw:
		return strings.HasSuffix(a[1:], b[1:]) || strings.HasSuffix(b[1:], a[1:])
	case aw:
		return strings.HasSuffix(b, a[1:])
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return false
}

func checkHTTPRoute(w *walker, n, key *yaml.Node) {
	_, route := w.field(n, "route")
	hasRoute := route != nil && len(route.Content) > 0
	rk, redirect := w.field(n, "redirect")
	dk, direct := w.field(n, "directResponse")
	gk, delegate := w.field(n, "delegate")
	switch {
	case delegate != nil:
		if hasRoute || redirect != nil {
			w.fieldReport(gk, "delegate", "%s delegates to another VirtualService, so it must not also set route or redirect", w.where())
		}
	case redirect != nil:
		if hasRoute {
			w.fieldReport(rk, "redirect", "%s sets both route and redirect; keep one", w.where())
		}
		if direct != nil {
			w.fieldReport(dk, "directResponse", "%s sets both redirect and directResponse; keep one", w.where())
		}
		for _, name := range []string{"fault", "rewrite"} {
			if k, v := w.field(n, name); v != nil {
				w.fieldReport(k, name, "%s sets both redirect and %s, which a redirect never applies; remove %s", w.where(), name, name)
			}
		}
	case direct != nil:
		if hasRoute {
			w.fieldReport(dk, "directResponse", "%s sets both route and directResponse; keep one", w.where())
		}
	case !hasRoute:
		w.report(anchor(n, key), nil, "%s has no destination; add route (or redirect, directResponse or delegate)", w.where())
	}
}

func checkHTTPMatch(w *walker, n, key *yaml.Node) {
	for _, field := range []string{"headers", "withoutHeaders"} {
		_, m := w.field(n, field)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		p := w.pairs(m)
		for i := 0; i+1 < len(p); i += 2 {
			k := w.deref(p[i])
			if k == nil {
				return
			}
			if msg := headerNameProblem(k.Value); msg != "" {
				w.report(k, []seg{{kind: segField, name: field}, {kind: segKey, name: k.Value}}, "%s has header name %s, which %s", w.sub(field), quote(k.Value), msg)
			}
		}
	}
	if _, port, ok := w.intField(n, "port"); ok && (port < 1 || port > 65535) {
		_, v := w.field(n, "port")
		w.report(v, []seg{{kind: segField, name: "port"}}, "%s must be a port number from 1 to 65535, not %d; remove it to match every port", w.sub("port"), port)
	}
	if _, v, ns := w.stringField(n, "sourceNamespace"); v != nil && ns != "" {
		if msg := dnsLabelProblem(ns, false); msg != "" {
			w.report(v, []seg{{kind: segField, name: "sourceNamespace"}}, "%s %s is not a namespace name: it %s", w.sub("sourceNamespace"), quote(ns), msg)
		}
	}
}

// retryOnPolicies are the retry conditions Envoy supports, which the webhook
// accepts besides HTTP status codes.
var retryOnPolicies = []string{
	"5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
	"refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
	"http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
}

func checkRetries(w *walker, n, key *yaml.Node) {
	if _, attempts, ok := w.intField(n, "attempts"); ok && attempts < 0 {
		_, v := w.field(n, "attempts")
		w.report(v, []seg{{kind: segField, name: "attempts"}}, "%s must not be negative, not %d", w.sub("attempts"), attempts)
	}
	_, v, retryOn := w.stringField(n, "retryOn")
	if v == nil || retryOn == "" {
		return
	}
	for rest := retryOn; rest != ""; {
		var policy string
		policy, rest, _ = strings.Cut(rest, ",")
		policy = strings.TrimSpace(policy)
		if !contains(retryOnPolicies, policy) {
			if _, err := strconv.Atoi(policy); err != nil {
				msg := fmt.Sprintf("%s has %s, which is not a retry condition", w.sub("retryOn"), quote(policy))
				if c := closest(policy, retryOnPolicies); c != "" {
					msg += fmt.Sprintf("; did you mean %q?", c)
				} else {
					msg += "; use Envoy's conditions such as 5xx, reset, connect-failure, or HTTP status codes"
				}
				w.report(v, []seg{{kind: segField, name: "retryOn"}}, "%s", msg)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func checkFault(w *walker, n, key *yaml.Node) {
	_, delay := w.field(n, "delay")
	_, abort := w.field(n, "abort")
	if delay == nil && abort == nil {
		w.report(anchor(n, key), nil, "%s injects nothing; set delay or abort, or remove it", w.where())
		return
	}
	for _, f := range []struct {
		name string
		node *yaml.Node
	}{{"delay", delay}, {"abort", abort}} {
		if f.node == nil || f.node.Kind != yaml.MappingNode {
			continue
		}
		if _, pct := w.field(f.node, "percentage"); pct != nil && pct.Kind == yaml.MappingNode {
			if _, v := w.field(pct, "value"); v != nil && v.Kind == yaml.ScalarNode {
				if num, ok := parseNumber(v, scalarKindOf(v)); ok && (num.f < 0 || num.f > 100) {
					at := []seg{{kind: segField, name: f.name}, {kind: segField, name: "percentage"}, {kind: segField, name: "value"}}
					w.report(v, at, "%s is a percentage and must be between 0 and 100, not %s", w.pathString(at...), num.text())
				}
			}
		}
		if _, pct, ok := w.intField(f.node, "percent"); ok && (pct < 0 || pct > 100) {
			_, v := w.field(f.node, "percent")
			at := []seg{{kind: segField, name: f.name}, {kind: segField, name: "percent"}}
			w.report(v, at, "%s is a percentage and must be between 0 and 100, not %d", w.pathString(at...), pct)
		}
	}
	if delay != nil && delay.Kind == yaml.MappingNode {
		_, fixed := w.field(delay, "fixedDelay")
		_, exp := w.field(delay, "exponentialDelay")
		if fixed == nil && exp == nil {
			w.report(delay, []seg{{kind: segField, name: "delay"}}, "%s.delay needs fixedDelay, such as \"5s\"", w.where())
		}
	}
	if abort != nil && abort.Kind == yaml.MappingNode {
		if _, status, ok := w.intField(abort, "httpStatus"); ok && (status < 200 || status > 600) {
			_, v := w.field(abort, "httpStatus")
			at := []seg{{kind: segField, name: "abort"}, {kind: segField, name: "httpStatus"}}
			w.report(v, at, "%s must be an HTTP status from 200 to 599, not %d", w.pathString(at...), status)
		}
	}
}

func checkRedirect(w *walker, n, key *yaml.Node) {
	if _, code, ok := w.intField(n, "redirectCode"); ok && code != 0 && (code < 300 || code > 399) {
		_, v := w.field(n, "redirectCode")
		w.report(v, []seg{{kind: segField, name: "redirectCode"}}, "%s must be a 3xx status such as 301 or 302, not %d", w.sub("redirectCode"), code)
	}
	_, _, uri := w.stringField(n, "uri")
	_, _, authority := w.stringField(n, "authority")
	_, _, scheme := w.stringField(n, "scheme")
	_, port, _ := w.intField(n, "port")
	_, _, derive := w.stringField(n, "derivePort")
	if uri == "" && authority == "" && scheme == "" && port == 0 && derive != "FROM_REQUEST_PORT" {
		w.report(anchor(n, key), nil, "%s redirects nowhere; set uri, authority, scheme or port", w.where())
	}
}

func checkDestination(w *walker, n, key *yaml.Node) {
	if _, v, host := w.stringField(n, "host"); v != nil {
		if host == "*" {
			w.report(v, []seg{{kind: segField, name: "host"}}, "%s must name one host, not \"*\"", w.sub("host"))
		} else if msg := wildcardDomainProblem(host); msg != "" && !isIP(host) {
			w.report(v, []seg{{kind: segField, name: "host"}}, "%s %s %s", w.sub("host"), quote(host), msg)
		}
	}
	if _, v, subset := w.stringField(n, "subset"); v != nil && subset != "" {
		if msg := dnsLabelProblem(subset, true); msg != "" {
			w.report(v, []seg{{kind: segField, name: "subset"}}, "%s %s is not a valid subset name: it %s", w.sub("subset"), quote(subset), msg)
		}
	}
	if _, port := w.field(n, "port"); port != nil && port.Kind == yaml.MappingNode {
		_, num, ok := w.intField(port, "number")
		if !ok || num < 1 || num > 65535 {
			at := []seg{{kind: segField, name: "port"}, {kind: segField, name: "number"}}
			where := port
			if _, v := w.field(port, "number"); v != nil {
				where = v
			}
			w.report(where, at, "%s must be a port number from 1 to 65535; remove port to use the service's only port", w.pathString(at...))
		}
	}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// headerNameProblem checks an HTTP header name as the webhook does; the
// @request.auth.claims form routes on JWT claims at gateways.
func headerNameProblem(name string) string {
	if name == "" {
		return "is empty"
	}
	if strings.HasPrefix(name, "@request.auth.claims.") {
		return ""
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '-' || c == '_' || isAlnum(c)) {
			return "is not a valid header name: use letters, digits, '-' and '_'"
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// dnsLabelProblem checks a DNS-1123 label (at most 63 characters of
// letters, digits and '-', starting and ending with a letter or digit);
// anyCase admits upper case, as Istio does for host and subset names.
func dnsLabelProblem(s string, anyCase bool) string {
	ok := isAlnum
	what := "letters, digits and '-'"
	if !anyCase {
		ok = isLowerAlnum
		what = "lowercase letters, digits and '-'"
	}
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > 63:
		return fmt.Sprintf("must be at most 63 characters long, not %d", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ok(c) || (c == '-' && i > 0 && i < len(s)-1) {
			continue
		}
		return fmt.Sprintf("must consist of %s, and start and end with a letter or digit", what)
	}
	return ""
}

// dnsSubdomainProblem checks a DNS-1123 subdomain, the form of object names.
func dnsSubdomainProblem(s string) string {
	if len(s) > 253 {
		return fmt.Sprintf("must be at most 253 characters long, not %d", len(s))
	}
	if s == "" {
		return "must not be empty"
	}
	for rest, more := s, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		if dnsLabelProblem(label, false) != "" {
			return "must be a DNS-1123 name: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
		}
	}
	return ""
}

// fqdnProblem checks a host name made of DNS-1123 labels; a trailing dot is
// allowed.
func fqdnProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 255 {
		return fmt.Sprintf("must be at most 255 characters long, not %d", len(s))
	}
	trimmed := strings.TrimSuffix(s, ".")
	for rest, more := trimmed, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		if msg := dnsLabelProblem(l, true); msg != "" {
			return fmt.Sprintf("is not a valid host name: its label %s %s", quote(l), msg)
		}
	}
	tld := trimmed[strings.LastIndexByte(trimmed, '.')+1:]
	if trimmed == s && allDigits(tld) {
		return fmt.Sprintf("is not a valid host name: its top-level domain %s is all digits", quote(tld))
	}
	return ""
}

// wildcardDomainProblem checks a host that may start with a wildcard label
// ("*", "*.example.com", "*-foo.example.com"), as Istio's
// ValidateWildcardDomain does.
func wildcardDomainProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 255 {
		return fmt.Sprintf("must be at most 255 characters long, not %d", len(s))
	}
	first, rest, hasRest := strings.Cut(s, ".")
	if strings.HasPrefix(first, "*") {
		label := strings.TrimPrefix(strings.TrimPrefix(first, "*"), "-")
		if label != "" && dnsLabelProblem(label, true) != "" {
			return fmt.Sprintf("is not a valid host name: its wildcard label %s is malformed", quote(first))
		}
	} else if msg := dnsLabelProblem(first, true); msg != "" {
		return fmt.Sprintf("is not a valid host name: its label %s %s", quote(first), msg)
	}
	if !hasRest {
		return ""
	}
	if strings.Contains(rest, "*") {
		return "is not a valid host name: a wildcard may only be the first label"
	}
	return fqdnProblem(rest)
}

// qualifiedNameProblem checks a label or annotation key: an optional DNS
// subdomain prefix and "/", then a name of at most 63 characters.
// Kubernetes wants the prefix in lower case; Istio's check of subset labels
// admits upper case (anyCase).
func qualifiedNameProblem(s string, anyCase bool) string {
	prefix, name, hasPrefix := strings.Cut(s, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	} else {
		if anyCase {
			prefix = strings.ToLower(prefix)
		}
		if msg := dnsSubdomainProblem(prefix); msg != "" {
			return "has a prefix that " + msg
		}
	}
	if name == "" {
		return "has an empty name"
	}
	if len(name) > 63 {
		return fmt.Sprintf("has a name longer than 63 characters (%d)", len(name))
	}
	if !isNameChars(name) {
		return "must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit, with an optional DNS prefix and '/'"
	}
	return ""
}

// labelValueProblem checks a label value: empty, or at most 63 characters of
// letters, digits, '-', '_' and '.', starting and ending with a letter or
// digit.
func labelValueProblem(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 63 {
		return fmt.Sprintf("is a label value longer than 63 characters (%d)", len(s))
	}
	if !isNameChars(s) {
		return "is not a valid label value: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
	}
	return ""
}

func isNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) {
			continue
		}
		if (c == '-' || c == '_' || c == '.') && i > 0 && i < len(s)-1 {
			continue
		}
		return false
	}
	return true
}
