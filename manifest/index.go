package manifest

import (
	"slices"
	"sync"

	security "istio.io/api/security/v1"

	"github.com/meshroll/meshroll/route"
)

// Defaults for Options.RootNamespace and Options.ClusterDomain, as in a
// default Istio installation.
const (
	DefaultRootNamespace = "istio-system"
	DefaultClusterDomain = "cluster.local"
)

// Index is what rules look resources up by. It is built once per Run, before
// any rule runs, and is read-only afterwards, so rules may run in parallel.
type Index struct {
	// RootNamespace is the mesh root namespace: its DestinationRules and
	// PeerAuthentications apply mesh-wide.
	RootNamespace string
	// ClusterDomain completes short service names.
	ClusterDomain string

	// The Istio objects whose spec decoded, in input order.
	VirtualServices     []*Resource
	DestinationRules    []*Resource
	PeerAuthentications []*Resource
	ServiceEntries      []*Resource

	// coverage memoises route.Coverage of each VirtualService, which two
	// rules read (MR204, MR208).
	coverage sync.Map // *Resource → *coverage

	namespaces map[string]bool
	// namespaceObjects are the Namespace objects of the input, by name.
	namespaceObjects map[string]*Resource
	// services are the Kubernetes Services of the input, by namespace and
	// name.
	services map[nsHost]*Service
	// templates are the pod templates of the workload controllers of the
	// input.
	templates  []podTemplate
	drHost     map[*Resource]Host
	drExact    map[nsHost][]*Resource
	drWildcard map[string][]*Resource // namespace → DRs with a wildcard host
	paByNS     map[string][]*Resource
	routes     map[*Resource][]Route
}

type nsHost struct {
	ns   string
	host Host
}

// NewIndex indexes resources. Empty rootNamespace and clusterDomain take the
// defaults.
func NewIndex(resources []*Resource, rootNamespace, clusterDomain string) *Index {
	if rootNamespace == "" {
		rootNamespace = DefaultRootNamespace
	}
	if clusterDomain == "" {
		clusterDomain = DefaultClusterDomain
	}
	ix := &Index{
		RootNamespace:    rootNamespace,
		ClusterDomain:    clusterDomain,
		namespaces:       map[string]bool{rootNamespace: true, "default": true},
		namespaceObjects: map[string]*Resource{},
		services:         map[nsHost]*Service{},
		drHost:           map[*Resource]Host{},
		drExact:          map[nsHost][]*Resource{},
		drWildcard:       map[string][]*Resource{},
		paByNS:           map[string][]*Resource{},
		routes:           map[*Resource][]Route{},
	}
	for _, r := range resources {
		ix.namespaces[r.Namespace] = true
		if r.Kind == "Namespace" && r.APIVersion == "v1" && r.Name != "" {
			ix.namespaces[r.Name] = true
			ix.namespaceObjects[r.Name] = r
		}
		if r.Kind == "Service" && r.APIVersion == "v1" && r.Name != "" {
			ix.services[nsHost{r.Namespace, Host(r.Name)}] = readService(r)
		}
		if workloadKinds[r.Kind] && !r.IsIstio() {
			if t, ok := readPodTemplate(r); ok {
				ix.templates = append(ix.templates, t)
			}
		}
	}
	for _, r := range resources {
		switch {
		case r.VirtualService() != nil:
			ix.VirtualServices = append(ix.VirtualServices, r)
			ix.routes[r] = Routes(r)
		case r.DestinationRule() != nil:
			ix.DestinationRules = append(ix.DestinationRules, r)
			h := ix.Resolve(r, r.DestinationRule().GetHost())
			ix.drHost[r] = h
			if h.IsWildcard() {
				ix.drWildcard[r.Namespace] = append(ix.drWildcard[r.Namespace], r)
			} else {
				k := nsHost{r.Namespace, h}
				ix.drExact[k] = append(ix.drExact[k], r)
			}
		case r.PeerAuthentication() != nil:
			ix.PeerAuthentications = append(ix.PeerAuthentications, r)
			ix.paByNS[r.Namespace] = append(ix.paByNS[r.Namespace], r)
		case r.Kind == "ServiceEntry" && r.Spec != nil:
			ix.ServiceEntries = append(ix.ServiceEntries, r)
		}
	}
	return ix
}

// Routes returns Routes(r) for a VirtualService of the index, computed once
// for all rules.
func (ix *Index) Routes(r *Resource) []Route {
	if rt, ok := ix.routes[r]; ok {
		return rt
	}
	return Routes(r)
}

// IsNamespace reports whether ns is a namespace the input uses or declares,
// or the default or root namespace.
func (ix *Index) IsNamespace(ns string) bool { return ix.namespaces[ns] }

// Resolve resolves a host name written in resource r (see ResolveHost).
func (ix *Index) Resolve(r *Resource, name string) Host {
	return ResolveHost(name, r.Namespace, ix.ClusterDomain, ix.IsNamespace)
}

// DestinationRuleHost is the resolved spec.host of DestinationRule dr.
func (ix *Index) DestinationRuleHost(dr *Resource) Host { return ix.drHost[dr] }

// DestinationRulesFor returns the DestinationRules Istio applies to traffic for
// host from a client in namespace client. Like Istio it looks in the
// client's namespace, then the host's namespace, then the root namespace, and
// takes the first that has a DestinationRule exported to the client for the
// host; there it takes those with the most specific matching host (several
// when they name the same host, which Istio merges). nil means none applies.
func (ix *Index) DestinationRulesFor(host Host, client string) []*Resource {
	// Every route of every rule asks: no allocation but the answer.
	order := [3]string{client, "", ix.RootNamespace}
	if _, ns, ok := host.Service(ix.ClusterDomain); ok {
		order[1] = ns
	}
	for i, ns := range order {
		if ns == "" && i == 1 || slices.Contains(order[:i], ns) {
			continue
		}
		if found := ix.destinationRulesIn(ns, host, client); len(found) > 0 {
			return found
		}
	}
	return nil
}

func (ix *Index) destinationRulesIn(ns string, host Host, client string) []*Resource {
	var exact []*Resource
	for _, dr := range ix.drExact[nsHost{ns, host}] {
		if exportedTo(dr, dr.DestinationRule().GetExportTo(), client) {
			exact = append(exact, dr)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	var best []*Resource
	bestScore := -1
	for _, dr := range ix.drWildcard[ns] {
		h := ix.drHost[dr]
		if !h.Matches(host) || !exportedTo(dr, dr.DestinationRule().GetExportTo(), client) {
			continue
		}
		switch s := h.specificity(); {
		case s > bestScore:
			best, bestScore = []*Resource{dr}, s
		case s == bestScore:
			best = append(best, dr)
		}
	}
	return best
}

// DestinationRulesIn returns the DestinationRules of namespace ns, in input
// order.
func (ix *Index) DestinationRulesIn(ns string) []*Resource {
	var out []*Resource
	for _, dr := range ix.DestinationRules {
		if dr.Namespace == ns {
			out = append(out, dr)
		}
	}
	return out
}

// exportTo values, as Istio defines them.
const (
	ExportAll     = "*"
	ExportPrivate = "."
)

// exportedTo reports whether an object of r with the given exportTo list is
// visible in namespace ns.
func exportedTo(r *Resource, exportTo []string, ns string) bool {
	if len(exportTo) == 0 {
		return true
	}
	for _, e := range exportTo {
		switch e {
		case ExportAll:
			return true
		case ExportPrivate:
			if r.Namespace == ns {
				return true
			}
		case ns:
			return true
		}
	}
	return false
}

// PeerAuthenticationsIn returns the PeerAuthentications of namespace ns.
func (ix *Index) PeerAuthenticationsIn(ns string) []*Resource { return ix.paByNS[ns] }

// MTLSMode returns the mutual TLS mode that workloads of namespace ns
// require, and the PeerAuthentication that sets it: the namespace-wide one
// (no selector) of ns, else the mesh-wide one of the root namespace; UNSET
// and nil when neither sets a mode (Istio then accepts PERMISSIVE traffic).
// Policies with a workload selector are left out: they cover some workloads
// only.
func (ix *Index) MTLSMode(ns string) (security.PeerAuthentication_MutualTLS_Mode, *Resource) {
	for _, n := range []string{ns, ix.RootNamespace} {
		for _, r := range ix.paByNS[n] {
			pa := r.PeerAuthentication()
			if pa.GetSelector() != nil {
				continue
			}
			if m := pa.GetMtls().GetMode(); m != security.PeerAuthentication_MutualTLS_UNSET {
				return m, r
			}
		}
	}
	return security.PeerAuthentication_MutualTLS_UNSET, nil
}

// coverage is route.Coverage of one VirtualService, computed once.
type coverage struct {
	once                     sync.Once
	unreachable, ineffective []route.Finding
}

// Coverage returns the unreachable and ineffective matches of vs, a
// VirtualService of the index, analysed once however many rules ask.
func (ix *Index) Coverage(vs *Resource) (unreachable, ineffective []route.Finding) {
	v, _ := ix.coverage.LoadOrStore(vs, &coverage{})
	c := v.(*coverage)
	c.once.Do(func() { c.unreachable, c.ineffective = route.Coverage(vs.VirtualService()) })
	return c.unreachable, c.ineffective
}
