package route

import "github.com/meshroll/meshroll/internal/gateway"

// meshOnly is the default gateway list. It is shared: nothing may modify it.
var meshOnly = []string{gateway.Mesh}

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
		out[i] = gateway.Resolve(n, namespace)
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
