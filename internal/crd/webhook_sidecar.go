package crd

import (
	"net"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The checks of this file port Istio's ValidateSidecar and the functions it
// calls (ValidateAlphaWorkloadSelector, validateSidecarIngressPortAndBind,
// validateSidecarEgressPortBindAndCaptureMode,
// validateSidecarOutboundTrafficPolicy, validateConnectionPool,
// ValidatePortName, ValidateProtocol) from
// pkg/config/validation/validation.go at Istio 1.32 (istio/istio master
// 86c9f01). Warnings (duplicated egress hosts, a selector without labels,
// HTTP pool settings on a TCP port) are not ported: Istio accepts those.

func sidecarChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkSidecar, checkSidecarListeners}
	case "spec.workloadSelector":
		return []check{checkAlphaWorkloadSelector}
	case "spec.ingress[]":
		return []check{checkSidecarIngress}
	case "spec.ingress[].tls":
		return []check{checkSidecarIngressTLS, checkServerTLS}
	case "spec.ingress[].connectionPool", "spec.inboundConnectionPool":
		return []check{notEmpty("connection pool", "http or tcp"), checkConnectionPool}
	case "spec.egress[]":
		return []check{checkSidecarEgress}
	case "spec.outboundTrafficPolicy":
		return []check{checkOutboundTrafficPolicy}
	}
	return nil
}

// checkSidecar: "empty configuration provided".
func checkSidecar(w *walker, n, key *yaml.Node) {
	set := 0
	for _, f := range []string{"egress", "ingress", "outboundTrafficPolicy", "inboundConnectionPool"} {
		if _, v := w.field(n, f); v != nil && !(v.Kind == yaml.SequenceNode && len(v.Content) == 0) {
			set++
		}
	}
	if set == 0 {
		w.report(anchor(n, key), nil, "%s configures nothing; Istio rejects an empty Sidecar: set egress, ingress, outboundTrafficPolicy or inboundConnectionPool", w.where())
	}
}

// checkSidecarListeners: unique ingress ports, the catch-all egress
// listener last and alone, unique egress ports and sockets.
func checkSidecarListeners(w *walker, n, key *yaml.Node) {
	if _, ingress := w.field(n, "ingress"); ingress != nil && ingress.Kind == yaml.SequenceNode {
		seen := map[int64]bool{}
		for i, l := range ingress.Content {
			if l == nil || l.Kind != yaml.MappingNode {
				continue
			}
			_, port := w.field(l, "port")
			if port == nil {
				continue
			}
			_, num, ok := w.intField(port, "number")
			if !ok {
				continue
			}
			if seen[num] {
				_, v := w.field(port, "number")
				at := []seg{{kind: segField, name: "ingress"}, {kind: segIndex, index: i}, {kind: segField, name: "port"}, {kind: segField, name: "number"}}
				w.report(v, at, "%s: port %d is already an ingress listener of this Sidecar; Istio wants the ports of IP-bound listeners unique", w.pathString(at...), num)
			}
			seen[num] = true
		}
	}
	_, egress := w.field(n, "egress")
	if egress == nil || egress.Kind != yaml.SequenceNode {
		return
	}
	catchAll := false
	ports := map[int64]bool{}
	sockets := map[string]bool{}
	for i, l := range egress.Content {
		if l == nil || l.Kind != yaml.MappingNode {
			continue
		}
		at := []seg{{kind: segField, name: "egress"}, {kind: segIndex, index: i}}
		_, port := w.field(l, "port")
		if port == nil {
			switch {
			case catchAll:
				w.report(l, at, "%s is a second egress listener without a port; a Sidecar may have only one catch-all listener", w.pathString(at...))
			case i != len(egress.Content)-1:
				w.report(l, at, "%s has no port, so it catches all other traffic, and Istio wants it last among the egress listeners", w.pathString(at...))
			default:
				catchAll = true
			}
			continue
		}
		_, num, ok := w.intField(port, "number")
		if !ok {
			num = 0
		}
		if num == 0 {
			_, _, bind := w.stringField(l, "bind")
			if sockets[bind] {
				w.report(l, at, "%s binds unix socket %s, which another egress listener binds too; Istio wants them unique", w.pathString(at...), quote(bind))
			}
			sockets[bind] = true
		} else {
			if ports[num] {
				_, v := w.field(port, "number")
				pat := append(at, seg{kind: segField, name: "port"}, seg{kind: segField, name: "number"})
				w.report(v, pat, "%s: port %d is already an egress listener of this Sidecar; Istio wants the ports of IP-bound listeners unique", w.pathString(pat...), num)
			}
			ports[num] = true
		}
	}
}

// checkAlphaWorkloadSelector: ValidateAlphaWorkloadSelector rejects an empty
// label key and wildcards in keys or values.
func checkAlphaWorkloadSelector(w *walker, n, key *yaml.Node) {
	_, labels := w.field(n, "labels")
	if labels == nil || labels.Kind != yaml.MappingNode {
		return
	}
	p := labels.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: "labels"}, {kind: segKey, name: k.Value}}
		switch {
		case k.Value == "":
			w.report(k, at, "%s has an empty label key, which Istio does not support in a selector", w.sub("labels"))
		case strings.Contains(k.Value, "*") || strings.Contains(v.Value, "*"):
			w.report(k, at, "%s uses a wildcard, which Istio does not support in a selector; name the label values exactly", w.pathString(at...))
		}
	}
}

// sidecarPortProblems checks a SidecarPort: its name a DNS-1123 label when
// set, its protocol known (or empty, for sniffing), its number a port
// unless zero is allowed (a unix socket listener).
func (w *walker) sidecarPort(port *yaml.Node, zeroAllowed bool) {
	if port == nil || port.Kind != yaml.MappingNode {
		return
	}
	if _, v, name := w.stringField(port, "name"); v != nil && name != "" {
		if dnsLabelProblem(name, true) != "" {
			w.report(v, []seg{{kind: segField, name: "port"}, {kind: segField, name: "name"}}, "%s %s is not a valid port name: use a DNS-1123 label (letters, digits and '-')", w.sub("port")+".name", quote(name))
		}
	}
	if _, v, proto := w.stringField(port, "protocol"); v != nil && proto != "" && !serverProtocols[strings.ToLower(proto)] {
		w.report(v, []seg{{kind: segField, name: "port"}, {kind: segField, name: "protocol"}}, "%s %s is not a protocol Istio knows; use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TLS, TCP, MONGO, REDIS or MYSQL, or leave it empty to sniff", w.sub("port")+".protocol", quote(proto))
	}
	_, num, _ := w.intField(port, "number")
	if (num != 0 || !zeroAllowed) && (num < 1 || num > 65535) {
		at, v := port, (*yaml.Node)(nil)
		if _, v = w.field(port, "number"); v != nil {
			at = v
		}
		w.report(at, []seg{{kind: segField, name: "port"}, {kind: segField, name: "number"}}, "%s must be a port from 1 to 65535, not %d", w.sub("port")+".number", num)
	}
	if k, tp, ok := w.intField(port, "targetPort"); ok && tp > 0 {
		w.report(k, []seg{{kind: segField, name: "port"}, {kind: segField, name: "targetPort"}}, "%s has no effect on a Sidecar, and Istio rejects it; remove it", w.sub("port")+".targetPort")
	}
}

func (w *walker) bindAddress(n *yaml.Node) {
	if _, v, bind := w.stringField(n, "bind"); v != nil && bind != "" && !isIP(bind) {
		w.report(v, []seg{{kind: segField, name: "bind"}}, "%s %s is not an IP address", w.sub("bind"), quote(bind))
	}
}

func checkSidecarIngress(w *walker, n, key *yaml.Node) {
	_, port := w.field(n, "port")
	if port == nil {
		w.report(anchor(n, key), []seg{{kind: segField, name: "port"}}, "%s is required: an ingress listener listens on a port", w.sub("port"))
		return
	}
	w.sidecarPort(port, false)
	w.bindAddress(n)
	if tk, tls := w.field(n, "tls"); tls != nil && tls.Kind == yaml.MappingNode {
		if _, _, proto := w.stringField(port, "protocol"); !isTLSProtocol(proto) {
			w.fieldReport(tk, "tls", "%s is set on a listener of protocol %s; Istio allows TLS settings only on HTTPS and TLS ports", w.sub("tls"), quote(proto))
		}
	}
	_, v, ep := w.stringField(n, "defaultEndpoint")
	if v == nil || ep == "" {
		return
	}
	at := []seg{{kind: segField, name: "defaultEndpoint"}}
	if addr, unix := strings.CutPrefix(ep, "unix://"); unix {
		if msg := unixAddressProblem(addr); msg != "" {
			w.report(v, at, "%s %s %s", w.sub("defaultEndpoint"), quote(ep), msg)
		}
		return
	}
	host, portText, err := net.SplitHostPort(ep)
	if err != nil {
		w.report(v, at, "%s %s must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path", w.sub("defaultEndpoint"), quote(ep))
		return
	}
	if host != "" && host != "127.0.0.1" && host != "0.0.0.0" && host != "::1" && host != "::" {
		w.report(v, at, "%s %s must be 127.0.0.1:PORT, 0.0.0.0:PORT, [::1]:PORT, [::]:PORT or unix:///path", w.sub("defaultEndpoint"), quote(ep))
		return
	}
	if p, err := strconv.Atoi(portText); err != nil || p < 1 || p > 65535 {
		w.report(v, at, "%s %s has no valid port number", w.sub("defaultEndpoint"), quote(ep))
	}
}

// checkSidecarIngressTLS: what a Sidecar's ingress TLS does not support.
func checkSidecarIngressTLS(w *walker, n, key *yaml.Node) {
	for _, f := range []string{"subjectAltNames", "credentialName", "credentialNames", "tlsCertificates"} {
		k, v := w.field(n, f)
		if v == nil || (v.Kind == yaml.ScalarNode && v.Value == "") || (v.Kind == yaml.SequenceNode && len(v.Content) == 0) {
			continue
		}
		w.fieldReport(k, f, "%s sets %s, which a Sidecar's ingress TLS does not support; use serverCertificate, privateKey and caCertificates", w.where(), f)
	}
	if w.boolField(n, "httpsRedirect") {
		k, _ := w.field(n, "httpsRedirect")
		w.fieldReport(k, "httpsRedirect", "%s sets httpsRedirect, which a Sidecar does not support", w.where())
	}
	if k, _, mode := w.stringField(n, "mode"); mode == "ISTIO_MUTUAL" || mode == "AUTO_PASSTHROUGH" {
		w.fieldReport(k, "mode", "%s.mode %s is not allowed in a Sidecar's ingress TLS; use SIMPLE or MUTUAL", w.where(), mode)
	}
	// The listener's protocol is checked by checkSidecarIngress, where it
	// is known.
}

func checkSidecarEgress(w *walker, n, key *yaml.Node) {
	_, port := w.field(n, "port")
	if port != nil && port.Kind == yaml.MappingNode {
		w.sidecarPort(port, true)
		_, num, _ := w.intField(port, "number")
		bk, bv, bind := w.stringField(n, "bind")
		if num == 0 {
			addr, unix := strings.CutPrefix(bind, "unix://")
			switch {
			case !unix:
				w.report(anchor(n, key), []seg{{kind: segField, name: "bind"}}, "%s: a listener on port 0 must bind a unix domain socket (bind: unix:///path)", w.where())
			case unixAddressProblem(addr) != "":
				w.report(bv, []seg{{kind: segField, name: "bind"}}, "%s %s %s", w.sub("bind"), quote(bind), unixAddressProblem(addr))
			}
			if k, _, mode := w.stringField(n, "captureMode"); mode != "" && mode != "DEFAULT" && mode != "NONE" {
				w.fieldReport(k, "captureMode", "%s must be DEFAULT or NONE for a unix domain socket listener, not %s", w.sub("captureMode"), mode)
			}
		} else {
			w.bindAddress(n)
		}
		_ = bk
	}
	hk, hosts := w.field(n, "hosts")
	if hosts == nil || hosts.Kind != yaml.SequenceNode || len(hosts.Content) == 0 {
		at := anchor(n, key)
		if hk != nil {
			at = hk
		}
		w.report(at, []seg{{kind: segField, name: "hosts"}}, "%s needs at least one host, as namespace/dnsName", w.where())
		return
	}
	for i, h := range hosts.Content {
		if h == nil || h.Kind != yaml.ScalarNode {
			continue
		}
		if msg := namespaceSlashHostProblem(h.Value, false); msg != "" {
			at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
			w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
		}
	}
}

// checkOutboundTrafficPolicy: validateSidecarOutboundTrafficPolicy.
func checkOutboundTrafficPolicy(w *walker, n, key *yaml.Node) {
	mk, _, mode := w.stringField(n, "mode")
	if mode == "ALLOW_ANY_DYNAMIC_DNS" {
		w.fieldReport(mk, "mode", "%s ALLOW_ANY_DYNAMIC_DNS is supported only in MeshConfig, not in a Sidecar", w.sub("mode"))
		return
	}
	ek, proxy := w.field(n, "egressProxy")
	if proxy == nil || proxy.Kind != yaml.MappingNode {
		return
	}
	if mode != "ALLOW_ANY" {
		w.fieldReport(ek, "egressProxy", "%s works only with mode ALLOW_ANY; set mode: ALLOW_ANY or remove egressProxy", w.sub("egressProxy"))
		return
	}
	if _, v, host := w.stringField(proxy, "host"); v != nil {
		if msg := fqdnProblem(host); msg != "" {
			w.report(v, []seg{{kind: segField, name: "egressProxy"}, {kind: segField, name: "host"}}, "%s %s %s", w.sub("egressProxy")+".host", quote(host), msg)
		}
	}
	if _, port := w.field(proxy, "port"); port == nil {
		w.fieldReport(ek, "egressProxy", "%s.port is required: name the egress proxy's port", w.sub("egressProxy"))
	}
}
