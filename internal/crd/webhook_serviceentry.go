package crd

import (
	"net/netip"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The checks of this file port Istio's ValidateServiceEntry,
// ValidateWorkloadEntry, validateWorkloadEntry, ValidateWorkloadGroup,
// validateReadinessProbe, validateExportTo and ValidateIPSubnet from
// pkg/config/validation/validation.go and .../agent/validation.go at Istio
// 1.32 (istio/istio master 86c9f01). Warnings (partial wildcards, TCP ports
// without addresses, several hosts with an address and a TCP port) are not
// ported: Istio accepts those objects.

func serviceEntryChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkServiceEntry}
	case "spec.workloadSelector":
		return []check{checkAlphaWorkloadSelector}
	case "spec.exportTo":
		return []check{checkExportTo}
	}
	return nil
}

func workloadEntryChecks(path string) []check {
	if path == "spec" {
		return []check{func(w *walker, n, key *yaml.Node) { w.workloadEntry(n, key, nil, true) }}
	}
	return nil
}

func workloadGroupChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkWorkloadGroup}
	case "spec.probe":
		return []check{checkReadinessProbe}
	}
	return nil
}

// seResolution is a ServiceEntry's resolution as written, NONE by default.
func (w *walker) seResolution(n *yaml.Node) string {
	if _, _, r := w.stringField(n, "resolution"); r != "" {
		return r
	}
	return "NONE"
}

func checkServiceEntry(w *walker, n, key *yaml.Node) {
	resolution := w.seResolution(n)
	_, selector := w.field(n, "workloadSelector")
	ek, endpoints := w.field(n, "endpoints")
	if selector != nil && endpoints != nil {
		w.fieldReport(ek, "endpoints", "%s sets both workloadSelector and endpoints; Istio allows only one", w.where())
	}
	hk, hostsNode := w.field(n, "hosts")
	var hosts []string
	if hostsNode != nil && hostsNode.Kind == yaml.SequenceNode {
		for i, h := range hostsNode.Content {
			if h == nil || h.Kind != yaml.ScalarNode {
				continue
			}
			hosts = append(hosts, h.Value)
			at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
			if h.Value == "*" {
				w.report(h, at, "%s is \"*\", which a ServiceEntry may not use; name the hosts, or use a wildcard such as *.example.com", w.pathString(at...))
			} else if msg := wildcardDomainProblem(h.Value); msg != "" {
				w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
			}
		}
	}
	if len(hosts) == 0 {
		at := anchor(n, key)
		if hk != nil {
			at = hk
		}
		w.report(at, []seg{{kind: segField, name: "hosts"}}, "%s needs at least one host", w.where())
	}
	_, addresses := w.field(n, "addresses")
	hasAddresses := addresses != nil && addresses.Kind == yaml.SequenceNode && len(addresses.Content) > 0
	if hasAddresses {
		cidr := false
		for i, a := range addresses.Content {
			if a == nil || a.Kind != yaml.ScalarNode {
				continue
			}
			at := []seg{{kind: segField, name: "addresses"}, {kind: segIndex, index: i}}
			if strings.Count(a.Value, "/") == 1 {
				cidr = true
				if _, err := netip.ParsePrefix(a.Value); err != nil {
					w.report(a, at, "%s %s is not a valid CIDR block", w.pathString(at...), quote(a.Value))
				}
			} else if !isIP(a.Value) {
				w.report(a, at, "%s %s is not an IP address or CIDR block", w.pathString(at...), quote(a.Value))
			}
		}
		if cidr && resolution != "NONE" && resolution != "STATIC" {
			w.fieldReport(w.keyOf(n, "addresses"), "addresses", "%s holds a CIDR block, which Istio allows only with resolution NONE or STATIC, not %s", w.sub("addresses"), resolution)
		}
	}
	// Ports: unique names and numbers, valid names, protocols and numbers.
	type sePort struct{ name, protocol string }
	var ports []sePort
	portNames := map[string]bool{}
	if _, pl := w.field(n, "ports"); pl != nil && pl.Kind == yaml.SequenceNode {
		numbers := map[int64]bool{}
		for i, p := range pl.Content {
			if p == nil || p.Kind != yaml.MappingNode {
				continue
			}
			at := func(f string) []seg {
				return []seg{{kind: segField, name: "ports"}, {kind: segIndex, index: i}, {kind: segField, name: f}}
			}
			_, nameNode, name := w.stringField(p, "name")
			_, protoNode, proto := w.stringField(p, "protocol")
			ports = append(ports, sePort{name, proto})
			if nameNode != nil {
				if portNames[name] {
					w.report(nameNode, at("name"), "%s %s is already the name of another port; Istio wants port names unique", w.pathString(at("name")...), quote(name))
				} else if dnsLabelProblem(name, true) != "" {
					w.report(nameNode, at("name"), "%s %s is not a valid port name: use a DNS-1123 label (letters, digits and '-')", w.pathString(at("name")...), quote(name))
				}
				portNames[name] = true
			}
			if protoNode != nil && proto != "" && !serverProtocols[strings.ToLower(proto)] {
				w.report(protoNode, at("protocol"), "%s %s is not a protocol Istio knows; use HTTP, HTTPS, HTTP2, GRPC, TLS, TCP, MONGO, REDIS or MYSQL", w.pathString(at("protocol")...), quote(proto))
			}
			if _, num, ok := w.intField(p, "number"); ok {
				_, v := w.field(p, "number")
				switch {
				case num < 1 || num > 65535:
					w.report(v, at("number"), "%s must be a port from 1 to 65535, not %d", w.pathString(at("number")...), num)
				case numbers[num]:
					w.report(v, at("number"), "%s: port %d is already defined; Istio wants port numbers unique", w.pathString(at("number")...), num)
				}
				numbers[num] = true
			}
			if _, tp, ok := w.intField(p, "targetPort"); ok && tp != 0 && (tp < 1 || tp > 65535) {
				_, v := w.field(p, "targetPort")
				w.report(v, at("targetPort"), "%s must be a port from 1 to 65535, not %d", w.pathString(at("targetPort")...), tp)
			}
		}
	}
	eps := 0
	if endpoints != nil && endpoints.Kind == yaml.SequenceNode {
		eps = len(endpoints.Content)
	}
	switch resolution {
	case "NONE":
		// Endpoints with resolution NONE: the CRD's CEL rule rejects them.
	case "STATIC":
		w.eachEndpoint(endpoints, func(ep, key *yaml.Node) { w.workloadEntry(ep, key, portNames, false) })
	case "DNS", "DNS_ROUND_ROBIN":
		if eps == 0 {
			for i, h := range hosts {
				if msg := fqdnProblem(h); msg != "" {
					at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
					w.report(hostsNode.Content[i], at, "%s %s must be a host name without wildcards, which resolution %s looks up when no endpoints are given", w.pathString(at...), quote(h), resolution)
					break
				}
			}
		}
		// More than one endpoint with DNS_ROUND_ROBIN: the CRD's CEL rule
		// rejects it.
		w.eachEndpoint(endpoints, func(ep, key *yaml.Node) { w.dnsEndpoint(ep, portNames) })
	case "DYNAMIC_DNS":
		for i, h := range hosts {
			if !strings.HasPrefix(h, "*") {
				at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
				w.report(hostsNode.Content[i], at, "%s %s must be a wildcard (such as *.example.com) for resolution DYNAMIC_DNS", w.pathString(at...), quote(h))
			}
		}
		if hasAddresses {
			w.fieldReport(w.keyOf(n, "addresses"), "addresses", "%s cannot be set with resolution DYNAMIC_DNS: the destination comes from the hosts", w.sub("addresses"))
		}
		if eps > 0 {
			w.fieldReport(ek, "endpoints", "%s cannot be set with resolution DYNAMIC_DNS: the destination comes from the hosts", w.sub("endpoints"))
		}
		for i, p := range ports {
			switch strings.ToLower(p.protocol) {
			case "http", "tls", "grpc", "http2":
			default:
				at := []seg{{kind: segField, name: "ports"}, {kind: segIndex, index: i}, {kind: segField, name: "protocol"}}
				_, pl := w.field(n, "ports")
				w.report(pl.Content[i], at, "%s must be HTTP, TLS, GRPC or HTTP2 for resolution DYNAMIC_DNS, not %s", w.pathString(at...), quote(p.protocol))
			}
		}
		_, _, location := w.stringField(n, "location")
		if location == "MESH_INTERNAL" && w.usesWaypoint {
			w.fieldReport(w.keyOf(n, "location"), "location", "%s MESH_INTERNAL with resolution DYNAMIC_DNS is not supported with a waypoint (istio.io/use-waypoint)", w.sub("location"))
		}
	}
	if resolution != "NONE" && len(hosts) > 1 {
		for i, p := range ports {
			if !isHTTPProtocol(p.protocol) && !isTLSProtocol(p.protocol) {
				at := []seg{{kind: segField, name: "ports"}, {kind: segIndex, index: i}}
				_, pl := w.field(n, "ports")
				w.report(pl.Content[i], at, "%s serves %s to several hosts with resolution %s; plain TCP cannot tell the hosts apart, so Istio rejects this: use one host per ServiceEntry, or resolution NONE", w.pathString(at...), protocolName(p.protocol), resolution)
				break
			}
		}
	}
}

func protocolName(p string) string {
	if p == "" {
		return "an unnamed protocol"
	}
	return p
}

// keyOf returns the key node of a present field, for positions.
func (w *walker) keyOf(n *yaml.Node, name string) *yaml.Node {
	k, _ := w.field(n, name)
	if k == nil {
		return n
	}
	return k
}

// eachEndpoint calls f with every endpoint mapping, the path pushed.
func (w *walker) eachEndpoint(endpoints *yaml.Node, f func(ep, key *yaml.Node)) {
	if endpoints == nil || endpoints.Kind != yaml.SequenceNode {
		return
	}
	w.push(seg{kind: segField, name: "endpoints"})
	defer w.pop()
	for i, ep := range endpoints.Content {
		if ep == nil || ep.Kind != yaml.MappingNode {
			continue
		}
		w.push(seg{kind: segIndex, index: i})
		f(ep, nil)
		w.pop()
	}
}

// dnsEndpoint checks an endpoint of a DNS ServiceEntry: an IP address or
// host name, its labels, and ports the ServiceEntry defines.
func (w *walker) dnsEndpoint(n *yaml.Node, portNames map[string]bool) {
	if _, v, addr := w.stringField(n, "address"); v != nil && !isIP(addr) && fqdnProblem(addr) != "" {
		w.report(v, []seg{{kind: segField, name: "address"}}, "%s %s is not a valid host name or IP address", w.sub("address"), quote(addr))
	}
	w.labels(n, "labels", true)
	w.endpointPorts(n, portNames)
}

func (w *walker) endpointPorts(n *yaml.Node, portNames map[string]bool) {
	_, ports := w.field(n, "ports")
	if ports == nil || ports.Kind != yaml.MappingNode {
		return
	}
	p := ports.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: "ports"}, {kind: segKey, name: k.Value}}
		switch {
		case portNames != nil && !portNames[k.Value]:
			w.report(k, at, "%s names port %s, which the ServiceEntry does not define; use one of its port names", w.sub("ports"), quote(k.Value))
		case dnsLabelProblem(k.Value, true) != "":
			w.report(k, at, "%s has key %s, which is not a valid port name", w.sub("ports"), quote(k.Value))
		}
		if num, ok := parseNumber(v, scalarKindOf(v)); ok && num.isInt && (num.i < 1 || num.i > 65535) {
			w.report(v, at, "%s must be a port from 1 to 65535, not %d", w.pathString(at...), num.i)
		}
	}
}

// workloadEntry is validateWorkloadEntry: an address (IP, unix socket, or
// with allowFQDN a host name) unless a network is set, no ports on a unix
// socket, valid port names and numbers, valid labels.
func (w *walker) workloadEntry(n, key *yaml.Node, portNames map[string]bool, allowFQDN bool) {
	av, addrNode, addr := w.stringField(n, "address")
	if addr == "" {
		if _, _, network := w.stringField(n, "network"); network == "" {
			at := anchor(n, key)
			if av != nil {
				at = addrNode
			}
			w.report(at, []seg{{kind: segField, name: "address"}}, "%s is required (unless network is set)", w.sub("address"))
			return
		}
	}
	unix := false
	if rest, ok := strings.CutPrefix(addr, "unix://"); ok {
		unix = true
		if msg := unixAddressProblem(rest); msg != "" {
			w.report(addrNode, []seg{{kind: segField, name: "address"}}, "%s %s %s", w.sub("address"), quote(addr), msg)
		}
		if _, ports := w.field(n, "ports"); ports != nil && ports.Kind == yaml.MappingNode && len(ports.Content) > 0 {
			w.report(addrNode, []seg{{kind: segField, name: "ports"}}, "%s is a unix socket endpoint, which must not list ports", w.where())
		}
	} else if addr != "" && !isIP(addr) {
		if !allowFQDN {
			w.report(addrNode, []seg{{kind: segField, name: "address"}}, "%s %s is not an IP address; resolution STATIC needs IP addresses (use resolution DNS for host names)", w.sub("address"), quote(addr))
		} else if fqdnProblem(addr) != "" {
			w.report(addrNode, []seg{{kind: segField, name: "address"}}, "%s %s is not a valid host name or IP address", w.sub("address"), quote(addr))
		}
	}
	w.endpointPorts(n, portNames)
	w.labels(n, "labels", true)
	if unix && portNames != nil && len(portNames) != 1 {
		w.report(addrNode, []seg{{kind: segField, name: "address"}}, "%s is a unix socket endpoint, which needs exactly one service port, not %d", w.where(), len(portNames))
	}
}

func checkWorkloadGroup(w *walker, n, key *yaml.Node) {
	if _, t := w.field(n, "template"); t == nil {
		w.report(anchor(n, key), []seg{{kind: segField, name: "template"}}, "%s is required: it is the WorkloadEntry each workload of the group gets", w.sub("template"))
	}
	if _, md := w.field(n, "metadata"); md != nil && md.Kind == yaml.MappingNode {
		w.push(seg{kind: segField, name: "metadata"})
		w.labels(md, "labels", true)
		w.pop()
	}
}

// checkReadinessProbe: validateReadinessProbe.
func checkReadinessProbe(w *walker, n, key *yaml.Node) {
	for _, f := range []string{"periodSeconds", "initialDelaySeconds", "timeoutSeconds", "successThreshold", "failureThreshold"} {
		if k, v, ok := w.intField(n, f); ok && v < 0 {
			w.fieldReport(k, f, "%s must not be negative, not %d", w.sub(f), v)
		}
	}
	methods := 0
	if hk, h := w.field(n, "httpGet"); h != nil && h.Kind == yaml.MappingNode {
		methods++
		w.push(seg{kind: segField, name: "httpGet"})
		if _, p, _ := w.intField(h, "port"); p < 1 || p > 65535 {
			w.report(w.keyOf(h, "port"), []seg{{kind: segField, name: "port"}}, "%s must be a port from 1 to 65535, not %d", w.sub("port"), p)
		}
		if _, v, scheme := w.stringField(h, "scheme"); v != nil && scheme != "" && scheme != "HTTP" && scheme != "HTTPS" {
			w.report(v, []seg{{kind: segField, name: "scheme"}}, "%s must be HTTP or HTTPS, not %s", w.sub("scheme"), quote(scheme))
		}
		if _, hs := w.field(h, "httpHeaders"); hs != nil && hs.Kind == yaml.SequenceNode {
			for i, hd := range hs.Content {
				if hd == nil || hd.Kind != yaml.MappingNode {
					continue
				}
				if _, v, name := w.stringField(hd, "name"); v != nil {
					if msg := headerNameProblem(name); msg != "" || strings.HasPrefix(name, "@") {
						at := []seg{{kind: segField, name: "httpHeaders"}, {kind: segIndex, index: i}, {kind: segField, name: "name"}}
						w.report(v, at, "%s %s is not a valid header name", w.pathString(at...), quote(name))
					}
				}
			}
		}
		w.pop()
		_ = hk
	}
	if _, t := w.field(n, "tcpSocket"); t != nil && t.Kind == yaml.MappingNode {
		methods++
		if _, p, _ := w.intField(t, "port"); p < 1 || p > 65535 {
			w.report(w.keyOf(t, "port"), []seg{{kind: segField, name: "tcpSocket"}, {kind: segField, name: "port"}}, "%s.port must be a port from 1 to 65535, not %d", w.sub("tcpSocket"), p)
		}
	}
	if ek, e := w.field(n, "exec"); e != nil && e.Kind == yaml.MappingNode {
		methods++
		if _, c := w.field(e, "command"); c == nil || c.Kind != yaml.SequenceNode || len(c.Content) == 0 {
			w.fieldReport(ek, "exec", "%s.command is required", w.sub("exec"))
		}
	}
	if methods == 0 {
		w.report(anchor(n, key), nil, "%s sets no health check; set httpGet, tcpSocket or exec", w.where())
	}
}
