package crd

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The checks of this file port Istio's ValidateAuthorizationPolicy,
// ValidateRequestAuthentication, validateJwtRule, ValidatePeerAuthentication,
// validateWorkloadSelector, validateOneOfSelectorType and
// validatePolicyTargetReference from pkg/config/validation/validation.go,
// and CheckEmptyValues, CheckWildcardValues, CheckTrustDomainValues,
// CheckServiceAccount, CheckValidPathTemplate, ValidateAttribute,
// ValidateIPs, ValidatePorts and ParseJwksURI from
// pkg/config/security/security.go, at Istio 1.32 (istio/istio master
// 86c9f01). Warnings (a DENY rule of HTTP attributes only, private keys in
// inline JWKS) are not ported: Istio accepts those policies.

func authorizationPolicyChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkPolicyTargets, checkAuthorizationPolicy}
	case "spec.selector":
		return []check{checkWorkloadSelector}
	case "spec.targetRef", "spec.targetRefs[]":
		return []check{checkPolicyTargetRef}
	case "spec.rules[]":
		return []check{checkAuthzRule}
	case "spec.rules[].from[]":
		return []check{checkAuthzFrom}
	case "spec.rules[].to[]":
		return []check{checkAuthzTo}
	case "spec.rules[].when[]":
		return []check{checkAuthzCondition}
	}
	return nil
}

func requestAuthenticationChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkPolicyTargets}
	case "spec.selector":
		return []check{checkWorkloadSelector}
	case "spec.targetRef", "spec.targetRefs[]":
		return []check{checkPolicyTargetRef}
	case "spec.jwtRules[]":
		return []check{checkJWTRule}
	}
	return nil
}

// checkPolicyTargets: validateOneOfSelectorType.
func checkPolicyTargets(w *walker, n, key *yaml.Node) {
	set := 0
	var last *yaml.Node
	for _, f := range []string{"selector", "targetRef", "targetRefs"} {
		k, v := w.field(n, f)
		if v == nil || (f == "targetRefs" && v.Kind == yaml.SequenceNode && len(v.Content) == 0) {
			continue
		}
		set++
		last = k
	}
	if set > 1 {
		w.report(last, nil, "%s sets more than one of selector, targetRef and targetRefs; Istio allows one", w.where())
	}
}

// checkWorkloadSelector: validateWorkloadSelector rejects an empty label key
// and wildcards in matchLabels.
func checkWorkloadSelector(w *walker, n, key *yaml.Node) {
	_, labels := w.field(n, "matchLabels")
	if labels == nil || labels.Kind != yaml.MappingNode {
		return
	}
	p := labels.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segField, name: "matchLabels"}, {kind: segKey, name: k.Value}}
		switch {
		case k.Value == "":
			w.report(k, at, "%s has an empty label key, which Istio does not support in a selector", w.sub("matchLabels"))
		case strings.Contains(k.Value, "*") || strings.Contains(v.Value, "*"):
			w.report(k, at, "%s uses a wildcard, which Istio does not support in a selector; name the label values exactly", w.pathString(at...))
		}
	}
}

// checkPolicyTargetRef: validatePolicyTargetReference. A policy may target
// a Service, a ServiceEntry, a Gateway API Gateway or a GatewayClass, by
// name, in its own namespace.
func checkPolicyTargetRef(w *walker, n, key *yaml.Node) {
	if _, v, name := w.stringField(n, "name"); v == nil || name == "" {
		w.report(anchor(n, key), []seg{{kind: segField, name: "name"}}, "%s must be set: name the Service, ServiceEntry or Gateway the policy targets", w.sub("name"))
	}
	if k, _, ns := w.stringField(n, "namespace"); ns != "" {
		w.fieldReport(k, "namespace", "%s must not be set: Istio does not support targeting another namespace", w.sub("namespace"))
	}
	_, _, group := w.stringField(n, "group")
	kk, _, kind := w.stringField(n, "kind")
	allowed := map[string]string{
		"Service": "", "ServiceEntry": "networking.istio.io", "Gateway": "gateway.networking.k8s.io", "GatewayClass": "gateway.networking.k8s.io",
	}
	if g, ok := allowed[kind]; !ok || g != group {
		at := kk
		if at == nil {
			at = anchor(n, key)
		}
		w.report(at, []seg{{kind: segField, name: "kind"}}, "%s targets %s/%s; a policy may target only a core Service, a networking.istio.io ServiceEntry, or a gateway.networking.k8s.io Gateway or GatewayClass", w.where(), group, kind)
	}
}

// strings returns the strings of a present list field, with their nodes.
func (w *walker) stringList(n *yaml.Node, name string) (values []string, nodes []*yaml.Node, present bool) {
	_, l := w.field(n, name)
	if l == nil || l.Kind != yaml.SequenceNode {
		return nil, nil, false
	}
	for _, e := range l.Content {
		if e != nil && e.Kind == yaml.ScalarNode {
			values = append(values, e.Value)
			nodes = append(nodes, e)
		}
	}
	return values, nodes, true
}

func checkAuthorizationPolicy(w *walker, n, key *yaml.Node) {
	action := w.authzAction
	_, rules := w.field(n, "rules")
	pk, provider := w.field(n, "provider")
	ak := w.keyOf(n, "action")
	switch action {
	case "CUSTOM":
		if rules == nil {
			w.report(ak, []seg{{kind: segField, name: "rules"}}, "%s has action CUSTOM but no rules, so it never triggers; add rules, or an empty rule {} to send every request to the provider", w.where())
		} else if _, _, name := w.stringField(provider, "name"); provider == nil || name == "" {
			at := ak
			if pk != nil {
				at = pk
			}
			w.report(at, []seg{{kind: segField, name: "provider"}, {kind: segField, name: "name"}}, "%s has action CUSTOM, which needs provider.name: the extension provider of the mesh config that decides", w.where())
		}
	case "DENY":
		if rules == nil {
			w.report(ak, []seg{{kind: segField, name: "rules"}}, "%s has action DENY but no rules, so it never triggers; add rules, or an empty rule {} to deny every request", w.where())
		}
	}
	if provider != nil && action != "CUSTOM" {
		a := action
		if a == "" {
			a = "ALLOW (the default)"
		}
		w.fieldReport(pk, "provider", "%s sets provider, which only action CUSTOM uses, and the action is %s; set action: CUSTOM or remove provider", w.where(), a)
	}
}

// checkAuthzRule: `from` and `to` lists, when present, must not be empty.
func checkAuthzRule(w *walker, n, key *yaml.Node) {
	for _, f := range []string{"from", "to"} {
		if k, v := w.field(n, f); v != nil && v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
			w.fieldReport(k, f, "%s is empty; remove it to match any %s, or list at least one entry", w.sub(f), map[string]string{"from": "source", "to": "operation"}[f])
		}
	}
}

// customUnsupported are the source fields and condition keys that Istio
// does not support with action CUSTOM.
var customUnsupportedSources = []string{"namespaces", "notNamespaces", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains", "principals", "notPrincipals", "requestPrincipals", "notRequestPrincipals"}

func checkAuthzFrom(w *walker, n, key *yaml.Node) {
	sk, src := w.field(n, "source")
	if src == nil || src.Kind != yaml.MappingNode {
		w.report(anchor(n, key), []seg{{kind: segField, name: "source"}}, "%s is required in a from entry", w.sub("source"))
		return
	}
	w.push(seg{kind: segField, name: "source"})
	defer w.pop()
	count := func(f string) int { v, _, _ := w.stringList(src, f); return len(v) }
	if count("principals")+count("notPrincipals")+count("namespaces")+count("notNamespaces") > 0 && count("serviceAccounts")+count("notServiceAccounts") > 0 {
		w.report(sk, nil, "%s sets serviceAccounts together with namespaces or principals; Istio allows one or the other", w.where())
	}
	fields := []string{"principals", "requestPrincipals", "namespaces", "ipBlocks", "remoteIpBlocks", "notPrincipals", "notRequestPrincipals", "notNamespaces", "notIpBlocks", "notRemoteIpBlocks", "serviceAccounts", "notServiceAccounts", "trustDomains", "notTrustDomains"}
	total := 0
	for _, f := range fields {
		total += count(f)
	}
	if total == 0 {
		w.report(sk, nil, "%s is empty; name at least one of principals, namespaces, ipBlocks, serviceAccounts, ...", w.where())
	}
	for _, f := range fields {
		values, nodes, _ := w.stringList(src, f)
		for i, v := range values {
			at := []seg{{kind: segField, name: f}, {kind: segIndex, index: i}}
			if msg := sourceValueProblem(f, v); msg != "" {
				w.report(nodes[i], at, "%s %s %s", w.pathString(at...), quote(v), msg)
			}
		}
		if (f == "serviceAccounts" || f == "notServiceAccounts") && len(values) > 16 {
			w.report(nodes[16], []seg{{kind: segField, name: f}}, "%s has %d values; Istio allows at most 16", w.sub(f), len(values))
		}
	}
	if w.authzAction == "CUSTOM" {
		for _, f := range customUnsupportedSources {
			if count(f) > 0 {
				k, _ := w.field(src, f)
				w.fieldReport(k, f, "%s is not supported with action CUSTOM; the external authorizer sees the request, not the peer identity", w.sub(f))
			}
		}
	}
}

func sourceValueProblem(field, v string) string {
	if v == "" {
		return "is empty; Istio rejects empty values"
	}
	switch field {
	case "ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks":
		return ipProblem(v)
	case "serviceAccounts", "notServiceAccounts":
		return serviceAccountProblem(v)
	case "trustDomains", "notTrustDomains":
		if msg := wildcardValueProblem(v); msg != "" {
			return msg
		}
		if strings.Contains(v, "/") {
			return "must not contain '/': a trust domain is a name such as cluster.local"
		}
	}
	return ""
}

func ipProblem(v string) string {
	if strings.Contains(v, "/") {
		if _, err := netip.ParsePrefix(v); err != nil {
			return "is not a valid CIDR range"
		}
		return ""
	}
	if _, err := netip.ParseAddr(v); err != nil {
		return "is not a valid IP address"
	}
	return ""
}

func serviceAccountProblem(v string) string {
	switch {
	case strings.Contains(v, "*"):
		return "has a wildcard, which service accounts do not allow"
	case strings.Count(v, "/") > 1:
		return "must be serviceAccount or namespace/serviceAccount"
	case len(v) > 320:
		return "is longer than 320 characters"
	}
	if ns, sa, ok := strings.Cut(v, "/"); ok && (ns == "" || sa == "") {
		return "must be serviceAccount or namespace/serviceAccount, with neither part empty"
	}
	return ""
}

// wildcardValueProblem: CheckWildcardValues allows one "*", at the start or
// the end.
func wildcardValueProblem(v string) string {
	switch c := strings.Count(v, "*"); {
	case c > 1:
		return "has more than one wildcard"
	case c == 1 && v != "*" && !strings.HasPrefix(v, "*") && !strings.HasSuffix(v, "*"):
		return "has a wildcard in the middle; it may only be at the start or the end"
	}
	return ""
}

var validPathLiteral = regexp.MustCompile("^[a-zA-Z0-9-._~%!$&'()+,;:@=]+$")

// pathTemplateProblem: CheckValidPathTemplate. {*} matches one segment and
// {**} any number, last.
func pathTemplateProblem(path string) string {
	template := strings.Contains(path, "{*}") || strings.Contains(path, "{**}")
	anyFound := false
	for _, glob := range strings.Split(strings.Trim(path, "/"), "/") {
		switch {
		case glob == "{*}" && !anyFound:
			continue
		case glob == "{**}" && !anyFound:
			anyFound = true
			continue
		case (glob == "{**}" || glob == "{*}") && anyFound:
			return "has a path template after {**}, which must be the last operator"
		case strings.ContainsAny(glob, "{}"):
			return "has '{' or '}' outside a supported path template ({*} or {**})"
		case template && !validPathLiteral.MatchString(glob):
			return "has a segment " + quote(glob) + " that is not a valid path literal"
		}
	}
	return ""
}

func checkAuthzTo(w *walker, n, key *yaml.Node) {
	ok, op := w.field(n, "operation")
	if op == nil || op.Kind != yaml.MappingNode {
		w.report(anchor(n, key), []seg{{kind: segField, name: "operation"}}, "%s is required in a to entry", w.sub("operation"))
		return
	}
	w.push(seg{kind: segField, name: "operation"})
	defer w.pop()
	fields := []string{"ports", "methods", "paths", "hosts", "notPorts", "notMethods", "notPaths", "notHosts"}
	total := 0
	for _, f := range fields {
		values, nodes, _ := w.stringList(op, f)
		total += len(values)
		for i, v := range values {
			at := []seg{{kind: segField, name: f}, {kind: segIndex, index: i}}
			msg := ""
			switch {
			case v == "":
				msg = "is empty; Istio rejects empty values"
			case f == "ports" || f == "notPorts":
				if p, err := strconv.ParseUint(v, 10, 32); err != nil || p > 65535 {
					msg = "is not a port number"
				}
			case f == "paths" || f == "notPaths":
				msg = pathTemplateProblem(v)
			}
			if msg != "" {
				w.report(nodes[i], at, "%s %s %s", w.pathString(at...), quote(v), msg)
			}
		}
	}
	if total == 0 {
		w.report(ok, nil, "%s is empty; name at least one of ports, methods, paths or hosts", w.where())
	}
}

// authzKeys are the condition keys ValidateAttribute knows, with whether
// the key is a prefix for a bracketed name (request.headers[User-Agent]).
var authzKeys = map[string]bool{
	"request.headers": true, "source.ip": false, "remote.ip": false, "source.namespace": false,
	"source.serviceAccount": false, "source.principal": false, "source.trustDomain": false,
	"request.auth.principal": false, "request.auth.audiences": false, "request.auth.presenter": false,
	"request.auth.claims": true, "destination.ip": false, "destination.port": false, "connection.sni": false,
}

// checkAuthzCondition: a when condition's key must be one Istio knows, with
// values of the key's form; CUSTOM supports fewer keys.
func checkAuthzCondition(w *walker, n, key *yaml.Node) {
	kk, kv, k := w.stringField(n, "key")
	if kv == nil || k == "" {
		at := anchor(n, key)
		if kv != nil {
			at = kv
		}
		w.report(at, []seg{{kind: segField, name: "key"}}, "%s must not be empty", w.sub("key"))
		return
	}
	values, vnodes, _ := w.stringList(n, "values")
	notValues, nnodes, _ := w.stringList(n, "notValues")
	if len(values) == 0 && len(notValues) == 0 {
		w.report(kk, nil, "%s has key %s but neither values nor notValues; set one", w.where(), quote(k))
		return
	}
	if msg := attributeKeyProblem(k); msg != "" {
		w.report(kv, []seg{{kind: segField, name: "key"}}, "%s %s %s", w.sub("key"), quote(k), msg)
	} else {
		for _, set := range []struct {
			field  string
			values []string
			nodes  []*yaml.Node
		}{{"values", values, vnodes}, {"notValues", notValues, nnodes}} {
			for i, v := range set.values {
				if msg := attributeValueProblem(k, v); msg != "" {
					at := []seg{{kind: segField, name: set.field}, {kind: segIndex, index: i}}
					w.report(set.nodes[i], at, "%s %s %s", w.pathString(at...), quote(v), msg)
				}
			}
			if (k == "source.serviceAccount") && len(set.values) > 16 {
				w.report(set.nodes[16], []seg{{kind: segField, name: set.field}}, "%s has %d values; Istio allows at most 16", w.sub(set.field), len(set.values))
			}
		}
	}
	if w.authzAction == "CUSTOM" {
		switch {
		case k == "source.namespace", k == "source.serviceAccount", k == "source.trustDomain", k == "source.principal", strings.HasPrefix(k, "request.auth."):
			w.report(kv, []seg{{kind: segField, name: "key"}}, "%s %s is not supported with action CUSTOM", w.sub("key"), quote(k))
		}
	}
}

func attributeKeyProblem(k string) string {
	for prefix, bracketed := range authzKeys {
		if bracketed && strings.HasPrefix(k, prefix) {
			if open := strings.Index(k, "["); strings.HasSuffix(k, "]") && open > 0 && open < len(k)-2 {
				return ""
			}
			return "must have the form " + prefix + "[name]"
		}
	}
	if strings.HasPrefix(k, "experimental.envoy.filters.") {
		if open := strings.Index(k, "["); strings.HasSuffix(k, "]") && open > 0 && open < len(k)-2 {
			return ""
		}
		return "must have the form experimental.envoy.filters.X[Y]"
	}
	if _, known := authzKeys[k]; known {
		return ""
	}
	switch {
	case k == "destination.namespace":
		return "is replaced by the policy's metadata.namespace"
	case strings.HasPrefix(k, "destination.labels"):
		return "is replaced by the workload selector"
	case k == "destination.name", k == "destination.user":
		return "was supported only in v1alpha1"
	}
	return "is not a condition key Istio knows (such as request.headers[X], source.ip, source.namespace, request.auth.claims[iss], destination.port)"
}

func attributeValueProblem(k, v string) string {
	if v == "" {
		return "is empty; Istio rejects empty values"
	}
	switch k {
	case "source.ip", "remote.ip", "destination.ip":
		return ipProblem(v)
	case "source.serviceAccount":
		return serviceAccountProblem(v)
	case "source.trustDomain":
		return wildcardValueProblem(v)
	case "destination.port":
		if p, err := strconv.ParseUint(v, 10, 32); err != nil || p > 65535 {
			return "is not a port number"
		}
	}
	return ""
}

// checkJWTRule: validateJwtRule.
func checkJWTRule(w *walker, n, key *yaml.Node) {
	values := func(f string) ([]string, []*yaml.Node) { v, nodes, _ := w.stringList(n, f); return v, nodes }
	for _, f := range []string{"audiences", "fromParams", "fromCookies"} {
		vs, nodes := values(f)
		for i, v := range vs {
			if v == "" {
				at := []seg{{kind: segField, name: f}, {kind: segIndex, index: i}}
				w.report(nodes[i], at, "%s must not be empty", w.pathString(at...))
			}
		}
	}
	_, _, issuer := w.stringField(n, "issuer")
	_, uriNode, uri := w.stringField(n, "jwksUri")
	if issuer == "" && uri == "" {
		w.report(anchor(n, key), []seg{{kind: segField, name: "issuer"}}, "%s needs an issuer or a jwksUri", w.where())
	}
	if uri != "" {
		u, err := url.Parse(uri)
		switch {
		case err != nil:
			w.report(uriNode, []seg{{kind: segField, name: "jwksUri"}}, "%s %s is not a URL", w.sub("jwksUri"), quote(uri))
		case u.Scheme != "http" && u.Scheme != "https":
			w.report(uriNode, []seg{{kind: segField, name: "jwksUri"}}, "%s %s must be an http or https URL", w.sub("jwksUri"), quote(uri))
		case u.Port() != "":
			if _, err := strconv.Atoi(u.Port()); err != nil {
				w.report(uriNode, []seg{{kind: segField, name: "jwksUri"}}, "%s %s has a port that is not a number", w.sub("jwksUri"), quote(uri))
			}
		}
	}
	if _, jv, jwks := w.stringField(n, "jwks"); jwks != "" {
		// jwk.Parse accepts a JSON Web Key or a key set; both are JSON
		// objects. This checks the JSON, not the keys.
		var obj map[string]any
		if err := json.Unmarshal([]byte(jwks), &obj); err != nil {
			w.report(jv, []seg{{kind: segField, name: "jwks"}}, "%s is not a JSON Web Key Set: %v", w.sub("jwks"), err)
		}
	}
	if _, hs := w.field(n, "fromHeaders"); hs != nil && hs.Kind == yaml.SequenceNode {
		for i, h := range hs.Content {
			if h == nil || h.Kind != yaml.MappingNode {
				continue
			}
			if _, v, name := w.stringField(h, "name"); name == "" {
				at := []seg{{kind: segField, name: "fromHeaders"}, {kind: segIndex, index: i}, {kind: segField, name: "name"}}
				node := h
				if v != nil {
					node = v
				}
				w.report(node, at, "%s must not be empty", w.pathString(at...))
			}
		}
	}
	if _, oc := w.field(n, "outputClaimToHeaders"); oc != nil && oc.Kind == yaml.SequenceNode {
		for i, c := range oc.Content {
			if c == nil || c.Kind != yaml.MappingNode {
				continue
			}
			at := []seg{{kind: segField, name: "outputClaimToHeaders"}, {kind: segIndex, index: i}}
			_, _, claim := w.stringField(c, "claim")
			_, hv, header := w.stringField(c, "header")
			if claim == "" || header == "" {
				w.report(c, at, "%s needs both claim and header", w.pathString(at...))
				continue
			}
			if msg := headerNameProblem(header); msg != "" || strings.HasPrefix(header, "@") {
				w.report(hv, append(at, seg{kind: segField, name: "header"}), "%s.header %s is not a valid header name", w.pathString(at...), quote(header))
			}
		}
	}
}
