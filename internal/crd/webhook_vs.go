package crd

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// vsContext is what the checks of a VirtualService's routes need to know
// about the whole VirtualService. It is read before the walk, because checks
// run bottom-up.
type vsContext struct {
	// hosts is the spec.hosts list node, or nil.
	hosts *yaml.Node
	// delegate is set for a VirtualService without hosts: a delegate,
	// which only a root VirtualService's delegate route can use.
	delegate bool
	// gatewayOnly is set when the VirtualService is bound to gateways and
	// not to the mesh.
	gatewayOnly bool
}

// virtualServiceContext reads hosts and gateways of a VirtualService
// document, tolerating any shape: the walk reports malformed fields.
func (w *walker) virtualServiceContext(root *yaml.Node) vsContext {
	c := vsContext{}
	_, spec := w.present(root, "spec")
	if spec == nil || spec.Kind != yaml.MappingNode {
		c.delegate = true
		return c
	}
	if _, hosts := w.present(spec, "hosts"); hosts != nil && hosts.Kind == yaml.SequenceNode {
		c.hosts = hosts
	}
	c.delegate = c.hosts == nil || len(c.hosts.Content) == 0
	if _, gateways := w.present(spec, "gateways"); gateways != nil && gateways.Kind == yaml.SequenceNode && len(gateways.Content) > 0 {
		c.gatewayOnly = true
		for _, g := range gateways.Content {
			if g != nil && g.Value == "mesh" {
				c.gatewayOnly = false
			}
		}
	}
	return c
}

// virtualServiceChecks returns the checks of a VirtualService at a schema
// path.
func virtualServiceChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkVirtualService}
	case "spec.http[]":
		return []check{checkHTTPRoute}
	case "spec.http[].match[]":
		return []check{checkHTTPMatch}
	case "spec.http[].headers", "spec.http[].route[].headers":
		return []check{checkHeaderOperations}
	case "spec.http[].retries":
		return []check{checkRetries}
	case "spec.http[].fault":
		return []check{checkFault}
	case "spec.http[].redirect":
		return []check{checkRedirect}
	case "spec.http[].directResponse":
		return []check{checkDirectResponse}
	case "spec.http[].rewrite":
		return []check{checkRewrite}
	case "spec.http[].corsPolicy":
		return []check{checkCORS}
	case "spec.http[].route[].destination", "spec.http[].mirror", "spec.http[].mirrors[].destination",
		"spec.tcp[].route[].destination", "spec.tls[].route[].destination":
		return []check{checkDestination}
	case "spec.tcp[]":
		return []check{requireList("route", "a TCP route needs at least one destination in route")}
	case "spec.tcp[].match[]":
		return []check{checkL4Match}
	case "spec.tls[]":
		return []check{
			requireList("match", "a TLS route needs at least one match with sniHosts"),
			requireList("route", "a TLS route needs at least one destination in route"),
		}
	case "spec.tls[].match[]":
		return []check{checkL4Match, checkSNIHosts}
	}
	return nil
}

// checkVirtualService checks what the webhook checks across a
// VirtualService's fields.
func checkVirtualService(w *walker, n, key *yaml.Node) {
	_, hosts := w.field(n, "hosts")
	gatewaysKey, gateways := w.field(n, "gateways")
	if w.vs.delegate {
		if gateways != nil && len(gateways.Content) > 0 {
			w.fieldReport(gatewaysKey, "gateways", "%s has no hosts, which makes it a delegate VirtualService, and a delegate must not set gateways; add hosts or remove gateways", w.where())
		}
		for _, name := range []string{"tcp", "tls"} {
			if k, v := w.field(n, name); v != nil && len(v.Content) > 0 {
				w.fieldReport(k, name, "%s has no hosts, which makes it a delegate VirtualService, and a delegate supports http routes only; add hosts or remove %s", w.where(), name)
			}
		}
	}
	if gateways != nil {
		w.gatewayNames(gateways, seg{kind: segField, name: "gateways"})
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
	valid := true
	for i, h := range hosts.Content {
		if h == nil {
			return
		}
		at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
		if h.Value == "*" {
			if !w.vs.gatewayOnly {
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
	values := make([]string, len(hosts.Content))
	for i, h := range hosts.Content {
		if h == nil {
			return
		}
		values[i] = h.Value
	}
	// Istio compares every pair of hosts; a suffix trie finds, for each
	// host, the first earlier one it overlaps in time linear in the hosts'
	// length, so that a list of 100,000 hosts lints in moments and a host
	// that overlaps many is reported once.
	for j, i := range firstOverlaps(values) {
		if i >= 0 {
			b := hosts.Content[j]
			at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: j}}
			w.report(b, at, "%s %s duplicates %s; list each host once", w.pathString(at...), quote(b.Value), quote(values[i]))
		}
	}
}

// gatewayNames checks a list of gateway references: namespace/name, or a
// plain (legacy: FQDN) name.
func (w *walker) gatewayNames(list *yaml.Node, field seg) {
	for i, g := range list.Content {
		if g == nil {
			return
		}
		if msg := gatewayNameProblem(g.Value); msg != "" {
			at := []seg{field, {kind: segIndex, index: i}}
			w.report(g, at, "%s %s is not a gateway reference: it %s", w.pathString(at...), quote(g.Value), msg)
		}
	}
}

func gatewayNameProblem(g string) string {
	ns, name, qualified := strings.Cut(g, "/")
	if !qualified {
		return fqdnProblem(g)
	}
	if ns == "" || name == "" {
		return "must be namespace/name, with neither part empty"
	}
	if msg := dnsLabelProblem(ns, true); msg != "" {
		return "has a namespace that " + msg
	}
	if msg := dnsLabelProblem(name, true); msg != "" {
		return "has a name that " + msg
	}
	return ""
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

// hostSubsetOf reports whether every host h matches is matched by o, as
// Istio's host.Name.SubsetOf does.
func hostSubsetOf(h, o string) bool {
	h, o = strings.ToLower(h), strings.ToLower(o)
	if o == "*" {
		return true
	}
	if strings.HasPrefix(o, "*") {
		return strings.HasSuffix(strings.TrimPrefix(h, "*"), o[1:])
	}
	return h == o
}

func checkHTTPRoute(w *walker, n, key *yaml.Node) {
	_, route := w.field(n, "route")
	hasRoute := route != nil && len(route.Content) > 0
	rk, redirect := w.field(n, "redirect")
	dk, direct := w.field(n, "directResponse")
	gk, delegate := w.field(n, "delegate")
	conflict := func(k *yaml.Node, name, a, b string) {
		w.fieldReport(k, name, "%s sets both %s and %s, which exclude each other; keep one", w.where(), a, b)
	}
	switch {
	case delegate != nil && w.vs.delegate:
		w.fieldReport(gk, "delegate", "%s delegates, but this VirtualService is itself a delegate (it has no hosts); a delegate cannot delegate further", w.where())
	case delegate != nil:
		// A root route may only delegate.
		if route != nil {
			conflict(gk, "delegate", "delegate", "route")
		}
		if redirect != nil {
			conflict(gk, "delegate", "delegate", "redirect")
		}
		return
	}
	switch {
	case redirect != nil:
		if hasRoute {
			conflict(rk, "redirect", "route", "redirect")
		}
		for _, name := range []string{"fault", "rewrite", "directResponse"} {
			if k, v := w.field(n, name); v != nil {
				conflict(k, name, "redirect", name)
			}
		}
	case direct != nil:
		if hasRoute {
			conflict(dk, "directResponse", "route", "directResponse")
		}
		for _, name := range []string{"fault", "rewrite"} {
			if k, v := w.field(n, name); v != nil {
				conflict(k, name, "directResponse", name)
			}
		}
	case !hasRoute && delegate == nil:
		w.report(anchor(n, key), nil, "%s has no destination; add route (or redirect, directResponse or delegate)", w.where())
	}
	if mk, mirrors := w.field(n, "mirrors"); mirrors != nil && len(mirrors.Content) > 0 {
		if _, mirror := w.field(n, "mirror"); mirror != nil {
			conflict(mk, "mirrors", "mirror", "mirrors")
		}
	}
	w.authorityRewrite(n)
}

// authorityRewrite rejects a route that sets the authority twice: by
// rewrite.authority and by a request header, or by two request headers.
func (w *walker) authorityRewrite(n *yaml.Node) {
	set := ""
	if _, rw := w.field(n, "rewrite"); rw != nil && rw.Kind == yaml.MappingNode {
		_, _, set = w.stringField(rw, "authority")
	}
	_, headers := w.field(n, "headers")
	if headers == nil || headers.Kind != yaml.MappingNode {
		return
	}
	_, request := w.field(headers, "request")
	if request == nil || request.Kind != yaml.MappingNode {
		return
	}
	for _, op := range []string{"set", "add"} {
		_, m := w.field(request, op)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		p := m.Content
		for i := 0; i+1 < len(p); i += 2 {
			k, v := p[i], p[i+1]
			if k == nil || v == nil || !isAuthorityHeader(k.Value) {
				continue
			}
			if set != "" {
				at := []seg{{kind: segField, name: "headers"}, {kind: segField, name: "request"}, {kind: segField, name: op}, {kind: segKey, name: k.Value}}
				w.report(k, at, "%s sets the authority again (it is already %s); set it in one place", w.pathString(at...), quote(set))
				return
			}
			set = v.Value
		}
	}
}

func isAuthorityHeader(name string) bool {
	return strings.EqualFold(name, ":authority") || strings.EqualFold(name, "host")
}

// checkHeaderOperations checks the header names of a route's or a
// destination's request and response header operations.
func checkHeaderOperations(w *walker, n, key *yaml.Node) {
	for _, dir := range []string{"request", "response"} {
		_, d := w.field(n, dir)
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		for _, op := range []string{"set", "add", "remove"} {
			_, v := w.field(d, op)
			if v == nil {
				continue
			}
			check := func(name string, at *yaml.Node, path []seg) {
				var msg string
				switch {
				case name == "":
					msg = "is empty"
				case dir == "request" && op != "remove" && isAuthorityHeader(name):
					// Setting the authority through a header is allowed.
				case strings.EqualFold(name, "host"):
					msg = "is the Host header, which cannot be changed here; use rewrite.authority"
				case strings.HasPrefix(name, ":"):
					msg = "is a pseudo-header (\":\" prefix), which cannot be changed"
				}
				if msg != "" {
					w.report(at, path, "%s has header name %s, which %s", w.pathString(seg{kind: segField, name: dir}, seg{kind: segField, name: op}), quote(name), msg)
				}
			}
			switch v.Kind {
			case yaml.MappingNode:
				p := v.Content
				for i := 0; i+1 < len(p); i += 2 {
					if k := p[i]; k != nil {
						check(k.Value, k, []seg{{kind: segField, name: dir}, {kind: segField, name: op}, {kind: segKey, name: k.Value}})
					}
				}
			case yaml.SequenceNode:
				for i, e := range v.Content {
					if e != nil {
						check(e.Value, e, []seg{{kind: segField, name: dir}, {kind: segField, name: op}, {kind: segIndex, index: i}})
					}
				}
			}
		}
	}
}

func checkHTTPMatch(w *walker, n, key *yaml.Node) {
	for _, field := range []string{"headers", "withoutHeaders"} {
		_, m := w.field(n, field)
		if m == nil || m.Kind != yaml.MappingNode {
			continue
		}
		p := m.Content
		for i := 0; i+1 < len(p); i += 2 {
			k, v := p[i], p[i+1]
			if k == nil || v == nil {
				return
			}
			at := []seg{{kind: segField, name: field}, {kind: segKey, name: k.Value}}
			if msg := headerNameProblem(k.Value); msg != "" {
				w.report(k, at, "%s has header name %s, which %s", w.sub(field), quote(k.Value), msg)
			} else if isClaimRoute(k.Value) && !w.vs.gatewayOnly {
				w.report(k, at, "%s routes on the JWT claim %s, which works only for VirtualServices bound to gateways (not the mesh)", w.sub(field), quote(k.Value))
			}
			if field == "withoutHeaders" {
				if _, _, re := w.stringField(v, "regex"); re == "*" {
					continue
				}
			}
			w.stringMatch(v, at, false)
		}
	}
	for _, field := range []string{"scheme", "method", "authority"} {
		if _, v := w.field(n, field); v != nil {
			w.stringMatch(v, []seg{{kind: segField, name: field}}, false)
		}
	}
	if _, v := w.field(n, "uri"); v != nil {
		w.stringMatch(v, []seg{{kind: segField, name: "uri"}}, true)
	}
	if _, m := w.field(n, "queryParams"); m != nil && m.Kind == yaml.MappingNode {
		p := m.Content
		for i := 0; i+1 < len(p); i += 2 {
			if k, v := p[i], p[i+1]; k != nil && v != nil {
				w.stringMatch(v, []seg{{kind: segField, name: "queryParams"}, {kind: segKey, name: k.Value}}, false)
			}
		}
	}
	w.l4Match(n)
	if _, v, ns := w.stringField(n, "sourceNamespace"); v != nil && ns != "" {
		if msg := dnsLabelProblem(ns, true); msg != "" {
			w.report(v, []seg{{kind: segField, name: "sourceNamespace"}}, "%s %s is not a namespace name: it %s", w.sub("sourceNamespace"), quote(ns), msg)
		}
	}
}

// isClaimRoute reports whether a header match routes on a JWT claim.
func isClaimRoute(name string) bool {
	return strings.HasPrefix(name, "@request.auth.claims.") || strings.HasPrefix(name, "@request.auth.claims[")
}

// stringMatch rejects empty prefix and regex matches: Envoy does not accept
// them, except an empty prefix on the URI; and regexes that Istio does not
// compile.
func (w *walker) stringMatch(m *yaml.Node, at []seg, uri bool) {
	if m.Kind != yaml.MappingNode {
		return
	}
	for _, kind := range []string{"prefix", "regex"} {
		if kind == "prefix" && uri {
			continue
		}
		_, v, s := w.stringField(m, kind)
		if v == nil || (s != "" && (kind != "regex" || !badRegex(s))) {
			continue
		}
		path := append(append([]seg{}, at...), seg{kind: segField, name: kind})
		if s == "" {
			w.report(v, path, "%s is an empty %s match, which Envoy rejects; remove the match or give it a value", w.pathString(path...), kind)
		} else {
			w.regex(v, path)
		}
	}
}

// checkL4Match checks the fields that http, tcp and tls matches share.
func checkL4Match(w *walker, n, key *yaml.Node) { w.l4Match(n) }

func (w *walker) l4Match(n *yaml.Node) {
	if _, port, ok := w.intField(n, "port"); ok && port > 65535 {
		_, v := w.field(n, "port")
		w.report(v, []seg{{kind: segField, name: "port"}}, "%s must be a port number from 1 to 65535, not %d; remove it to match every port", w.sub("port"), port)
	}
	w.labels(n, "sourceLabels", true)
	if _, g := w.field(n, "gateways"); g != nil && g.Kind == yaml.SequenceNode {
		w.gatewayNames(g, seg{kind: segField, name: "gateways"})
	}
	if _, subnets := w.field(n, "destinationSubnets"); subnets != nil && subnets.Kind == yaml.SequenceNode {
		for i, s := range subnets.Content {
			if s == nil {
				return
			}
			if !isIPOrCIDR(s.Value) {
				at := []seg{{kind: segField, name: "destinationSubnets"}, {kind: segIndex, index: i}}
				w.report(s, at, "%s %s is not an IP address or a CIDR block such as 10.0.0.0/16", w.pathString(at...), quote(s.Value))
			}
		}
	}
}

func isIPOrCIDR(s string) bool {
	if strings.Count(s, "/") == 1 {
		_, err := netip.ParsePrefix(s)
		return err == nil
	}
	return isIP(s)
}

// checkSNIHosts checks a TLS match's SNI hosts: valid host names, each
// covered by one of the VirtualService's hosts.
func checkSNIHosts(w *walker, n, key *yaml.Node) {
	_, hosts := w.field(n, "sniHosts")
	if hosts == nil || hosts.Kind != yaml.SequenceNode {
		return
	}
	if len(hosts.Content) == 0 {
		w.report(hosts, []seg{{kind: segField, name: "sniHosts"}}, "%s is empty: a TLS match needs at least one SNI host", w.sub("sniHosts"))
		return
	}
	for i, h := range hosts.Content {
		if h == nil {
			return
		}
		at := []seg{{kind: segField, name: "sniHosts"}, {kind: segIndex, index: i}}
		if msg := wildcardDomainProblem(h.Value); msg != "" {
			if !isIP(h.Value) {
				w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
			}
			continue
		}
		if !w.coveredByHosts(h.Value) {
			w.report(h, at, "%s %s is not covered by any of the VirtualService's hosts (%s); add it to spec.hosts or fix the name",
				w.pathString(at...), quote(h.Value), strings.Join(w.hostNames(), ", "))
		}
	}
}

// coveredByHosts reports whether one of the VirtualService's hosts covers
// the SNI host h.
func (w *walker) coveredByHosts(h string) bool {
	if w.vs.hosts == nil {
		return false
	}
	for _, o := range w.vs.hosts.Content {
		if o != nil && hostSubsetOf(h, o.Value) {
			return true
		}
	}
	return false
}

// hostNames lists the VirtualService's hosts for a message.
func (w *walker) hostNames() []string {
	var names []string
	if w.vs.hosts != nil {
		for _, o := range w.vs.hosts.Content {
			if o != nil {
				names = append(names, o.Value)
			}
		}
	}
	return names
}

// retryOnPolicies are the retry conditions Envoy supports, which the webhook
// accepts besides HTTP status codes.
var retryOnPolicies = []string{
	"5xx", "gateway-error", "reset", "reset-before-request", "connect-failure", "retriable-4xx",
	"refused-stream", "retriable-status-codes", "retriable-headers", "envoy-ratelimited",
	"http3-post-connect-failure", "cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable",
}

func checkRetries(w *walker, n, key *yaml.Node) {
	_, attemptsNode := w.field(n, "attempts")
	_, attempts, _ := w.intField(n, "attempts")
	if attempts < 0 {
		w.report(attemptsNode, []seg{{kind: segField, name: "attempts"}}, "%s must not be negative, not %d", w.sub("attempts"), attempts)
	}
	if attempts == 0 {
		for _, name := range []string{"perTryTimeout", "retryOn", "retryRemoteLocalities"} {
			if k, v := w.field(n, name); v != nil && !(name == "retryOn" && v.Value == "") {
				w.fieldReport(k, name, "%s sets %s, but attempts is 0, which disables retries; set attempts or remove %s", w.where(), name, name)
				break
			}
		}
	}
	_, v, retryOn := w.stringField(n, "retryOn")
	if v == nil || retryOn == "" {
		return
	}
	for rest, more := retryOn, true; more; {
		var policy string
		policy, rest, more = strings.Cut(rest, ",")
		if slices.Contains(retryOnPolicies, policy) {
			continue
		}
		if code, err := strconv.Atoi(policy); err == nil && http.StatusText(code) != "" {
			continue
		}
		msg := fmt.Sprintf("%s has %s, which is not a retry condition", w.sub("retryOn"), quote(policy))
		switch trimmed := strings.TrimSpace(policy); {
		case trimmed != policy && (slices.Contains(retryOnPolicies, trimmed) || isStatusCode(trimmed)):
			msg += "; remove the spaces around the commas"
		case closest(policy, retryOnPolicies) != "":
			msg += fmt.Sprintf("; did you mean %q?", closest(policy, retryOnPolicies))
		default:
			msg += "; use Envoy's conditions such as 5xx, reset, connect-failure, or HTTP status codes"
		}
		w.report(v, []seg{{kind: segField, name: "retryOn"}}, "%s", msg)
	}
}

func isStatusCode(s string) bool {
	code, err := strconv.Atoi(s)
	return err == nil && http.StatusText(code) != ""
}

// grpcStatuses are the gRPC status names a fault may abort with.
var grpcStatuses = []string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
	"PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
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
		_, pct := w.field(f.node, "percentage")
		if pct == nil || pct.Kind != yaml.MappingNode {
			continue
		}
		_, v := w.field(pct, "value")
		if v == nil || v.Kind != yaml.ScalarNode {
			continue
		}
		if num, ok := parseNumber(v, scalarKindOf(v)); ok && (num.f < 0 || num.f > 100 || (num.f > 0 && num.f < 0.0001)) {
			at := []seg{{kind: segField, name: f.name}, {kind: segField, name: "percentage"}, {kind: segField, name: "value"}}
			w.report(v, at, "%s must be 0 or a percentage from 0.0001 to 100, not %s", w.pathString(at...), num.text())
		}
	}
	if delay != nil && delay.Kind == yaml.MappingNode {
		if k, v := w.field(delay, "exponentialDelay"); v != nil {
			w.report(k, []seg{{kind: segField, name: "delay"}, {kind: segField, name: "exponentialDelay"}}, "%s.delay.exponentialDelay is not supported yet; use fixedDelay", w.where())
		}
	}
	if abort == nil || abort.Kind != yaml.MappingNode {
		return
	}
	if _, status, ok := w.intField(abort, "httpStatus"); ok && (status < 200 || status > 600) {
		_, v := w.field(abort, "httpStatus")
		at := []seg{{kind: segField, name: "abort"}, {kind: segField, name: "httpStatus"}}
		w.report(v, at, "%s must be an HTTP status from 200 to 599, not %d", w.pathString(at...), status)
	}
	if k, v := w.field(abort, "http2Error"); v != nil {
		w.report(k, []seg{{kind: segField, name: "abort"}, {kind: segField, name: "http2Error"}}, "%s.abort.http2Error is not supported yet; use httpStatus or grpcStatus", w.where())
	}
	if _, v, status := w.stringField(abort, "grpcStatus"); v != nil && !slices.Contains(grpcStatuses, status) {
		at := []seg{{kind: segField, name: "abort"}, {kind: segField, name: "grpcStatus"}}
		msg := fmt.Sprintf("%s is %s, which is not a gRPC status", w.pathString(at...), quote(status))
		if c := closest(status, grpcStatuses); c != "" {
			msg += fmt.Sprintf("; did you mean %q?", c)
		} else {
			msg += "; use a name such as UNAVAILABLE or NOT_FOUND"
		}
		w.report(v, at, "%s", msg)
	}
}

func checkRedirect(w *walker, n, key *yaml.Node) {
	if _, code, ok := w.intField(n, "redirectCode"); ok && code != 0 && (code < 300 || code > 399) {
		_, v := w.field(n, "redirectCode")
		w.report(v, []seg{{kind: segField, name: "redirectCode"}}, "%s must be a 3xx status such as 301 or 302, not %d", w.sub("redirectCode"), code)
	}
	_, _, uri := w.stringField(n, "uri")
	_, _, authority := w.stringField(n, "authority")
	_, schemeNode, scheme := w.stringField(n, "scheme")
	_, portNode := w.field(n, "port")
	_, derive := w.field(n, "derivePort")
	if uri == "" && authority == "" && scheme == "" && portNode == nil && derive == nil {
		w.report(anchor(n, key), nil, "%s redirects nowhere; set uri, authority, scheme or port", w.where())
	}
	if scheme != "" && scheme != "http" && scheme != "https" {
		w.report(schemeNode, []seg{{kind: segField, name: "scheme"}}, "%s must be \"http\" or \"https\", not %s", w.sub("scheme"), quote(scheme))
	}
	if _, port, ok := w.intField(n, "port"); ok && port > 65535 {
		w.report(portNode, []seg{{kind: segField, name: "port"}}, "%s must be a port number from 1 to 65535, not %d", w.sub("port"), port)
	}
}

// maxDirectResponse is the largest direct response body Istio accepts.
const maxDirectResponse = 1 << 20

func checkDirectResponse(w *walker, n, key *yaml.Node) {
	if _, status, ok := w.intField(n, "status"); ok && (status < 200 || status > 600) {
		_, v := w.field(n, "status")
		w.report(v, []seg{{kind: segField, name: "status"}}, "%s must be an HTTP status from 200 to 599, not %d", w.sub("status"), status)
	}
	_, body := w.field(n, "body")
	if body == nil || body.Kind != yaml.MappingNode {
		return
	}
	for _, field := range []string{"string", "bytes"} {
		if _, v, s := w.stringField(body, field); v != nil && len(s) > maxDirectResponse {
			at := []seg{{kind: segField, name: "body"}, {kind: segField, name: field}}
			w.report(v, at, "%s is larger than 1 MiB, which Istio rejects; serve large bodies from a service", w.pathString(at...))
		}
	}
}

func checkRewrite(w *walker, n, key *yaml.Node) {
	uk, _, uri := w.stringField(n, "uri")
	_, regexRewrite := w.field(n, "uriRegexRewrite")
	_, _, authority := w.stringField(n, "authority")
	if uri != "" && regexRewrite != nil {
		w.fieldReport(uk, "uri", "%s sets both uri and uriRegexRewrite; keep one", w.where())
	}
	if uri == "" && regexRewrite == nil && authority == "" {
		w.report(anchor(n, key), nil, "%s rewrites nothing; set uri, uriRegexRewrite or authority, or remove it", w.where())
	}
	if regexRewrite != nil && regexRewrite.Kind == yaml.MappingNode {
		_, _, match := w.stringField(regexRewrite, "match")
		_, _, rewrite := w.stringField(regexRewrite, "rewrite")
		if match == "" || rewrite == "" {
			w.report(regexRewrite, []seg{{kind: segField, name: "uriRegexRewrite"}}, "%s.uriRegexRewrite needs both match and rewrite", w.where())
		} else if badRegex(match) {
			_, v := w.field(regexRewrite, "match")
			w.regex(v, []seg{{kind: segField, name: "uriRegexRewrite"}, {kind: segField, name: "match"}})
		}
	}
}

func checkCORS(w *walker, n, key *yaml.Node) {
	for _, field := range []string{"allowHeaders", "exposeHeaders"} {
		_, list := w.field(n, field)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for i, h := range list.Content {
			if h == nil {
				return
			}
			if h.Value == "*" {
				continue
			}
			if msg := headerNameProblem(h.Value); msg != "" || isClaimRoute(h.Value) {
				if msg == "" {
					msg = "is not a valid header name"
				}
				at := []seg{{kind: segField, name: field}, {kind: segIndex, index: i}}
				w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
			}
		}
	}
	if _, origins := w.field(n, "allowOrigins"); origins != nil && origins.Kind == yaml.SequenceNode {
		for i, o := range origins.Content {
			if o == nil || o.Kind != yaml.MappingNode {
				continue
			}
			set := false
			for _, kind := range []string{"exact", "prefix", "regex"} {
				if _, v, s := w.stringField(o, kind); s != "" {
					set = true
					if kind == "regex" && badRegex(s) {
						w.regex(v, []seg{{kind: segField, name: "allowOrigins"}, {kind: segIndex, index: i}, {kind: segField, name: "regex"}})
					}
				}
			}
			if !set {
				at := []seg{{kind: segField, name: "allowOrigins"}, {kind: segIndex, index: i}}
				w.report(o, at, "%s matches no origin; set exact, prefix or regex to a non-empty value", w.pathString(at...))
			}
		}
	}
}

func checkDestination(w *walker, n, key *yaml.Node) {
	if _, v, host := w.stringField(n, "host"); v != nil {
		if host == "*" {
			w.report(v, []seg{{kind: segField, name: "host"}}, "%s must name one host, not \"*\"", w.sub("host"))
		} else if msg := wildcardDomainProblem(host); msg != "" {
			if isIP(host) {
				msg = "must be a host name, not an IP address; route to a ServiceEntry host that resolves to it"
			}
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
