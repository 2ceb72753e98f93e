package crd

import (
	"net/netip"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The checks of this file port Istio's ValidateGateway and the functions it
// calls (validateServer, validateServerPort, validateServerBind,
// validateTLSOptions) from pkg/config/validation/validation.go, and
// ValidateNamespaceSlashWildcardHostname from
// pkg/config/validation/agent/validation.go, at Istio 1.32 (istio/istio
// master 86c9f01, August 2026). Only what the webhook rejects is ported;
// its warnings (ignored cipher suites, certificates on a passthrough
// server) do not stop an apply, and MR900 reports rejections only.

// gatewayChecks returns the checks of a Gateway at a schema path.
func gatewayChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkGateway, checkGatewayPortNames}
	case "spec.servers[]":
		return []check{checkGatewayServer}
	case "spec.servers[].tls":
		return []check{checkServerTLS}
	}
	return nil
}

// checkGateway: ValidateGateway's "gateway must have at least one server".
func checkGateway(w *walker, n, key *yaml.Node) {
	sk, servers := w.field(n, "servers")
	if servers == nil || servers.Kind != yaml.SequenceNode || len(servers.Content) == 0 {
		at := anchor(n, key)
		if sk != nil {
			at = sk
		}
		w.report(at, []seg{{kind: segField, name: "servers"}}, "%s needs at least one server; Istio rejects a Gateway without servers", w.where())
	}
}

// checkGatewayPortNames: ValidateGateway's "port names in servers must be
// unique".
func checkGatewayPortNames(w *walker, n, key *yaml.Node) {
	_, servers := w.field(n, "servers")
	if servers == nil || servers.Kind != yaml.SequenceNode {
		return
	}
	seen := map[string]int{}
	for i, s := range servers.Content {
		if s == nil || s.Kind != yaml.MappingNode {
			continue
		}
		_, port := w.field(s, "port")
		if port == nil || port.Kind != yaml.MappingNode {
			continue
		}
		_, nameNode, name := w.stringField(port, "name")
		if nameNode == nil {
			continue
		}
		at := []seg{{kind: segField, name: "servers"}, {kind: segIndex, index: i}, {kind: segField, name: "port"}, {kind: segField, name: "name"}}
		if first, dup := seen[name]; dup {
			w.report(nameNode, at, "%s %s is also the port name of servers[%d]; Istio wants the port names of a Gateway's servers unique", w.pathString(at...), quote(name), first)
			continue
		}
		seen[name] = i
	}
}

// serverProtocols are the protocols protocol.Parse knows, lower case.
var serverProtocols = map[string]bool{
	"tcp": true, "udp": true, "grpc": true, "grpc-web": true, "http": true, "http_proxy": true,
	"http2": true, "https": true, "tls": true, "mongo": true, "redis": true, "mysql": true,
}

// isHTTPProtocol and isTLSProtocol are protocol.Instance's IsHTTP and IsTLS.
func isHTTPProtocol(p string) bool {
	switch strings.ToLower(p) {
	case "http", "http2", "http_proxy", "grpc", "grpc-web":
		return true
	}
	return false
}

func isTLSProtocol(p string) bool {
	switch strings.ToLower(p) {
	case "https", "tls":
		return true
	}
	return false
}

// checkGatewayServer: validateServer, validateServerPort and
// validateServerBind.
func checkGatewayServer(w *walker, n, key *yaml.Node) {
	hk, hosts := w.field(n, "hosts")
	if hosts != nil && hosts.Kind == yaml.SequenceNode {
		if len(hosts.Content) == 0 {
			w.fieldReport(hk, "hosts", "%s is empty; a server needs at least one host", w.sub("hosts"))
		}
		for i, h := range hosts.Content {
			if h == nil || h.Kind != yaml.ScalarNode {
				continue
			}
			if msg := namespaceSlashHostProblem(h.Value, true); msg != "" {
				at := []seg{{kind: segField, name: "hosts"}, {kind: segIndex, index: i}}
				w.report(h, at, "%s %s %s", w.pathString(at...), quote(h.Value), msg)
			}
		}
	}
	_, _, bind := w.stringField(n, "bind")
	portKey, port := w.field(n, "port")
	portOK := port != nil && port.Kind == yaml.MappingNode
	var proto string
	var number int64
	if portOK {
		_, protoNode, p := w.stringField(port, "protocol")
		proto = p
		if protoNode != nil && !serverProtocols[strings.ToLower(p)] {
			w.report(protoNode, []seg{{kind: segField, name: "port"}, {kind: segField, name: "protocol"}},
				"%s %s is not a protocol Istio knows; use HTTP, HTTPS, HTTP2, GRPC, GRPC-WEB, TLS, TCP, MONGO, REDIS or MYSQL", w.sub("port")+".protocol", quote(p))
			portOK = false
		}
		nk, num, hasNum := w.intField(port, "number")
		number = num
		if hasNum && (num > 0 || !strings.HasPrefix(bind, "unix://")) && (num < 1 || num > 65535) {
			_, v := w.field(port, "number")
			w.report(v, []seg{{kind: segField, name: "port"}, {kind: segField, name: "number"}}, "%s must be a port from 1 to 65535, not %d", w.sub("port")+".number", num)
			portOK = false
		}
		_ = nk
		if k, tp, ok := w.intField(port, "targetPort"); ok && tp > 0 {
			w.report(k, []seg{{kind: segField, name: "port"}, {kind: segField, name: "targetPort"}}, "%s has no effect on a Gateway, and Istio rejects it; remove it", w.sub("port")+".targetPort")
		}
		if _, nameNode, name := w.stringField(port, "name"); nameNode != nil && name == "" {
			w.report(nameNode, []seg{{kind: segField, name: "port"}, {kind: segField, name: "name"}}, "%s must not be empty: Istio wants every server port named", w.sub("port")+".name")
			portOK = false
		}
	}
	if bindNode := func() *yaml.Node { _, v := w.field(n, "bind"); return v }(); bindNode != nil {
		at := []seg{{kind: segField, name: "bind"}}
		if addr, unix := strings.CutPrefix(bind, "unix://"); unix {
			if msg := unixAddressProblem(addr); msg != "" {
				w.report(bindNode, at, "%s %s %s", w.sub("bind"), quote(bind), msg)
			}
			if portOK && number != 0 {
				w.report(bindNode, at, "%s is a unix domain socket, so port.number must be 0, not %d", w.sub("bind"), number)
			}
		} else if bind != "" && !isIP(bind) {
			w.report(bindNode, at, "%s %s is not an IP address or unix:// path", w.sub("bind"), quote(bind))
		}
	}
	if !portOK || port == nil {
		_ = portKey
		return
	}
	tk, tls := w.field(n, "tls")
	switch {
	case isTLSProtocol(proto) && tls == nil:
		w.report(anchor(n, key), []seg{{kind: segField, name: "tls"}}, "%s is required: a server of protocol %s terminates or passes through TLS, so set tls.mode (SIMPLE with credentialName, or PASSTHROUGH)", w.sub("tls"), proto)
	case !isTLSProtocol(proto) && tls != nil && tls.Kind == yaml.MappingNode:
		if isHTTPProtocol(proto) {
			_, _, mode := w.stringField(tls, "mode")
			passthrough := mode == "" || mode == "PASSTHROUGH" || mode == "AUTO_PASSTHROUGH"
			certs := false
			for _, f := range []string{"caCertificates", "privateKey", "serverCertificate"} {
				_, _, v := w.stringField(tls, f)
				certs = certs || v != ""
			}
			if !passthrough || certs {
				w.fieldReport(tk, "tls", "%s sets TLS termination on a plain-text %s port; Istio allows only httpsRedirect there: use protocol HTTPS, or keep only tls.httpsRedirect", w.sub("tls"), proto)
			}
		} else {
			w.fieldReport(tk, "tls", "%s is set on a %s port; Istio allows TLS settings only on HTTPS and TLS ports: use protocol TLS, or remove tls", w.sub("tls"), proto)
		}
	}
}

// unixAddressProblem is ValidateUnixAddress: an abstract socket (@name) or an
// absolute file path.
func unixAddressProblem(addr string) string {
	switch {
	case addr == "":
		return "names no socket"
	case strings.HasPrefix(addr, "@"):
		return ""
	case !path.IsAbs(addr) || strings.HasSuffix(addr, "/"):
		return "is not an absolute path to a file"
	}
	return ""
}

// checkServerTLS: validateTLSOptions.
func checkServerTLS(w *walker, n, key *yaml.Node) {
	_, _, mode := w.stringField(n, "mode")
	str := func(name string) string { _, _, v := w.stringField(n, name); return v }
	list := func(name string) bool {
		_, v := w.field(n, name)
		return v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0
	}
	report := func(name, format string, args ...any) {
		k, _ := w.field(n, name)
		if k == nil {
			w.report(anchor(n, key), []seg{{kind: segField, name: name}}, format, args...)
			return
		}
		w.fieldReport(k, name, format, args...)
	}
	if mode == "ISTIO_MUTUAL" {
		for _, f := range []string{"serverCertificate", "privateKey", "caCertificates", "tlsCertificates", "credentialName", "credentialNames"} {
			if str(f) != "" || list(f) {
				report(f, "%s sets %s, but ISTIO_MUTUAL uses the mesh's own certificates; remove %s", w.where(), f, f)
			}
		}
		return
	}
	sources := 0
	if str("serverCertificate") != "" && str("privateKey") != "" {
		sources++
	}
	if str("credentialName") != "" {
		sources++
	}
	if list("credentialNames") {
		sources++
	}
	if list("tlsCertificates") {
		sources++
	}
	if sources > 1 {
		w.report(anchor(n, key), nil, "%s takes its certificates from more than one of credentialName, credentialNames, serverCertificate/privateKey and tlsCertificates; keep one", w.where())
	}
	terminating := mode == "SIMPLE" || mode == "MUTUAL" || mode == "OPTIONAL_MUTUAL"
	if terminating && (str("credentialName") != "" || list("credentialNames")) {
		return
	}
	if terminating {
		prefix := "SIMPLE TLS"
		if mode != "SIMPLE" {
			prefix = "MUTUAL TLS"
			if str("caCertificates") == "" {
				report("caCertificates", "%s: %s needs caCertificates, the CA bundle that verifies clients, or a credentialName", w.where(), prefix)
			}
		}
		_, certs := w.field(n, "tlsCertificates")
		if certs != nil && certs.Kind == yaml.SequenceNode && len(certs.Content) > 0 {
			for i, c := range certs.Content {
				if c == nil || c.Kind != yaml.MappingNode {
					continue
				}
				for _, f := range []string{"serverCertificate", "privateKey"} {
					if _, _, v := w.stringField(c, f); v == "" {
						w.report(c, []seg{{kind: segField, name: "tlsCertificates"}, {kind: segIndex, index: i}, {kind: segField, name: f}},
							"%s.tlsCertificates[%d].%s is required for %s", w.where(), i, f, prefix)
					}
				}
			}
		} else {
			for _, f := range []string{"serverCertificate", "privateKey"} {
				if str(f) == "" {
					report(f, "%s: %s needs %s, or a credentialName that holds the certificate and key", w.where(), prefix, f)
				}
			}
		}
	}
	if str("caCrl") != "" {
		if str("credentialName") != "" {
			report("caCrl", "%s sets caCrl together with credentialName; put the CRL into the credential instead", w.where())
		}
		if mode == "SIMPLE" {
			report("caCrl", "%s sets caCrl, which SIMPLE TLS does not use: clients present no certificate to revoke", w.where())
		}
	}
}

// namespaceSlashHostProblem ports ValidateNamespaceSlashWildcardHostname
// and validateSidecarOrGatewayHostnamePart (Istio 1.32): a Gateway host or a
// Sidecar egress host written namespace/dnsName ("*", "." or a namespace;
// a Sidecar also takes "~ns" to exclude one), where a Gateway still accepts
// the old form without a namespace, and an IP address.
func namespaceSlashHostProblem(h string, isGateway bool) string {
	ns, host, qualified := strings.Cut(h, "/")
	if !qualified {
		if isGateway {
			return sidecarOrGatewayHostProblem(h, true)
		}
		return "is not of the form namespace/dnsName (such as ./reviews.default.svc.cluster.local, istio-system/* or */*)"
	}
	if ns == "" || host == "" {
		return "has an empty namespace or host; write namespace/dnsName"
	}
	if isGateway {
		if ns != "*" && ns != "." && dnsLabelProblem(ns, true) != "" {
			return "has an invalid namespace " + quote(ns) + "; use *, . or a namespace name"
		}
	} else if t := strings.TrimPrefix(ns, "~"); t != "*" && t != "." && dnsLabelProblem(t, true) != "" {
		return "has an invalid namespace " + quote(ns) + "; use *, ., ~ns or a namespace name"
	}
	return sidecarOrGatewayHostProblem(host, isGateway)
}

func sidecarOrGatewayHostProblem(h string, isGateway bool) string {
	if h != "*" && !strings.Contains(h, ".") {
		return "is a short name; Istio wants a fully qualified name here (such as reviews.bookinfo.svc.cluster.local) or *"
	}
	if msg := wildcardDomainProblem(h); msg != "" {
		if _, err := netip.ParseAddr(h); !isGateway || err != nil {
			return msg
		}
	}
	if strings.Contains(h, "*") && h != "*" && !strings.HasPrefix(h, "*.") {
		return "has a partial wildcard; only a whole first label may be *, as in *.example.com"
	}
	return ""
}
