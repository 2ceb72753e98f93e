package crd

import (
	"regexp"
	"sync"

	"cel.dev/cel-go/cel"
	"go.yaml.in/yaml/v3"
)

// The checks of this file port Istio's ValidateTelemetry and the functions
// it calls (validateTelemetryMetrics, validateTelemetryTracing,
// validateTelemetryAccessLogging, validateTelemetryProviders,
// validateTelemetryFilter) from pkg/config/validation/validation.go and
// validation_istiod.go, and the structural checks of ValidateEnvoyFilter
// from pkg/config/validation/envoyfilter/envoyfilter.go, at Istio 1.32
// (istio/istio master 86c9f01). ValidateEnvoyFilter also builds each
// patch's value into the Envoy type that applyTo names, which needs Envoy's
// protobuf types; meshroll does not link them, so a patch whose value does
// not fit its Envoy type passes here.

func telemetryChecks(path string) []check {
	switch path {
	case "spec":
		return []check{checkPolicyTargets}
	case "spec.selector":
		return []check{checkWorkloadSelector}
	case "spec.targetRef", "spec.targetRefs[]":
		return []check{checkPolicyTargetRef}
	case "spec.metrics[].providers[]", "spec.tracing[].providers[]", "spec.accessLogging[].providers[]":
		return []check{checkProviderRef}
	case "spec.tracing[]":
		return []check{checkTracing}
	case "spec.tracing[].customTags":
		return []check{checkCustomTags}
	case "spec.metrics[].overrides[]":
		return []check{checkMetricsOverride}
	case "spec.accessLogging[].filter":
		return []check{checkAccessLogFilter}
	}
	return nil
}

func checkProviderRef(w *walker, n, key *yaml.Node) {
	if _, v, name := w.stringField(n, "name"); name == "" {
		at := anchor(n, key)
		if v != nil {
			at = v
		}
		w.report(at, []seg{{kind: segField, name: "name"}}, "%s must not be empty: name an extension provider of the mesh config", w.sub("name"))
	}
}

func checkTracing(w *walker, n, key *yaml.Node) {
	_, v := w.field(n, "randomSamplingPercentage")
	if v == nil || v.Kind != yaml.ScalarNode {
		return
	}
	if num, ok := parseNumber(v, scalarKindOf(v)); ok && (num.f < 0 || num.f > 100) {
		w.report(v, []seg{{kind: segField, name: "randomSamplingPercentage"}}, "%s must be between 0 and 100, not %s", w.sub("randomSamplingPercentage"), num.text())
	}
}

func checkCustomTags(w *walker, n, key *yaml.Node) {
	p := n.Content
	for i := 0; i+1 < len(p); i += 2 {
		k, v := p[i], p[i+1]
		if k == nil || v == nil {
			return
		}
		at := []seg{{kind: segKey, name: k.Value}}
		if k.Value == "" {
			w.report(k, at, "%s has an empty tag name", w.where())
			continue
		}
		if v.Kind != yaml.MappingNode {
			continue
		}
		for _, t := range []struct{ kind, field string }{{"literal", "value"}, {"header", "name"}, {"environment", "name"}} {
			tk, tv := w.field(v, t.kind)
			if tv == nil || tv.Kind != yaml.MappingNode {
				continue
			}
			if _, _, s := w.stringField(tv, t.field); s == "" {
				w.report(tk, append(at, seg{kind: segField, name: t.kind}, seg{kind: segField, name: t.field}), "%s.%s.%s must not be empty", w.pathString(at...), t.kind, t.field)
			}
		}
	}
}

func checkMetricsOverride(w *walker, n, key *yaml.Node) {
	if _, tags := w.field(n, "tagOverrides"); tags != nil && tags.Kind == yaml.MappingNode {
		p := tags.Content
		for i := 0; i+1 < len(p); i += 2 {
			k, v := p[i], p[i+1]
			if k == nil || v == nil {
				return
			}
			if v.Kind != yaml.MappingNode {
				continue
			}
			at := []seg{{kind: segField, name: "tagOverrides"}, {kind: segKey, name: k.Value}}
			_, _, op := w.stringField(v, "operation")
			_, vv, value := w.stringField(v, "value")
			switch {
			case (op == "" || op == "UPSERT") && value == "":
				w.report(k, at, "%s needs a value: operation UPSERT sets the tag to it", w.pathString(at...))
			case op == "REMOVE" && value != "":
				w.report(vv, append(at, seg{kind: segField, name: "value"}), "%s sets a value, which operation REMOVE does not use; remove it", w.pathString(at...))
			}
		}
	}
	if _, m := w.field(n, "match"); m != nil && m.Kind == yaml.MappingNode {
		if _, v, custom := w.stringField(m, "customMetric"); v != nil && custom == "" {
			w.report(v, []seg{{kind: segField, name: "match"}, {kind: segField, name: "customMetric"}}, "%s.customMetric must not be empty", w.sub("match"))
		}
	}
}

var filterEnv = sync.OnceValues(func() (*cel.Env, error) { return cel.NewEnv() })

// checkAccessLogFilter: validateTelemetryFilter parses the expression with
// an empty CEL environment; it must parse (names are not checked).
func checkAccessLogFilter(w *walker, n, key *yaml.Node) {
	_, v, expr := w.stringField(n, "expression")
	if v == nil {
		return
	}
	env, err := filterEnv()
	if err != nil {
		return
	}
	if _, iss := env.Parse(expr); iss != nil && iss.Err() != nil {
		w.report(v, []seg{{kind: segField, name: "expression"}}, "%s is not a valid CEL expression: %v", w.sub("expression"), iss.Err())
	}
}

func envoyFilterChecks(path string) []check {
	switch path {
	case "spec.workloadSelector":
		return []check{checkAlphaWorkloadSelector}
	case "spec.configPatches[]":
		return []check{checkConfigPatch}
	}
	return nil
}

// checkConfigPatch: validateEnvoyFilter's checks of one config patch.
func checkConfigPatch(w *walker, n, key *yaml.Node) {
	_, match := w.field(n, "match")
	if match != nil && match.Kind == yaml.MappingNode {
		if _, _, ctx := w.stringField(match, "context"); ctx == "WAYPOINT" {
			return
		}
	}
	_, _, applyTo := w.stringField(n, "applyTo")
	if applyTo == "" || applyTo == "INVALID" {
		w.report(anchor(n, key), []seg{{kind: segField, name: "applyTo"}}, "%s is required: say which Envoy object the patch applies to", w.sub("applyTo"))
		return
	}
	pk, patch := w.field(n, "patch")
	if patch == nil || patch.Kind != yaml.MappingNode {
		w.report(anchor(n, key), []seg{{kind: segField, name: "patch"}}, "%s is required", w.sub("patch"))
		return
	}
	_, _, op := w.stringField(patch, "operation")
	if op == "" || op == "INVALID" {
		w.report(pk, []seg{{kind: segField, name: "patch"}, {kind: segField, name: "operation"}}, "%s.operation is required", w.sub("patch"))
		return
	}
	if _, value := w.field(patch, "value"); op != "REMOVE" && value == nil {
		w.report(pk, []seg{{kind: segField, name: "patch"}, {kind: segField, name: "value"}}, "%s.value is required for operation %s", w.sub("patch"), op)
		return
	}
	if match == nil || match.Kind != yaml.MappingNode {
		return
	}
	if _, proxy := w.field(match, "proxy"); proxy != nil && proxy.Kind == yaml.MappingNode {
		if _, v, version := w.stringField(proxy, "proxyVersion"); version != "" && len(version) <= 1024 {
			if _, err := regexp.Compile(version); err != nil {
				w.report(v, []seg{{kind: segField, name: "match"}, {kind: segField, name: "proxy"}, {kind: segField, name: "proxyVersion"}}, "%s.match.proxy.proxyVersion is not a valid regular expression: %v", w.where(), err)
				return
			}
		}
	}
	_, listener := w.field(match, "listener")
	_, route := w.field(match, "routeConfiguration")
	_, cluster := w.field(match, "cluster")
	objectTypes := listener != nil || route != nil || cluster != nil
	if !objectTypes {
		return
	}
	mk := w.keyOf(n, "match")
	switch applyTo {
	case "LISTENER", "FILTER_CHAIN", "NETWORK_FILTER", "HTTP_FILTER":
		if listener == nil {
			w.report(mk, []seg{{kind: segField, name: "match"}}, "%s applies to %s, a listener object, so its match must be a listener match", w.where(), applyTo)
			return
		}
		_, fc := w.field(listener, "filterChain")
		if fc == nil || fc.Kind != yaml.MappingNode {
			return
		}
		fk, filter := w.field(fc, "filter")
		if filter == nil || filter.Kind != yaml.MappingNode {
			return
		}
		at := []seg{{kind: segField, name: "match"}, {kind: segField, name: "listener"}, {kind: segField, name: "filterChain"}, {kind: segField, name: "filter"}}
		_, _, name := w.stringField(filter, "name")
		if name == "" {
			w.report(fk, append(at, seg{kind: segField, name: "name"}), "%s.name is required: the filter to match", w.pathString(at...))
			return
		}
		sk, sub := w.field(filter, "subFilter")
		if sub == nil || sub.Kind != yaml.MappingNode {
			return
		}
		switch {
		case applyTo != "HTTP_FILTER":
			w.report(sk, append(at, seg{kind: segField, name: "subFilter"}), "%s.subFilter can be used only with applyTo HTTP_FILTER", w.pathString(at...))
		case name != "envoy.filters.network.http_connection_manager" && name != "envoy.http_connection_manager":
			w.report(sk, append(at, seg{kind: segField, name: "subFilter"}), "%s.subFilter needs the filter match to be envoy.filters.network.http_connection_manager", w.pathString(at...))
		default:
			if _, _, subName := w.stringField(sub, "name"); subName == "" {
				w.report(sk, append(at, seg{kind: segField, name: "subFilter"}, seg{kind: segField, name: "name"}), "%s.subFilter.name is required", w.pathString(at...))
			}
		}
	case "ROUTE_CONFIGURATION", "VIRTUAL_HOST", "HTTP_ROUTE":
		if route == nil {
			w.report(mk, []seg{{kind: segField, name: "match"}}, "%s applies to %s, an HTTP route object, so its match must be a routeConfiguration match", w.where(), applyTo)
		}
	case "CLUSTER":
		if cluster == nil {
			w.report(mk, []seg{{kind: segField, name: "match"}}, "%s applies to CLUSTER, so its match must be a cluster match", w.where())
		}
	}
}
