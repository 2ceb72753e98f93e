package traffic

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/route"
)

// VirtualServicesFor returns the VirtualServices among the manifests that
// route host for a client in namespace ns, with Istio's host semantics:
// a short name is a service of the namespace, names resolve in the
// VirtualService's namespace, wildcards match.
func VirtualServicesFor(m *lint.Manifests, host, ns string) []*lint.Resource {
	ix := lint.NewIndex(m.Resources, "", "")
	want := lint.ResolveHost(host, ns, lint.DefaultClusterDomain, ix.IsNamespace)
	var out []*lint.Resource
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

// SimulateManifest runs req through the VirtualService vs as read from a
// manifest; destinations are named host or host/subset.
func SimulateManifest(vs *lint.Resource, req route.Request) Outcome {
	res := route.Evaluate(vs.VirtualService(), vs.Namespace, req)
	name := func(host, subset string) string {
		if subset == "" {
			return host
		}
		return host + "/" + subset
	}
	out := Outcome{Phase: "", Result: res}
	for _, d := range res.Destinations {
		out.Shares = append(out.Shares, Share{Target: name(d.Host, d.Subset), Host: d.Host, Subset: d.Subset, Percent: d.Weight})
	}
	if m := res.Mirror; m != nil {
		out.Mirror = &Share{Target: name(m.Host, m.Subset), Host: m.Host, Subset: m.Subset, Percent: m.Percent}
	}
	return out
}

// NoVirtualServiceError says that no manifest routes a host, naming the
// hosts the manifests do route.
func NoVirtualServiceError(m *lint.Manifests, host string) error {
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
