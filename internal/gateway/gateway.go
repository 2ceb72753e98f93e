package gateway

import "strings"

// Mesh is the reserved gateway name that stands for every sidecar in the
// mesh; a VirtualService without gateways applies to it alone.
const Mesh = "mesh"

// Resolve turns a gateway reference into the "namespace/name" form that
// istiod compares (resolveGatewayName in pilot/pkg/model/config.go): a short
// name lives in the namespace of the object that names it, "./name" too,
// and the legacy "name.namespace.svc.cluster.local" form names its
// namespace second. Mesh and "" are returned unchanged, and so are short
// names when namespace is unknown ("").
func Resolve(name, namespace string) string {
	if name == "" || name == Mesh {
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
