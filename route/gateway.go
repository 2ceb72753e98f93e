package route

import "strings"

// meshGateway is the reserved gateway name that stands for every sidecar in
// the mesh; a VirtualService without gateways applies to it alone.
const meshGateway = "mesh"

// ResolveGateway turns a gateway reference into the "namespace/name" form that
// istiod compares (resolveGatewayName in pilot/pkg/model/config.go): a
// short name lives in the VirtualService's namespace, "./name" too, and the
// legacy "name.namespace.svc.cluster.local" form names its namespace second.
// "mesh" and "" are returned unchanged, and so are short names when namespace
// is unknown ("").
func ResolveGateway(name, namespace string) string {
	if name == "" || name == meshGateway {
		return name
	}
	if i := strings.IndexByte(name, '/'); i >= 0 {
		if name[:i] == "." && namespace != "" {
			return namespace + "/" + name[i+1:]
		}
		return name
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		rest := name[i+1:]
		if j := strings.IndexByte(rest, '.'); j >= 0 {
			rest = rest[:j]
		}
		return rest + "/" + name[:i]
	}
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// meshOnly is the default gateway list. It is shared: nothing may modify it.
var meshOnly = []string{meshGateway}

// resolveGateways resolves every name, and gives the default ["mesh"] to an
// empty list when def is true (VirtualService level) and nil otherwise (match
// level, where an empty list means "inherit").
func resolveGateways(names []string, namespace string, def bool) []string {
	if len(names) == 0 {
		if def {
			return meshOnly
		}
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = ResolveGateway(n, namespace)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
