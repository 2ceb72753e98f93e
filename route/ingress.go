package route

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	networkingv1 "istio.io/api/networking/v1"
)

// GatewayObject is a Gateway with its name and namespace.
type GatewayObject struct {
	Name, Namespace string
	Spec            *networkingv1.Gateway
}

// Arrival tells how a gateway took a request: the server that accepted the
// connection and the virtual host that routed the request, or why the
// gateway does not route it at all.
type Arrival struct {
	// Gateway is namespace/name.
	Gateway string
	// Known is false when the Table holds no such Gateway: its servers are
	// then not checked, every host is taken on every port, and only the
	// VirtualServices bound to it decide.
	Known bool
	// Port is the port the request arrived on, 0 when unknown.
	Port uint32
	// Server is the index in spec.servers of the server that took the
	// connection, -1 when none did or the Gateway is not known; on a plain
	// HTTP port, the first of the servers that share it.
	Server int
	// ServerName is that server's port name, Protocol its protocol, and TLS
	// tells whether it terminates TLS (the request is then https).
	ServerName string
	Protocol   string
	TLS        bool
	// Host is the virtual host that took the request: a host of the
	// VirtualServices bound to the gateway, narrowed to the server's hosts
	// ("" when none did).
	Host string
	// VirtualServices are those that route Host, as namespace/name, in the
	// order Envoy tries their routes.
	VirtualServices []string
	// Refused says why the gateway does not route the request; "" when it
	// does.
	Refused string
}

// Ingress runs req through the gateway id (namespace/name) as istiod
// configures the gateway's Envoy, and returns what happens to it.
//
// The Gateway's servers decide (MergeGateways in pilot/pkg/model/gateway.go):
// the port must be one a server listens on; on a plain HTTP port all HTTP
// servers share one route table, while on a TLS port the server is picked by
// SNI, taken to be the request's host. req.Port 0 is the port of req.Scheme,
// 80 or 443. The route table holds a virtual host for every host in which a
// server's hosts and a bound VirtualService's hosts intersect, a
// "namespace/host" server host admitting VirtualServices of that namespace
// only (buildGatewayHTTPRouteConfig in pilot/pkg/networking/core/gateway.go).
// A VirtualService is bound when its gateways name the Gateway and its
// exportTo reaches the Gateway's namespace, taken to be the namespace of the
// gateway's pods. Envoy picks the virtual host by the request's authority
// without its port, exact names before wildcards; a server with
// tls.httpsRedirect answers plain HTTP with a redirect. The routes of several
// VirtualServices for one host are tried in order, each VirtualService's up
// to its first catch-all route, and the catch-all routes last
// (SortVHostRoutes). Delegating routes are followed.
//
// Without the Gateway in the Table its servers are not known (Arrival.Known
// is false) and the bound VirtualServices' hosts alone decide. Source labels
// default to the Gateway's selector: the labels its pods carry for sure.
func (t *Table) Ingress(id string, req Request) Result {
	gwNs, _, _ := strings.Cut(id, "/")
	spec := t.gateways[id]
	a := &Arrival{Gateway: id, Known: spec != nil, Server: -1}
	fail := func(reason string) Result {
		a.Refused = reason
		return Result{Index: -1, Match: -1, Reason: reason, Arrival: a}
	}
	req.Gateway = id
	host := requestHost(&req)
	if host == "" {
		return fail("the request names no host: give its authority")
	}
	servers := []*networkingv1.Server{{Hosts: []string{"*"}}}
	if spec != nil {
		if req.SourceLabels == nil && len(spec.GetSelector()) > 0 {
			req.SourceLabels = spec.GetSelector()
		}
		if req.Port == 0 {
			req.Port = 80
			if strings.EqualFold(req.Scheme, "https") {
				req.Port = 443
			}
		}
		sel := selectServers(id, spec, gwNs, req.Port, host)
		a.Port = req.Port
		if sel.refused != "" {
			return fail(sel.refused)
		}
		servers = sel.servers
		a.Server, a.ServerName, a.Protocol, a.TLS = sel.index, sel.name, sel.protocol, sel.tls
		if req.Scheme == "" && sel.tls {
			req.Scheme = "https"
		}
	}
	a.Port = req.Port
	rt := t.routeTable(id, gwNs, a.Server, req.Port, servers)
	vh := rt.find(host)
	if vh == nil {
		return fail(t.noVirtualHost(id, gwNs, spec, servers, rt.bound, host, req.Port))
	}
	a.Host = vh.name
	for _, i := range vh.vss {
		a.VirtualServices = append(a.VirtualServices, t.objs[i].ID())
	}
	if vh.requireTLS && !a.TLS {
		// Envoy answers a virtual host with require_tls ALL by redirecting
		// requests that did not come over TLS (VirtualHostImpl's SSL
		// redirect route): same authority and path, https, 301.
		uri := req.URI
		if uri == "" {
			uri = "/"
		}
		auth := req.Authority
		if auth == "" {
			auth = host
		}
		return Result{Index: -1, Match: -1, Action: ActionRedirect, Arrival: a,
			Redirect: &Redirect{Scheme: "https", Authority: auth, URI: uri, Code: 301},
			Reason:   "a server for " + vh.name + " on port " + strconv.FormatUint(uint64(a.Port), 10) + " has tls.httpsRedirect"}
	}
	if len(vh.vss) == 0 {
		return fail("no VirtualService bound to gateway " + id + " routes " + host)
	}
	p := prepare(&req, t.get(vh.vss[0]).router)
	var trace []Miss
	deferred, deferredAt := -1, 0
	var deferredScan scanned
	for k, i := range vh.vss {
		m := t.get(i)
		s := m.router.scan(&p)
		trace = append(trace, m.misses(s.trace)...)
		if s.route < 0 {
			continue
		}
		if s.catchAll {
			// Envoy tries a catch-all route after the other VirtualServices'
			// routes for the host.
			if deferred < 0 {
				deferred, deferredAt, deferredScan = k, len(trace), s
			}
			continue
		}
		if deferred >= 0 {
			dm := t.get(vh.vss[deferred])
			note := dm.result(deferredScan, nil)
			trace = slices.Insert(trace, deferredAt, Miss{Index: note.Index, Name: note.Name, VirtualService: note.VirtualService, Via: note.Via,
				Why: "a catch-all route, which the gateway tries after the routes of the other VirtualServices for " + vh.name})
		}
		res := m.result(s, trace)
		res.Arrival = a
		return res
	}
	if deferred >= 0 {
		res := t.get(vh.vss[deferred]).result(deferredScan, trace)
		res.Arrival = a
		return res
	}
	return Result{Index: -1, Match: -1, Trace: trace, Arrival: a,
		Reason: "no http route for " + vh.name + " matches: the gateway answers 404"}
}

// requestHost is the host the request is for, from its authority (or host
// header), in lower case and without a port, as Envoy matches virtual hosts
// (the route tables istiod builds for gateways ignore the port).
func requestHost(req *Request) string {
	h := req.Authority
	if h == "" {
		for k, v := range req.Headers {
			if strings.EqualFold(k, "host") || k == ":authority" {
				h = v
				break
			}
		}
	}
	h = strings.ToLower(h)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// serverSelection is the part of a Gateway that takes a request on a port.
type serverSelection struct {
	servers  []*networkingv1.Server // with hosts sanitized
	index    int
	name     string
	protocol string
	tls      bool
	refused  string
}

// isHTTPProtocol reports whether a server protocol carries plain HTTP
// (protocol.Instance.IsHTTP in pkg/config/protocol).
func isHTTPProtocol(p string) bool {
	switch strings.ToUpper(p) {
	case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB":
		return true
	}
	return false
}

func isPassthrough(s *networkingv1.Server) bool {
	m := s.GetTls().GetMode()
	return m == networkingv1.ServerTLSSettings_PASSTHROUGH || m == networkingv1.ServerTLSSettings_AUTO_PASSTHROUGH
}

// selectServers finds the servers of spec that take a connection on port
// for host, as MergeGateways merges them: the first server on a port decides
// whether it is plain text or TLS; plain HTTP servers on one port share a
// route table, and TLS servers are told apart by SNI, a server whose hosts
// repeat an earlier one's being dropped.
func selectServers(id string, spec *networkingv1.Gateway, gwNs string, port uint32, host string) serverSelection {
	type indexed struct {
		i int
		s *networkingv1.Server
	}
	var on []indexed
	for i, s := range spec.GetServers() {
		if s.GetPort() != nil && s.GetPort().GetNumber() == port {
			on = append(on, indexed{i, sanitizeServer(s, gwNs)})
		}
	}
	if len(on) == 0 {
		return serverSelection{refused: fmt.Sprintf("gateway %s serves %s, not port %d", id, describePorts(spec), port)}
	}
	first := on[0].s
	firstTLS := first.GetTls() != nil && !isHTTPProtocol(first.GetPort().GetProtocol())
	if !firstTLS {
		if !isHTTPProtocol(first.GetPort().GetProtocol()) {
			return serverSelection{refused: fmt.Sprintf("port %d of gateway %s is a %s server: its connections follow tcp routes, which meshroll does not simulate",
				port, id, protocolName(first))}
		}
		sel := serverSelection{index: on[0].i, name: first.GetPort().GetName(), protocol: protocolName(first)}
		// istiod drops the TLS and non-HTTP servers that follow a plain
		// HTTP server on its port; a plain HTTP server with tls settings
		// (httpsRedirect) stays plain.
		for _, x := range on {
			if isHTTPProtocol(x.s.GetPort().GetProtocol()) {
				sel.servers = append(sel.servers, x.s)
			}
		}
		if !serves(sel.servers, host) {
			sel.refused = fmt.Sprintf("gateway %s serves %s on port %d (%s), not %s", id, describeHosts(sel.servers), port, sel.protocol, host)
		}
		return sel
	}
	// TLS servers: Envoy picks the filter chain by SNI.
	var tlsServers []indexed
	known := map[string]bool{}
	for _, x := range on {
		if x.s.GetTls() == nil {
			continue
		}
		dup := false
		for _, h := range x.s.GetHosts() {
			dup = dup || known[h]
		}
		if dup {
			continue // istiod skips a TLS server whose hosts repeat an earlier one's
		}
		for _, h := range x.s.GetHosts() {
			known[h] = true
		}
		tlsServers = append(tlsServers, x)
	}
	best, bestRank := -1, -1
	for k, x := range tlsServers {
		if r := sniRank(x.s, host); r > bestRank {
			best, bestRank = k, r
		}
	}
	if best < 0 {
		all := make([]*networkingv1.Server, len(tlsServers))
		for k, x := range tlsServers {
			all[k] = x.s
		}
		return serverSelection{refused: fmt.Sprintf("gateway %s serves %s on port %d (%s), not %s: no server takes the TLS handshake for it",
			id, describeHosts(all), port, describeProtocols(all), host)}
	}
	x := tlsServers[best]
	sel := serverSelection{servers: []*networkingv1.Server{x.s}, index: x.i, name: x.s.GetPort().GetName(), protocol: protocolName(x.s), tls: true}
	if !strings.EqualFold(x.s.GetPort().GetProtocol(), "HTTPS") || isPassthrough(x.s) {
		what := "TLS passthrough"
		if !isPassthrough(x.s) {
			what = "TLS-terminating " + sel.protocol
		}
		sel.refused = fmt.Sprintf("server %s (port %d) of gateway %s is a %s server for %s: its connections follow tls or tcp routes, which meshroll does not simulate",
			serverLabel(x.i, x.s), port, id, what, host)
	}
	return sel
}

// sanitizeServer rewrites server hosts as istiod does on merging
// (sanitizeServerHostNamespace): "./host" is the Gateway's namespace,
// "*/host" any namespace, written as the bare host, and "*/*" makes the
// server take every host.
func sanitizeServer(s *networkingv1.Server, gwNs string) *networkingv1.Server {
	out := &networkingv1.Server{Port: s.GetPort(), Bind: s.GetBind(), Tls: s.GetTls(), Name: s.GetName()}
	for _, h := range s.GetHosts() {
		ns, name, ok := strings.Cut(h, "/")
		switch {
		case !ok:
		case ns == ".":
			h = gwNs + "/" + name
		case ns == "*" && name == "*":
			out.Hosts = []string{"*"}
			return out
		case ns == "*":
			h = name
		}
		out.Hosts = append(out.Hosts, h)
	}
	return out
}

// bareHost strips the namespace of a server host.
func bareHost(h string) string {
	if _, name, ok := strings.Cut(h, "/"); ok {
		return name
	}
	return h
}

// serves reports whether one of the servers' hosts covers host.
func serves(servers []*networkingv1.Server, host string) bool {
	for _, s := range servers {
		for _, h := range s.GetHosts() {
			if hostMatches(strings.ToLower(bareHost(h)), host) {
				return true
			}
		}
	}
	return false
}

// sniRank ranks how well a TLS server's hosts take the SNI name host, as
// Envoy picks filter chains: an exact name first, then the longest wildcard
// suffix, then a server for every host ("*"); -1 when none does.
func sniRank(s *networkingv1.Server, host string) int {
	best := -1
	for _, h := range s.GetHosts() {
		h = strings.ToLower(bareHost(h))
		switch {
		case h == host:
			return 1 << 20
		case h == "*":
			best = max(best, 0)
		case strings.HasPrefix(h, "*.") && len(host) > len(h)-1 && strings.HasSuffix(host, h[1:]):
			best = max(best, len(h))
		}
	}
	return best
}

func protocolName(s *networkingv1.Server) string {
	return strings.ToUpper(s.GetPort().GetProtocol())
}

func serverLabel(i int, s *networkingv1.Server) string {
	if n := s.GetPort().GetName(); n != "" {
		return n
	}
	return "servers[" + strconv.Itoa(i) + "]"
}

// describePorts lists a Gateway's ports: "ports 80 (HTTP) and 443 (HTTPS)".
func describePorts(spec *networkingv1.Gateway) string {
	var ports []*networkingv1.Server
	seen := map[uint32]bool{}
	for _, s := range spec.GetServers() {
		if n := s.GetPort().GetNumber(); s.GetPort() != nil && !seen[n] {
			seen[n] = true
			ports = append(ports, s)
		}
	}
	slices.SortStableFunc(ports, func(a, b *networkingv1.Server) int {
		return int(a.GetPort().GetNumber()) - int(b.GetPort().GetNumber())
	})
	var parts []string
	for _, s := range ports {
		parts = append(parts, fmt.Sprintf("%d (%s)", s.GetPort().GetNumber(), protocolName(s)))
	}
	switch len(parts) {
	case 0:
		return "no port"
	case 1:
		return "port " + parts[0]
	}
	return "ports " + orJoin(parts, "and")
}

// describeProtocols lists the protocols of servers, each once.
func describeProtocols(servers []*networkingv1.Server) string {
	var ps []string
	for _, s := range servers {
		if p := protocolName(s); !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	return strings.Join(ps, ", ")
}

// describeHosts lists the hosts of servers as written, each once.
func describeHosts(servers []*networkingv1.Server) string {
	var hosts []string
	for _, s := range servers {
		for _, h := range s.GetHosts() {
			if !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	if len(hosts) == 0 {
		return "no host"
	}
	return orJoin(hosts, "and")
}

func orJoin(items []string, word string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + word + " " + items[len(items)-1]
}

// bound lists the VirtualServices bound to gateway id that its pods, taken
// to run in the Gateway's namespace gwNs, see: those with hosts (delegates
// are reached only through a root) whose gateways name it and whose exportTo
// reaches gwNs, in the order of VirtualServicesForGateway in
// pilot/pkg/model/push_context.go: exported to gwNs alone first (its own
// namespace, then others), then those exported everywhere.
func (t *Table) bound(id, gwNs string) []int {
	var own, exported, public []int
	for i, o := range t.objs {
		if len(o.Spec.GetHosts()) == 0 || !contains(resolveGateways(o.Spec.GetGateways(), o.Namespace, true), id) {
			continue
		}
		ex := o.Spec.GetExportTo()
		switch {
		case len(ex) == 0 || slices.Contains(ex, "*"):
			public = append(public, i)
		case slices.Contains(ex, "~"):
		case o.Namespace == gwNs && (slices.Contains(ex, ".") || slices.Contains(ex, gwNs)):
			own = append(own, i)
		case slices.Contains(ex, gwNs):
			exported = append(exported, i)
		}
	}
	return append(append(own, exported...), public...)
}

// virtualHost is one virtual host of a gateway's route table.
type virtualHost struct {
	name       string
	vss        []int // indices into Table.objs, in the order their routes are tried
	requireTLS bool
}

// virtualHosts builds the route table of servers from the bound
// VirtualServices, as buildGatewayHTTPRouteConfig does.
func (t *Table) virtualHosts(servers []*networkingv1.Server, bound []int) []*virtualHost {
	var out []*virtualHost
	byName := map[string]*virtualHost{}
	add := func(name string) *virtualHost {
		v := byName[name]
		if v == nil {
			v = &virtualHost{name: name}
			byName[name] = v
			out = append(out, v)
		}
		return v
	}
	for _, s := range servers {
		redirect := s.GetTls().GetHttpsRedirect()
		for _, i := range bound {
			m := t.get(i)
			for _, h := range intersectHosts(hostsForNamespace(s.GetHosts(), m.obj.Namespace), m.hosts) {
				v := add(strings.ToLower(h))
				if !slices.Contains(v.vss, i) {
					v.vss = append(v.vss, i)
				}
				v.requireTLS = v.requireTLS || redirect
			}
		}
		if redirect {
			// istiod also adds a redirecting virtual host for each server
			// host as written; a "namespace/host" one never matches a
			// request, so only the hosts of VirtualServices redirect there.
			for _, h := range s.GetHosts() {
				add(strings.ToLower(h)).requireTLS = true
			}
		}
	}
	return out
}

// hostsForNamespace is host.NamesForNamespace: the server hosts a
// VirtualService of namespace ns may bind, without their namespace.
func hostsForNamespace(hosts []string, ns string) []string {
	var out []string
	for _, h := range hosts {
		if hns, name, ok := strings.Cut(h, "/"); ok {
			if hns != ns && hns != "*" {
				continue
			}
			h = name
		}
		out = append(out, h)
	}
	return out
}

// intersectHosts is host.Names.Intersection: for each pair of hosts of which
// one covers the other, the narrower one, each once.
func intersectHosts(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			var h string
			switch {
			case hostSubsetOf(x, y):
				h = x
			case hostSubsetOf(y, x):
				h = y
			default:
				continue
			}
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

// hostSubsetOf is host.Name.SubsetOf: every name n covers is covered by o.
func hostSubsetOf(n, o string) bool {
	nw, ow := strings.HasPrefix(n, "*"), strings.HasPrefix(o, "*")
	switch {
	case nw && ow:
		return len(n) >= len(o) && strings.HasSuffix(n[1:], o[1:])
	case nw:
		return false
	case ow:
		return strings.HasSuffix(n, o[1:])
	}
	return n == o
}

// hostMatches is host.Name.Matches: n and o overlap.
func hostMatches(n, o string) bool {
	return hostSubsetOf(n, o) || hostSubsetOf(o, n)
}

// routeTable is the route table of a gateway's servers on one port (all
// plain HTTP servers, or the one TLS server SNI picked): the bound
// VirtualServices and the virtual hosts, exact names indexed.
type routeTable struct {
	bound     []int
	exact     map[string]*virtualHost
	wildcards []*virtualHost // "*" and "*.suffix" names
}

// routeTable builds, or returns the cached, route table of the servers
// that server (an index, -1 for an unknown Gateway) on port stands for.
func (t *Table) routeTable(id, gwNs string, server int, port uint32, servers []*networkingv1.Server) *routeTable {
	k := id + "#" + strconv.Itoa(server) + "#" + strconv.FormatUint(uint64(port), 10)
	t.mu.Lock()
	rt := t.routes[k]
	t.mu.Unlock()
	if rt != nil {
		return rt
	}
	rt = &routeTable{bound: t.bound(id, gwNs), exact: map[string]*virtualHost{}}
	for _, v := range t.virtualHosts(servers, rt.bound) {
		switch {
		case strings.Contains(v.name, "/"):
			// A "namespace/host" redirect host never matches a request.
		case strings.HasPrefix(v.name, "*"):
			rt.wildcards = append(rt.wildcards, v)
		default:
			rt.exact[v.name] = v
		}
	}
	t.mu.Lock()
	if t.routes == nil {
		t.routes = map[string]*routeTable{}
	}
	t.routes[k] = rt
	t.mu.Unlock()
	return rt
}

// find picks the virtual host for host as Envoy does
// (RouteMatcher::findVirtualHost): an exact domain, then the longest suffix
// wildcard ("*.example.com", which needs at least one character before the
// suffix), then "*".
func (rt *routeTable) find(host string) *virtualHost {
	if v := rt.exact[host]; v != nil {
		return v
	}
	var best, any *virtualHost
	for _, v := range rt.wildcards {
		switch {
		case v.name == "*":
			any = v
		case len(host) > len(v.name)-1 && strings.HasSuffix(host, v.name[1:]):
			if best == nil || len(v.name) > len(best.name) {
				best = v
			}
		}
	}
	if best != nil {
		return best
	}
	return any
}

// noVirtualHost says why no virtual host takes host: the servers do not
// serve it, or no bound VirtualService routes it, naming those that route it
// but are not bound, or bound but not admitted.
func (t *Table) noVirtualHost(id, gwNs string, spec *networkingv1.Gateway, servers []*networkingv1.Server, bound []int, host string, port uint32) string {
	var why []string
	for i, o := range t.objs {
		m := t.get(i)
		if len(o.Spec.GetHosts()) == 0 || !slices.ContainsFunc(m.hosts, func(h string) bool { return hostMatches(h, host) }) {
			continue
		}
		switch {
		case !slices.Contains(bound, i):
			gws := resolveGateways(o.Spec.GetGateways(), o.Namespace, true)
			if contains(gws, id) {
				why = append(why, fmt.Sprintf("VirtualService %s routes it but is not exported to namespace %s", o.ID(), gwNs))
			} else {
				why = append(why, fmt.Sprintf("VirtualService %s routes it but is bound to [%s]", o.ID(), strings.Join(gws, ", ")))
			}
		case spec != nil:
			why = append(why, fmt.Sprintf("VirtualService %s routes it, but the server hosts %s admit no host of namespace %s that covers it",
				o.ID(), describeHosts(servers), o.Namespace))
		}
	}
	on := ""
	if port != 0 && spec != nil {
		on = " on port " + strconv.FormatUint(uint64(port), 10)
	}
	msg := "no VirtualService bound to gateway " + id + " routes " + host + on + ": the gateway answers 404"
	if len(why) > 0 {
		msg += "; " + strings.Join(why, "; ")
	}
	return msg
}
