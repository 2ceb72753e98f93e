package crd

import (
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// check is one of the checks of Istio's validation webhook (and of the API
// server's ObjectMeta validation) that the CRD schemas do not express. It
// runs at the schema node it is attached to, after that node's subtree passed
// the schema, so it can rely on the types the schema declares.
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
	if path == "spec.exportTo" && (kind == "VirtualService" || kind == "DestinationRule") {
		add(checkExportTo)
	}
	switch kind {
	case "PeerAuthentication":
		switch path {
		case "spec.portLevelMtls":
			add(checkPortKeys)
		case "spec.selector":
			// ValidatePeerAuthentication calls validateWorkloadSelector.
			add(checkWorkloadSelector)
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
		case strings.HasSuffix(path, ".loadBalancer"):
			add(checkLoadBalancer)
		case strings.HasSuffix(path, ".tls") && strings.Contains(path, "trafficPolicy"):
			add(checkClientTLS)
		}
	case "VirtualService":
		add(virtualServiceChecks(path)...)

	}
	return cs
}

// crossChecksFor returns the checks of kind at a schema path that run even
// where something below the node has its own errors: what they find is a
// separate mistake, which MR900 must report too (every invalid field of an
// object, not only the first). They read values only through the typed
// accessors (stringField, intField, ...), which skip a value of the wrong
// type, so a type error below never makes them misreport. The checks of
// VirtualService, DestinationRule and PeerAuthentication keep the stricter
// order (checks only where the subtree is valid).
//
// The checks of a Class (webhook_classified.go) are cross checks too, in
// VirtualService and DestinationRule as well: each reads one value, so a
// webhook error elsewhere below must not hide it.
func crossChecksFor(kind, path string) []check {
	if c := classifiedChecks(kind, path); c != nil {
		return c
	}
	switch kind {
	case "Gateway":
		return gatewayChecks(path)
	case "Sidecar":
		return sidecarChecks(path)
	case "ServiceEntry":
		return serviceEntryChecks(path)
	case "WorkloadEntry":
		return workloadEntryChecks(path)
	case "WorkloadGroup":
		return workloadGroupChecks(path)
	case "AuthorizationPolicy":
		return authorizationPolicyChecks(path)
	case "RequestAuthentication":
		return requestAuthenticationChecks(path)
	case "Telemetry":
		return telemetryChecks(path)
	case "EnvoyFilter":
		return envoyFilterChecks(path)
	}
	return nil
}

// field is a shorthand for a present field's key and value.
func (w *walker) field(n *yaml.Node, name string) (*yaml.Node, *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
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
	p := n.Content
	for i := 0; i+1 < len(p); i += 2 {
		if v := p[i+1]; v != nil && !isNull(v) {
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
		// The name is quoted in full: a message about its length must show
		// all of it.
		w.fieldReport(nameNode, "name", "metadata.name %s %s", strconv.Quote(name), msg)
	} else if w.kind == "Gateway" {
		// Istio's ValidateGateway (pkg/config/validation/validation.go,
		// Istio 1.32): a Gateway name must be a DNS-1123 label, because it
		// becomes part of Envoy resource names.
		if msg := dnsLabelProblem(name, false); msg != "" {
			w.fieldReport(nameNode, "name", "metadata.name %s is not a valid Gateway name: Istio wants a DNS-1123 label (no dots); it %s", strconv.Quote(name), msg)
		}
	}
	if _, ns, namespace := w.stringField(n, "namespace"); ns != nil {
		if msg := dnsLabelProblem(namespace, false); msg != "" {
			w.fieldReport(ns, "namespace", "metadata.namespace %s %s", quote(namespace), msg)
		}
	}
	w.checkIstioAnnotations(n)
	for _, field := range []string{"labels", "annotations"} {
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

// checkIstioAnnotations ports validateMetadata and checkDryRunAnnotation
// (pkg/config/validation/validation.go, Istio 1.32), which the webhook runs
// on every kind: istio.io/dry-run only on an ALLOW or DENY
// AuthorizationPolicy, with a boolean value, and none of Istio's internal
// annotations.
func (w *walker) checkIstioAnnotations(meta *yaml.Node) {
	_, m := w.field(meta, "annotations")
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	p := m.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: "annotations"}, {kind: segKey, name: k.Value}}
		switch k.Value {
		case "istio.io/dry-run":
			switch {
			case w.kind != "AuthorizationPolicy":
				w.report(k, at, "%s is supported only on an AuthorizationPolicy, and Istio rejects a %s that has it; remove it", w.pathString(at...), w.kind)
			case w.authzAction != "" && w.authzAction != "ALLOW" && w.authzAction != "DENY":
				w.report(k, at, "%s works only with action ALLOW or DENY, not %s; remove it", w.pathString(at...), w.authzAction)
			default:
				if _, err := strconv.ParseBool(v.Value); err != nil {
					w.report(v, at, "%s must be true or false, not %s", w.pathString(at...), quote(v.Value))
				}
			}
		case "internal.istio.io/webhook-always-reject", "internal.istio.io/parent-namespace", "internal.istio.io/parents":
			w.report(k, at, "%s is internal to Istio, and its webhook rejects any object that sets it; remove it", w.pathString(at...))
		}
	}
}

// checkPortKeys checks PeerAuthentication's portLevelMtls keys: the webhook
// reads them as port numbers.
func checkPortKeys(w *walker, n, key *yaml.Node) {
	p := n.Content
	for i := 0; i+1 < len(p); i += 2 {
		k := p[i]
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
		if isIP(n.Value) {
			msg = "must be a host name, not an IP address; use the host of a ServiceEntry that resolves to it"
		}
		w.report(n, nil, "%s %s %s", w.where(), quote(n.Value), msg)
	}
}

// checkExportTo checks the namespaces a VirtualService or DestinationRule
// is exported to: "." (its own), "*" (all, and then alone) or namespace
// names, each once.
func checkExportTo(w *walker, n, key *yaml.Node) {
	seen := map[string]bool{}
	for i, e := range n.Content {
		if e == nil {
			return
		}
		at := []seg{{kind: segIndex, index: i}}
		switch {
		case seen[e.Value]:
			w.report(e, at, "%s repeats %s; list each namespace once", w.pathString(at...), quote(e.Value))
		case e.Value == "*" && len(n.Content) > 1:
			w.report(e, at, "%s is \"*\" (every namespace), which makes the other entries pointless; keep \"*\" alone", w.pathString(at...))
		case e.Value == "~" && w.kind == "ServiceEntry":
			// validateExportTo (Istio 1.32): a ServiceEntry may be exported to
			// no one, "~", and then to nothing else.
			if len(n.Content) > 1 {
				w.report(e, at, "%s is \"~\" (no namespace), which cannot be combined with other entries", w.pathString(at...))
			}
		case e.Value != "*" && e.Value != ".":
			if msg := dnsLabelProblem(e.Value, false); msg != "" {
				w.report(e, at, "%s %s is not \".\", \"*\" or a namespace name: it %s", w.pathString(at...), quote(e.Value), msg)
			}
		}
		seen[e.Value] = true
	}
}

func checkSubset(w *walker, n, key *yaml.Node) {
	if _, v, name := w.stringField(n, "name"); v != nil {
		if msg := dnsLabelProblem(name, true); msg != "" {
			w.fieldReport(v, "name", "subset name %s %s", quote(name), msg)
		}
	}
	w.labels(n, "labels", true)
}

// labels checks a map of labels of the current object as Istio's
// labels.Instance.Validate does: qualified names as keys, label values.
func (w *walker) labels(n *yaml.Node, field string, anyCase bool) {
	_, m := w.field(n, field)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	p := m.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: field}, {kind: segKey, name: k.Value}}
		if msg := qualifiedNameProblem(k.Value, anyCase); msg != "" {
			w.report(k, at, "%s has label key %s, which %s", w.sub(field), quote(k.Value), msg)
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
	for _, f := range []struct{ group, name string }{
		{"tcp", "maxConnections"}, {"http", "http1MaxPendingRequests"}, {"http", "http2MaxRequests"},
		{"http", "maxRequestsPerConnection"}, {"http", "maxRetries"}, {"http", "maxConcurrentStreams"},
	} {
		_, g := w.field(n, f.group)
		if g == nil || g.Kind != yaml.MappingNode {
			continue
		}
		if _, v, ok := w.intField(g, f.name); ok && v < 0 {
			_, vn := w.field(g, f.name)
			at := []seg{{kind: segField, name: f.group}, {kind: segField, name: f.name}}
			w.report(vn, at, "%s must not be negative, not %d", w.pathString(at...), v)
		}
	}
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

// checkLoadBalancer checks warmup and locality settings as the webhook does.
func checkLoadBalancer(w *walker, n, key *yaml.Node) {
	if _, warmup := w.field(n, "warmup"); warmup != nil && warmup.Kind == yaml.MappingNode {
		if _, v := w.field(warmup, "aggression"); v != nil && v.Kind == yaml.ScalarNode {
			if num, ok := parseNumber(v, scalarKindOf(v)); ok && num.f < 1 {
				at := []seg{{kind: segField, name: "warmup"}, {kind: segField, name: "aggression"}}
				w.report(v, at, "%s must be at least 1 (1 ramps traffic up linearly), not %s", w.pathString(at...), num.text())
			}
		}
	}
	_, lb := w.field(n, "localityLbSetting")
	if lb == nil || lb.Kind != yaml.MappingNode {
		return
	}
	at := func(extra ...seg) []seg { return append([]seg{{kind: segField, name: "localityLbSetting"}}, extra...) }
	dk, distribute := w.field(lb, "distribute")
	_, failover := w.field(lb, "failover")
	if distribute != nil && failover != nil && len(distribute.Content) > 0 && len(failover.Content) > 0 {
		w.report(dk, at(seg{kind: segField, name: "distribute"}), "%s sets both distribute and failover, which exclude each other; keep one", w.pathString(at()...))
		return
	}
	if distribute != nil {
		for i, d := range distribute.Content {
			if d == nil || d.Kind != yaml.MappingNode {
				continue
			}
			tk, to := w.field(d, "to")
			if to == nil || to.Kind != yaml.MappingNode {
				continue
			}
			total := int64(0)
			p := to.Content
			for j := 0; j+1 < len(p); j += 2 {
				k, v := p[j], p[j+1]
				if k == nil || v == nil {
					return
				}
				num, _ := parseNumber(v, scalarKindOf(v))
				if num.i < 1 || num.i > 100 {
					w.report(v, at(seg{kind: segField, name: "distribute"}, seg{kind: segIndex, index: i}, seg{kind: segField, name: "to"}, seg{kind: segKey, name: k.Value}),
						"%s must be a weight from 1 to 100, not %s", w.pathString(at(seg{kind: segField, name: "distribute"}, seg{kind: segIndex, index: i}, seg{kind: segField, name: "to"}, seg{kind: segKey, name: k.Value})...), num.text())
					return
				}
				total += num.i
			}
			if total != 100 {
				path := at(seg{kind: segField, name: "distribute"}, seg{kind: segIndex, index: i}, seg{kind: segField, name: "to"})
				w.report(tk, path, "%s has weights that sum to %d; they must sum to 100", w.pathString(path...), total)
			}
		}
	}
	if failover != nil {
		for i, f := range failover.Content {
			if f == nil || f.Kind != yaml.MappingNode {
				continue
			}
			_, _, from := w.stringField(f, "from")
			_, _, to := w.stringField(f, "to")
			path := at(seg{kind: segField, name: "failover"}, seg{kind: segIndex, index: i})
			switch {
			case from == to:
				w.report(f, path, "%s fails over from %s to the same region; name two different regions", w.pathString(path...), quote(from))
			case strings.ContainsAny(from+to, "/*"):
				w.report(f, path, "%s must name regions only, without \"/\" or \"*\"", w.pathString(path...))
			}
		}
	}
}

// checkClientTLS checks a DestinationRule's TLS settings as the webhook does:
// certificates either from a credential or from files, and what
// insecureSkipVerify excludes.
func checkClientTLS(w *walker, n, key *yaml.Node) {
	_, _, mode := w.stringField(n, "mode")
	has := func(name string) bool {
		_, v := w.field(n, name)
		return v != nil && !(v.Kind == yaml.ScalarNode && v.Value == "")
	}
	report := func(name, format string, args ...any) {
		k, _ := w.field(n, name)
		w.fieldReport(k, name, format, args...)
	}
	if w.boolField(n, "insecureSkipVerify") {
		switch mode {
		case "SIMPLE":
			for _, name := range []string{"caCertificates", "credentialName", "subjectAltNames"} {
				if has(name) {
					report(name, "%s sets %s together with insecureSkipVerify, which skips verifying the server; drop one of them", w.where(), name)
					return
				}
			}
		case "MUTUAL":
			for _, name := range []string{"caCertificates", "subjectAltNames"} {
				if has(name) {
					report(name, "%s sets %s together with insecureSkipVerify, which skips verifying the server; drop one of them", w.where(), name)
					return
				}
			}
		}
	}
	if (mode == "SIMPLE" || mode == "MUTUAL") && has("credentialName") {
		for _, name := range []string{"clientCertificate", "caCertificates", "privateKey", "caCrl"} {
			if has(name) {
				report(name, "%s sets %s together with credentialName, which supplies the certificates; drop %s", w.where(), name, name)
				return
			}
		}
		return
	}
	if mode == "MUTUAL" {
		for _, name := range []string{"clientCertificate", "privateKey"} {
			if !has(name) {
				w.report(anchor(n, key), []seg{{kind: segField, name: name}}, "%s is required for MUTUAL TLS unless credentialName is set", w.sub(name))
			}
		}
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
