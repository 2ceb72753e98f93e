package route

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/gateway"
)

// VirtualServiceObject is a VirtualService with the metadata that routing
// across several of them depends on: a gateway's, or a root and its delegates.
type VirtualServiceObject struct {
	Name, Namespace string
	Spec            *networkingv1.VirtualService
}

// ID is namespace/name.
func (o VirtualServiceObject) ID() string { return o.Namespace + "/" + o.Name }

// Via names the delegating route of a root VirtualService through which a
// delegate's route was reached.
type Via struct {
	// VirtualService is the root, as namespace/name.
	VirtualService string
	Index          int
	Name           string
	// Match is the root route's match block that held, -1 when the root
	// route has none (or, in a Miss, when no block was reached).
	Match int
}

// exportedTo reports whether a VirtualService of namespace ns with exportTo
// list is visible in namespace to. An empty list is Istio's default, "*"
// (meshConfig.defaultVirtualServiceExportTo can narrow it; meshroll does not
// read the mesh config), "." is ns itself and "~" is no namespace.
func exportedTo(list []string, ns, to string) bool {
	if len(list) == 0 {
		return true
	}
	for _, e := range list {
		switch e {
		case "*":
			return true
		case ".":
			if ns == to {
				return true
			}
		case to:
			return true
		}
	}
	return false
}

// routeOrigin says where a route of a merged VirtualService is written.
type routeOrigin struct {
	vs     string // namespace/name of the VirtualService that holds it
	index  int    // its index in that VirtualService's spec.http
	name   string
	via    *Via // the delegating route, nil for a route of the root itself
	blocks []blockOrigin
}

// blockOrigin maps a merged match block back to the blocks it was made of:
// the route's own (-1 when it has none) and the root route's (-1 likewise).
type blockOrigin struct {
	match, root int
}

// merged is a root VirtualService with its delegates' routes in place of its
// delegating routes, compiled, and the origin of every route.
type merged struct {
	obj     VirtualServiceObject
	router  *Router
	origins []routeOrigin
	// hosts are the root's hosts resolved to FQDNs, as a gateway matches
	// them.
	hosts []string
	// notes say which routes istiod drops: delegates that are missing or not
	// exported to the root, and delegate routes whose match conflicts with
	// the root's.
	notes []string
}

// mergeDelegates builds the VirtualService istiod routes with for root
// (mergeVirtualServices in pilot/pkg/model/virtualservice_controller.go):
// every http route that names a delegate is replaced by the delegate's http
// routes, each merged with it (MergeHTTPRoutes in
// pilot/pkg/model/virtualservice.go). A delegate is a VirtualService without
// hosts; one that is missing, has hosts, or is not exported to the root's
// namespace drops the delegating route. Delegation is one level deep: a
// delegate's own delegating routes stay as they are, and route nowhere.
func mergeDelegates(root VirtualServiceObject, lookup func(id string) (VirtualServiceObject, bool)) *merged {
	m := &merged{obj: root, hosts: fqdns(root.Spec.GetHosts(), root.Namespace)}
	spec := proto.Clone(root.Spec).(*networkingv1.VirtualService)
	resolveMatchGateways(spec, root.Namespace)
	id := root.ID()
	routes := make([]*networkingv1.HTTPRoute, 0, len(spec.GetHttp()))
	for ri, h := range spec.GetHttp() {
		if h == nil {
			continue
		}
		d := h.GetDelegate()
		if d == nil {
			routes = append(routes, h)
			m.origins = append(m.origins, ownOrigin(id, ri, h))
			continue
		}
		at := fmt.Sprintf("route [%d] %s", ri, routeLabel(h.GetName()))
		dns := d.GetNamespace()
		if dns == "" {
			dns = root.Namespace
		}
		did := dns + "/" + d.GetName()
		del, ok := lookup(did)
		switch {
		case !ok:
			m.notes = append(m.notes, fmt.Sprintf("%s delegates to VirtualService %s, which is not among the manifests: istiod drops the route", at, did))
			continue
		case len(del.Spec.GetHosts()) > 0:
			m.notes = append(m.notes, fmt.Sprintf("%s delegates to VirtualService %s, which has hosts and so is not a delegate: istiod drops the route", at, did))
			continue
		case !exportedTo(del.Spec.GetExportTo(), del.Namespace, root.Namespace):
			m.notes = append(m.notes, fmt.Sprintf("%s delegates to VirtualService %s, which is not exported to namespace %s: istiod drops the route", at, did, root.Namespace))
			continue
		}
		dspec := proto.Clone(del.Spec).(*networkingv1.VirtualService)
		resolveMatchGateways(dspec, del.Namespace)
		for dri, dr := range dspec.GetHttp() {
			if dr == nil {
				continue
			}
			out, blocks, conflict := mergeHTTPRoute(h, dr)
			if conflict {
				m.notes = append(m.notes, fmt.Sprintf("route [%d] %s of delegate %s conflicts with the match of %s of %s: istiod drops it", dri, routeLabel(dr.GetName()), did, at, id))
				continue
			}
			routes = append(routes, out)
			m.origins = append(m.origins, routeOrigin{vs: did, index: dri, name: dr.GetName(), blocks: blocks,
				via: &Via{VirtualService: id, Index: ri, Name: h.GetName(), Match: -1}})
		}
	}
	spec.Http = routes
	m.router = Compile(spec, root.Namespace)
	return m
}

func ownOrigin(id string, index int, h *networkingv1.HTTPRoute) routeOrigin {
	o := routeOrigin{vs: id, index: index, name: h.GetName(), blocks: make([]blockOrigin, len(h.GetMatch()))}
	for i := range o.blocks {
		o.blocks[i] = blockOrigin{match: i, root: -1}
	}
	return o
}

func routeLabel(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

// resolveMatchGateways rewrites the match-level gateways of spec's http
// routes into namespace/name form, resolved in the namespace of the
// VirtualService that names them, as istiod does before merging
// (ResolveVirtualServiceShortnames): a delegate's short gateway names live in
// the delegate's namespace, not the root's.
func resolveMatchGateways(spec *networkingv1.VirtualService, ns string) {
	for _, h := range spec.GetHttp() {
		for _, m := range h.GetMatch() {
			for i, g := range m.GetGateways() {
				m.Gateways[i] = gateway.Resolve(g, ns)
			}
		}
	}
}

// mergeHTTPRoute merges a delegate's route into the delegating root route as
// istiod's mergeHTTPRoute does: the match blocks are merged pairwise, and
// what the delegate route leaves unset (timeout, retries, fault, mirror,
// rewrite, headers, ...) it takes from the root. conflict is true when some
// match block of the delegate fits no block of the root, and istiod then
// drops the route.
func mergeHTTPRoute(root, delegate *networkingv1.HTTPRoute) (*networkingv1.HTTPRoute, []blockOrigin, bool) {
	out := proto.Clone(delegate).(*networkingv1.HTTPRoute)
	matches, blocks, conflict := mergeMatches(root.GetMatch(), delegate.GetMatch())
	if conflict {
		return nil, nil, true
	}
	out.Match = matches
	switch {
	case out.Name == "":
		out.Name = root.GetName()
	case root.GetName() != "":
		out.Name = root.GetName() + "-" + out.Name
	}
	if out.Rewrite == nil {
		out.Rewrite = root.GetRewrite()
	}
	if out.DirectResponse == nil {
		out.DirectResponse = root.GetDirectResponse()
	}
	if out.Timeout == nil {
		out.Timeout = root.GetTimeout()
	}
	if out.Retries == nil {
		out.Retries = root.GetRetries()
	}
	if out.Fault == nil {
		out.Fault = root.GetFault()
	}
	if out.Mirror == nil {
		out.Mirror = root.GetMirror()
	}
	if out.MirrorPercent == nil { //nolint:staticcheck // istiod still merges the deprecated field
		out.MirrorPercent = root.GetMirrorPercent() //nolint:staticcheck // as above
	}
	if out.MirrorPercentage == nil {
		out.MirrorPercentage = root.GetMirrorPercentage()
	}
	if out.CorsPolicy == nil {
		out.CorsPolicy = root.GetCorsPolicy()
	}
	if out.Mirrors == nil {
		out.Mirrors = root.GetMirrors()
	}
	if out.Headers == nil {
		out.Headers = root.GetHeaders()
	}
	return out, blocks, false
}

// mergeMatches follows istiod's mergeHTTPMatchRequests: without root blocks
// the delegate's stand, without delegate blocks the root's; otherwise every
// delegate block is merged with every root block it does not conflict with,
// and a delegate block that fits none makes the whole route a conflict.
func mergeMatches(root, delegate []*networkingv1.HTTPMatchRequest) ([]*networkingv1.HTTPMatchRequest, []blockOrigin, bool) {
	if len(root) == 0 {
		blocks := make([]blockOrigin, len(delegate))
		for i := range blocks {
			blocks[i] = blockOrigin{match: i, root: -1}
		}
		return delegate, blocks, false
	}
	if len(delegate) == 0 {
		out := make([]*networkingv1.HTTPMatchRequest, len(root))
		blocks := make([]blockOrigin, len(root))
		for i, r := range root {
			out[i] = proto.Clone(r).(*networkingv1.HTTPMatchRequest)
			blocks[i] = blockOrigin{match: -1, root: i}
		}
		return out, blocks, false
	}
	var out []*networkingv1.HTTPMatchRequest
	var blocks []blockOrigin
	for di, d := range delegate {
		found := false
		for ri, r := range root {
			if matchConflict(r, d) {
				continue
			}
			out = append(out, mergeMatch(r, d))
			blocks = append(blocks, blockOrigin{match: di, root: ri})
			found = true
		}
		if !found {
			return nil, nil, true
		}
	}
	return out, blocks, len(out) == 0
}

// mergeMatch follows istiod's mergeHTTPMatchRequest: the delegate's
// conditions, with the root's filling what the delegate leaves unset and the
// maps (headers, withoutHeaders, queryParams, sourceLabels) united, the
// delegate's entries winning.
func mergeMatch(root, delegate *networkingv1.HTTPMatchRequest) *networkingv1.HTTPMatchRequest {
	out := proto.Clone(delegate).(*networkingv1.HTTPMatchRequest)
	switch {
	case out.Name == "":
		out.Name = root.GetName()
	case root.GetName() != "":
		out.Name = root.GetName() + "-" + out.Name
	}
	if out.Uri == nil {
		out.Uri = root.GetUri()
	}
	if out.Scheme == nil {
		out.Scheme = root.GetScheme()
	}
	if out.Method == nil {
		out.Method = root.GetMethod()
	}
	if out.Authority == nil {
		out.Authority = root.GetAuthority()
	}
	out.Headers = unite(root.GetHeaders(), delegate.GetHeaders())
	out.WithoutHeaders = unite(root.GetWithoutHeaders(), delegate.GetWithoutHeaders())
	out.QueryParams = unite(root.GetQueryParams(), delegate.GetQueryParams())
	if out.Port == 0 {
		out.Port = root.GetPort()
	}
	out.SourceLabels = unite(root.GetSourceLabels(), delegate.GetSourceLabels())
	if out.SourceNamespace == "" {
		out.SourceNamespace = root.GetSourceNamespace()
	}
	if len(out.Gateways) == 0 {
		out.Gateways = root.GetGateways()
	}
	if out.StatPrefix == "" {
		out.StatPrefix = root.GetStatPrefix()
	}
	return out
}

// unite copies a and then b into one map, b's entries winning; nil when both
// are empty.
func unite[V any](a, b map[string]V) map[string]V {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make(map[string]V, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// matchConflict follows istiod's hasConflict: a delegate block conflicts with
// a root block when a condition both set cannot be narrowed from the root's
// to the delegate's (see stringMatchConflict), when they differ in
// ignoreUriCase, in port, in sourceNamespace or in a source label, or when
// the delegate names a gateway the root does not.
func matchConflict(root, leaf *networkingv1.HTTPMatchRequest) bool {
	pairs := [][2]*networkingv1.StringMatch{
		{root.GetUri(), leaf.GetUri()},
		{root.GetScheme(), leaf.GetScheme()},
		{root.GetMethod(), leaf.GetMethod()},
		{root.GetAuthority(), leaf.GetAuthority()},
	}
	for _, p := range pairs {
		if stringMatchConflict(p[0], p[1]) {
			return true
		}
	}
	for k, v := range leaf.GetHeaders() {
		if stringMatchConflict(root.GetHeaders()[k], v) {
			return true
		}
	}
	for k, v := range leaf.GetWithoutHeaders() {
		if stringMatchConflict(root.GetWithoutHeaders()[k], v) {
			return true
		}
	}
	for k, v := range leaf.GetQueryParams() {
		if stringMatchConflict(root.GetQueryParams()[k], v) {
			return true
		}
	}
	if root.GetIgnoreUriCase() != leaf.GetIgnoreUriCase() {
		return true
	}
	if root.GetPort() > 0 && leaf.GetPort() > 0 && root.GetPort() != leaf.GetPort() {
		return true
	}
	if root.GetSourceNamespace() != "" && leaf.GetSourceNamespace() != root.GetSourceNamespace() {
		return true
	}
	for k, v := range leaf.GetSourceLabels() {
		if rv, ok := root.GetSourceLabels()[k]; ok && rv != v {
			return true
		}
	}
	if len(root.GetGateways()) > 0 && len(leaf.GetGateways()) > 0 {
		if len(root.GetGateways()) < len(leaf.GetGateways()) {
			return true
		}
		for _, g := range leaf.GetGateways() {
			if !contains(root.GetGateways(), g) {
				return true
			}
		}
	}
	return false
}

// stringMatchConflict follows istiod's function of that name: no conflict
// when either side is unset; a regex on either side conflicts with any other
// match; an exact root admits only the same exact; a prefix root admits a
// prefix or exact that extends it. Anything else conflicts.
func stringMatchConflict(root, leaf *networkingv1.StringMatch) bool {
	if root == nil || leaf == nil {
		return false
	}
	if root.GetRegex() != "" && (leaf.GetRegex() != "" || leaf.GetPrefix() != "" || leaf.GetExact() != "") {
		return true
	}
	if leaf.GetRegex() != "" && (root.GetRegex() != "" || root.GetPrefix() != "" || root.GetExact() != "") {
		return true
	}
	if exact := root.GetExact(); exact != "" {
		return leaf.GetPrefix() != "" || leaf.GetExact() != exact
	}
	if prefix := root.GetPrefix(); prefix != "" {
		if p := leaf.GetPrefix(); p != "" {
			return !strings.HasPrefix(p, prefix)
		}
		if e := leaf.GetExact(); e != "" {
			return !strings.HasPrefix(e, prefix)
		}
	}
	return true
}

// fqdns resolves VirtualService hosts as istiod does before a gateway
// matches them (ResolveShortnameToFQDN): a name without a dot is a service of
// the VirtualService's namespace, name.namespace.svc.cluster.local; "*" and
// names with a dot stay as written.
func fqdns(hosts []string, ns string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		if h != "*" && !strings.Contains(h, ".") {
			h = h + "." + ns + ".svc." + clusterDomain
		}
		out[i] = strings.ToLower(h)
	}
	return out
}

// clusterDomain is Kubernetes' default cluster domain, which istiod appends
// to short host names.
const clusterDomain = "cluster.local"
