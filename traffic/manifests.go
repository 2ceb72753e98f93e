package traffic

import (
	"fmt"
	"sort"
	"strings"

	apinet "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/route"
)

// VirtualServicesFor returns the VirtualServices among the manifests that
// route host for a client in namespace ns, with Istio's host semantics:
// a short name is a service of the namespace, names resolve in the
// VirtualService's namespace, wildcards match.
func VirtualServicesFor(m *manifest.Manifests, host, ns string) []*manifest.Resource {
	ix := manifest.NewIndex(m.Resources, "", "")
	want := manifest.ResolveHost(host, ns, manifest.DefaultClusterDomain, ix.IsNamespace)
	var out []*manifest.Resource
	for _, vs := range ix.VirtualServices {
		for _, h := range vs.VirtualService().GetHosts() {
			if ix.Resolve(vs, h).Matches(want) {
				out = append(out, vs)
				break
			}
		}
	}
	return out
}

// Table indexes the VirtualServices and Gateways among the manifests for
// route.Table: requests through a gateway, and routes that delegate.
func Table(m *manifest.Manifests, extra ...*manifest.Manifests) *route.Table {
	var vss []route.VirtualServiceObject
	for _, r := range m.Resources {
		if vs := r.VirtualService(); vs != nil {
			vss = append(vss, route.VirtualServiceObject{Name: r.Name, Namespace: r.Namespace, Spec: vs})
		}
	}
	return route.NewTable(vss, Gateways(append([]*manifest.Manifests{m}, extra...)...))
}

// Gateways returns the Gateway objects among the manifests.
func Gateways(ms ...*manifest.Manifests) []route.GatewayObject {
	var out []route.GatewayObject
	for _, m := range ms {
		if m == nil {
			continue
		}
		for _, r := range m.Resources {
			if gw, ok := r.Spec.(*apinet.Gateway); ok && r.Kind == "Gateway" {
				out = append(out, route.GatewayObject{Name: r.Name, Namespace: r.Namespace, Spec: gw})
			}
		}
	}
	return out
}

// NoGatewayError says that the manifests hold no Gateway id, naming those
// they hold.
func NoGatewayError(gws []route.GatewayObject, id, where string) error {
	var ids []string
	for _, g := range gws {
		ids = append(ids, g.Namespace+"/"+g.Name)
	}
	sort.Strings(ids)
	if len(ids) == 0 {
		return fmt.Errorf("no Gateway %s in %s: they hold no Gateway", id, where)
	}
	return fmt.Errorf("no Gateway %s in %s; they hold %s", id, where, strings.Join(ids, ", "))
}

// ManifestOutcome describes a route.Result on manifests: destinations are
// named host or host/subset.
func ManifestOutcome(res route.Result) Outcome {
	return outcome(nil, "", res)
}

// NoVirtualServiceError says that no manifest routes a host, naming the
// hosts the manifests do route.
func NoVirtualServiceError(m *manifest.Manifests, host string) error {
	var hosts []string
	seen := map[string]bool{}
	for _, r := range m.Resources {
		if r.Kind != "VirtualService" {
			continue
		}
		for _, h := range r.VirtualService().GetHosts() {
			if !seen[h] {
				seen[h] = true
				hosts = append(hosts, h)
			}
		}
	}
	sort.Strings(hosts)
	if len(hosts) == 0 {
		return fmt.Errorf("no VirtualService routes host %s: the manifests hold no VirtualService", host)
	}
	return fmt.Errorf("no VirtualService routes host %s; the manifests route %s", host, strings.Join(hosts, ", "))
}
