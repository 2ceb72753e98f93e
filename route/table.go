package route

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	networkingv1 "istio.io/api/networking/v1"
)

// Table is a set of VirtualServices and Gateways, for requests whose route
// depends on more than one object: a route that delegates to another
// VirtualService, and a gateway, where every VirtualService bound to it for
// a host takes part. A Table is safe for concurrent use.
type Table struct {
	// objs are the VirtualServices in the order istiod lists them: by
	// creation time, then name, then namespace (configCompareByCreationTime
	// in pilot/pkg/model/config.go). Manifests carry no creation time, so
	// the order is by name, then namespace.
	objs     []VirtualServiceObject
	byID     map[string]int
	gateways map[string]*networkingv1.Gateway

	mu     sync.Mutex
	merged []*merged // by index in objs, built on first use
	// routes caches the route tables of gateways, by gateway, server and
	// port.
	routes map[string]*routeTable
}

// NewTable indexes VirtualServices and Gateways. Objects without a namespace
// are in "default"; of two objects with one namespace/name, the first wins.
func NewTable(vss []VirtualServiceObject, gateways []GatewayObject) *Table {
	t := &Table{byID: map[string]int{}, gateways: map[string]*networkingv1.Gateway{}}
	for _, o := range vss {
		if o.Namespace == "" {
			o.Namespace = "default"
		}
		if o.Spec == nil {
			o.Spec = &networkingv1.VirtualService{}
		}
		if _, dup := t.byID[o.ID()]; dup {
			continue
		}
		t.byID[o.ID()] = len(t.objs)
		t.objs = append(t.objs, o)
	}
	slices.SortStableFunc(t.objs, func(a, b VirtualServiceObject) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	for i, o := range t.objs {
		t.byID[o.ID()] = i
	}
	t.merged = make([]*merged, len(t.objs))
	for _, g := range gateways {
		if g.Namespace == "" {
			g.Namespace = "default"
		}
		id := g.Namespace + "/" + g.Name
		if _, dup := t.gateways[id]; !dup && g.Spec != nil {
			t.gateways[id] = g.Spec
		}
	}
	return t
}

// Gateway returns the spec of the Gateway namespace/name, or nil.
func (t *Table) Gateway(id string) *networkingv1.Gateway { return t.gateways[id] }

// get returns the VirtualService at index i with its delegates merged.
func (t *Table) get(i int) *merged {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m := t.merged[i]; m != nil {
		return m
	}
	m := mergeDelegates(t.objs[i], func(id string) (VirtualServiceObject, bool) {
		j, ok := t.byID[id]
		if !ok {
			return VirtualServiceObject{}, false
		}
		return t.objs[j], true
	})
	t.merged[i] = m
	return m
}

// Evaluate runs req through the VirtualService id (namespace/name) as a
// sidecar does, following its delegating routes into their delegates. The
// Result names the VirtualService that holds the matching route, and for a
// delegate's route the delegating route it was reached through (Via); route
// indices and data paths are those of the manifest the route is written in.
// Routes istiod drops (a delegate that is missing or conflicts) are listed in
// Warnings. An id that is not in the table matches nothing.
func (t *Table) Evaluate(id string, req Request) Result {
	i, ok := t.byID[id]
	if !ok {
		return Result{Index: -1, Match: -1, Reason: "there is no VirtualService " + id}
	}
	m := t.get(i)
	p := prepare(&req, m.router)
	if why := m.router.refuses(p.gateway); why != "" {
		return Result{Index: -1, Match: -1, VirtualService: id, Reason: why, Warnings: m.notes}
	}
	s := m.router.scan(&p)
	trace := m.misses(s.trace)
	if s.route < 0 {
		return Result{Index: -1, Match: -1, VirtualService: id, Trace: trace, Reason: m.router.noRoute(), Warnings: m.notes}
	}
	return m.result(s, trace)
}

// scanned is the outcome of trying the routes of one VirtualService in
// order: the first match block that matched, and the routes tried before it.
type scanned struct {
	route, match int // route is -1 when nothing matched; match -1 for a route without blocks
	// catchAll is true when what matched is, for Envoy, a catch-all route:
	// istiod generates no routes of the VirtualService after it, and a
	// gateway tries it only after the other VirtualServices' routes for the
	// host (see compiledMatch.catchAll).
	catchAll bool
	trace    []Miss // indices of the Router's spec
}

// scan tries r's routes for p in order, as Envoy tries the routes istiod
// generates for one VirtualService (BuildHTTPRoutesForVirtualService in
// pilot/pkg/networking/core/route/route.go), and stops at the first match
// block that matches. Match blocks that Compile did not compile (one-shot
// Evaluate, or routes added after Compile) are compiled as they are
// reached.
func (r *Router) scan(p *prepared) scanned {
	var trace []Miss
	routes := r.vs.GetHttp()
	for ri, h := range routes {
		if h == nil {
			continue
		}
		blocks := h.GetMatch()
		if len(blocks) == 0 {
			return scanned{route: ri, match: -1, catchAll: true, trace: trace}
		}
		var whys []string
		for mi, m := range blocks {
			var cm *compiledMatch
			if ri < len(r.matches) && mi < len(r.matches[ri]) {
				cm = &r.matches[ri][mi]
			} else {
				c := compileMatch(m, r.namespace)
				cm = &c
			}
			ok, why := cm.check(p)
			if ok {
				return scanned{route: ri, match: mi, catchAll: cm.catchAll(), trace: trace}
			}
			whys = append(whys, why)
		}
		if trace == nil {
			trace = make([]Miss, 0, len(routes))
		}
		trace = append(trace, miss(ri, h, whys))
	}
	return scanned{route: -1, match: -1, trace: trace}
}

// catchAll reports whether the Envoy route istiod translates the block into
// is a catch-all (IsCatchAllRoute in pilot/pkg/networking/core/route/
// route.go): a path prefix "/" or regex ".*" and no header or query
// parameter matchers. Method, scheme and authority become header matchers;
// source labels, source namespace, gateways and port decide whether the route
// is generated at all, so they do not count. check must have passed.
func (c *compiledMatch) catchAll() bool {
	switch c.uri.kind {
	case kindNone:
	case kindPrefix:
		if c.uri.value != "/" {
			return false
		}
	case kindRegex:
		if c.uri.value != ".*" {
			return false
		}
	default:
		return false
	}
	return c.scheme.kind == kindNone && c.method.kind == kindNone && c.authority.kind == kindNone &&
		len(c.headers) == 0 && len(c.without) == 0 && len(c.query) == 0
}

// result describes the route s found, in the terms of the manifest it is
// written in.
func (m *merged) result(s scanned, trace []Miss) Result {
	h := m.router.vs.GetHttp()[s.route]
	res := m.router.outcome(s.route, h, s.match, nil)
	res.Trace = trace
	o := m.origins[s.route]
	res.VirtualService = o.vs
	res.Index, res.Name = o.index, o.name
	if s.match >= 0 {
		b := o.blocks[s.match]
		res.Match = b.match
		if o.via != nil {
			via := *o.via
			via.Match = b.root
			res.Via = &via
		}
	} else if o.via != nil {
		via := *o.via
		res.Via = &via
	}
	res.Path = httpPath(res.Index, res.Match)
	if len(m.notes) > 0 {
		res.Warnings = append(slices.Clip(res.Warnings), m.notes...)
	}
	return res
}

// misses turns the trace of the merged spec into the terms of the manifests
// the routes are written in.
func (m *merged) misses(trace []Miss) []Miss {
	for i := range trace {
		t := &trace[i]
		o := m.origins[t.Index]
		t.Index, t.Name, t.VirtualService = o.index, o.name, o.vs
		if o.via != nil {
			via := *o.via
			t.Via = &via
		}
		if len(t.Blocks) > 1 {
			t.Why = blockWhys(t.Blocks, o.blocks)
		}
	}
	return trace
}

// blockWhys joins the reasons of several match blocks, each labelled with
// the block of the route as written (its place, when blocks is nil), and of
// the root route when a delegate's block was merged with one of several.
func blockWhys(whys []string, blocks []blockOrigin) string {
	var b strings.Builder
	for i, why := range whys {
		if i > 0 {
			b.WriteString("; ")
		}
		bo := blockOrigin{match: i, root: -1}
		if i < len(blocks) {
			bo = blocks[i]
		}
		switch {
		case bo.match >= 0 && bo.root >= 0:
			b.WriteString("match[" + strconv.Itoa(bo.match) + "] with the root's match[" + strconv.Itoa(bo.root) + "]: ")
		case bo.match >= 0:
			b.WriteString("match[" + strconv.Itoa(bo.match) + "]: ")
		default:
			b.WriteString("the root's match[" + strconv.Itoa(bo.root) + "]: ")
		}
		b.WriteString(why)
	}
	return b.String()
}
