package diff

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/route"
)

// Rollout summarises what a change does to one rollout's traffic. A
// rollout is named by the meshroll.dev/rollout annotation of its
// VirtualService, or else by the VirtualService's name; its resources are
// the VirtualService and the DestinationRules annotated with the same
// rollout, or, for hand-written ones, for a host it routes to.
type Rollout struct {
	Name      string
	Namespace string
	// Status is added or removed when the VirtualService is, and changed
	// otherwise.
	Status Status
	// File holds the VirtualService (in the new tree unless removed).
	File string
	// Ambiguous is set when another rollout has the same namespace and
	// name (the phase directories of an --all-phases tree), so that File
	// tells them apart.
	Ambiguous bool
	// Phase is the meshroll.dev/phase annotation.
	Phase Transition
	// Stable and Canary are the shares of the weighted route: its first
	// destination is stable, the others are canary. The weighted route is
	// the http route named "weighted", or else the last route without a
	// match. Nil when there is none.
	Stable, Canary WeightTransition
	// Routes are the A/B routes — every other route of the weighted
	// route's list — added, removed, changed or moved, by name.
	Routes []RouteChange
	// Mirror and Fault describe the mirrors and faults of the http routes.
	Mirror, Fault Transition
	// MTLS is the mode of the namespace's PeerAuthentication.
	MTLS Transition
	// Other is set when the rollout's resources changed in ways the fields
	// above do not tell: timeouts, retries, subsets, traffic policy.
	Other bool
	// Resources are the rollout's resources that changed.
	Resources []*Resource
	// Reach is who reaches what before and after: one row per A/B route
	// and one for everyone else. A route that one side lacks shows that
	// side's weighted split, marked with " *".
	Reach []Reach
}

// ID returns namespace/name, or the name alone when the VirtualService
// names no namespace.
func (r *Rollout) ID() string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// Label is the ID, with the file when the ID alone is ambiguous.
func (r *Rollout) Label() string {
	if r.Ambiguous {
		return r.ID() + " (" + r.File + ")"
	}
	return r.ID()
}

// Transition is a value before and after; "" is none.
type Transition struct{ Before, After string }

// Changed reports whether the value changed.
func (t Transition) Changed() bool { return t.Before != t.After }

// WeightTransition is a share of traffic in percent before and after; nil
// when there is no weighted route on that side.
type WeightTransition struct{ Before, After *float64 }

// Changed reports whether the share changed.
func (t WeightTransition) Changed() bool {
	if t.Before == nil || t.After == nil {
		return (t.Before == nil) != (t.After == nil)
	}
	return *t.Before != *t.After
}

// RouteChange is an A/B route added, removed, changed or moved. Unnamed
// routes are named by their place, http[3].
type RouteChange struct {
	Name   string
	Status Status
}

// MTLSChange is a namespace whose mTLS mode changed; "" is no
// namespace-wide PeerAuthentication.
type MTLSChange struct {
	Namespace     string
	Before, After string
}

// vsInfo is what the summary reads from one side's VirtualService.
type vsInfo struct {
	rollout, namespace, phase string
	// list is the route list (http, tcp or tls) of the weighted route,
	// and weighted its index, -1 when there is none.
	list     string
	weighted int
	// routes are the A/B routes by key, with their index.
	routes    map[string]int
	routeKeys []string // in order
	items     []*value
	vs        *networkingv1.VirtualService // decoded once, by package manifest
	hosts     map[string]bool
	// What the routing engine reads in the routes, set by evaluate: the
	// weighted route's shares, the mirrors and faults of the http routes,
	// and the http routes compiled.
	stable, canary *float64
	mirror, fault  string
	router         *route.Router
	evaluated      bool
}

func readVS(d *doc) *vsInfo {
	if d == nil {
		return nil
	}
	v := d.v
	info := &vsInfo{
		rollout:   v.at("metadata", "annotations", meta.AnnotationRollout).str(),
		namespace: d.namespace,
		phase:     v.at("metadata", "annotations", meta.AnnotationPhase).str(),
		weighted:  -1,
		routes:    map[string]int{},
		hosts:     map[string]bool{},
	}
	if info.rollout == "" {
		info.rollout = d.name
	}
	spec := v.get("spec")
	// The spec as every command reads it (package manifest): a value Istio
	// refuses, such as a weight of 10.5, is left out, and MR900 reports it.
	if info.vs = d.res.VirtualService(); info.vs == nil {
		info.vs = &networkingv1.VirtualService{}
	}
	// The routes as every command reads them (manifest.Routes): the
	// weighted one, the A/B routes by name, and the hosts they send to.
	routes := manifest.Routes(d.res)
	for _, list := range []string{"http", "tcp", "tls"} {
		if i := weightedRoute(info.vs, routes, list); i >= 0 {
			info.list, info.weighted = list, i
			break
		}
	}
	if info.list == "" {
		info.list = "http"
	}
	if items := spec.get(info.list); items != nil && items.kind == listKind {
		info.items = items.vals // compared field by field in routeChanges
	}
	for _, rt := range routes {
		for _, d := range rt.AllDestinations() {
			info.hosts[shortHost(d.Destination.GetHost(), info.namespace)] = true
		}
		if rt.Protocol != info.list || rt.Index == info.weighted || rt.Index >= len(info.items) {
			continue
		}
		key := rt.Name
		if key == "" {
			key = rt.Protocol + "[" + strconv.Itoa(rt.Index) + "]"
		}
		if _, dup := info.routes[key]; !dup {
			info.routes[key] = rt.Index
			info.routeKeys = append(info.routeKeys, key)
		}
	}
	return info
}

// weightedRoute returns the index of the weighted route of a VirtualService's
// list (http, tcp or tls): the http route named "weighted", or else the last
// route without a match; -1 when there is none.
func weightedRoute(vs *networkingv1.VirtualService, routes []manifest.Route, list string) int {
	last := -1
	for _, rt := range routes {
		if rt.Protocol != list {
			continue
		}
		if rt.HTTP != nil && rt.Name == meta.RouteWeighted {
			return rt.Index
		}
		if !matches(vs, rt) {
			last = rt.Index
		}
	}
	return last
}

// matches reports whether a route has match conditions.
func matches(vs *networkingv1.VirtualService, rt manifest.Route) bool {
	switch rt.Protocol {
	case "http":
		return len(rt.HTTP.GetMatch()) > 0
	case "tcp":
		return len(vs.GetTcp()[rt.Index].GetMatch()) > 0
	}
	return len(vs.GetTls()[rt.Index].GetMatch()) > 0
}

// evaluate runs the routes through the routing engine, for a rollout
// whose summary is shown: the shares of the weighted route (route.Shares for
// tcp and tls, which the engine does not simulate), the mirrors and faults
// Istio applies, and the router that tells who reaches what.
func (info *vsInfo) evaluate() {
	if info == nil || info.evaluated {
		return
	}
	info.evaluated = true
	vs := info.vs
	info.router = route.Compile(vs, info.namespace)
	var mirrors, faults []string
	for i := range vs.GetHttp() {
		res := info.router.Route(i)
		if m := res.Mirror; m != nil {
			mirrors = append(mirrors, mirrorText(*m))
		}
		for _, m := range res.Mirrors {
			mirrors = append(mirrors, mirrorText(m))
		}
		if f := res.Fault; f != nil {
			faults = append(faults, faultText(f))
		}
	}
	info.mirror, info.fault = joinUnique(mirrors), joinUnique(faults)
	var shares []float64
	switch w := info.weighted; {
	case w < 0:
	case info.list == "http":
		for _, d := range info.router.Route(w).Destinations {
			shares = append(shares, d.Weight)
		}
	case info.list == "tcp" && w < len(vs.GetTcp()):
		shares = route.Shares(weights(vs.GetTcp()[w].GetRoute()))
	case info.list == "tls" && w < len(vs.GetTls()):
		shares = route.Shares(weights(vs.GetTls()[w].GetRoute()))
	}
	info.stable, info.canary = split(shares)
}

func round(x float64) float64 { return math.Round(x*10) / 10 }

func joinUnique(s []string) string {
	slices.Sort(s)
	return strings.Join(slices.Compact(s), ", ")
}

// shortHost reduces a host in namespace ns to its short name when it is a
// service of that namespace, so that "reviews" and
// "reviews.bookinfo.svc.cluster.local" match.
func shortHost(host, ns string) string {
	for _, suffix := range []string{".svc.cluster.local", ".svc"} {
		if h, ok := strings.CutSuffix(host, suffix); ok {
			host = h
			break
		}
	}
	if h, ok := strings.CutSuffix(host, "."+ns); ok && ns != "" {
		return h
	}
	return host
}

// summarise builds the rollout summaries and mTLS changes of res from
// every pair of objects, changed or not.
func summarise(res *Result, pairs []pair) {
	byPair := map[*doc]*Resource{}
	for _, r := range res.Resources {
		if r.new != nil {
			byPair[r.new] = r
		} else {
			byPair[r.old] = r
		}
	}
	resourceOf := func(p pair) *Resource {
		if p.new != nil {
			return byPair[p.new]
		}
		return byPair[p.old]
	}
	type candidate struct {
		ro       *Rollout
		old, new *vsInfo
		dir      string
	}
	var cands []*candidate
	byName := map[string][]*candidate{}
	for _, p := range pairs {
		d := p.new
		if d == nil {
			d = p.old
		}
		if d.kind != "VirtualService" {
			continue
		}
		c := &candidate{old: readVS(p.old), new: readVS(p.new), dir: dir(d.file)}
		info := c.new
		if info == nil {
			info = c.old
		}
		c.ro = &Rollout{Name: info.rollout, Namespace: info.namespace, File: d.file, Status: StatusChanged}
		switch {
		case p.old == nil:
			c.ro.Status = StatusAdded
		case p.new == nil:
			c.ro.Status = StatusRemoved
		}
		if r := resourceOf(p); r != nil {
			r.rollout = c.ro
			c.ro.Resources = append(c.ro.Resources, r)
		}
		cands = append(cands, c)
		id := c.ro.ID()
		byName[id] = append(byName[id], c)
	}
	// DestinationRules join the rollout they are annotated with, or one
	// whose VirtualService routes to their host.
	for _, r := range res.Resources {
		if r.Kind != "DestinationRule" {
			continue
		}
		d := r.new
		if d == nil {
			d = r.old
		}
		var found []*candidate
		if name := d.v.at("metadata", "annotations", meta.AnnotationRollout).str(); name != "" {
			found = byName[(&Rollout{Namespace: d.namespace, Name: name}).ID()]
		} else {
			host := shortHost(d.v.at("spec", "host").str(), d.namespace)
			for _, c := range cands {
				if c.ro.Namespace != d.namespace {
					continue
				}
				if c.new != nil && c.new.hosts[host] || c.old != nil && c.old.hosts[host] {
					found = append(found, c)
				}
			}
		}
		if len(found) == 0 {
			continue
		}
		pick := found[0]
		for _, c := range found {
			if c.dir == dir(d.file) {
				pick = c
				break
			}
		}
		r.rollout = pick.ro
		pick.ro.Resources = append(pick.ro.Resources, r)
	}

	oldMTLS, newMTLS := mtlsModes(pairs, func(p pair) *doc { return p.old }), mtlsModes(pairs, func(p pair) *doc { return p.new })
	for _, ns := range sortedKeys(union(oldMTLS, newMTLS)) {
		if oldMTLS[ns] != newMTLS[ns] {
			res.MTLS = append(res.MTLS, MTLSChange{Namespace: ns, Before: oldMTLS[ns], After: newMTLS[ns]})
		}
	}

	for _, c := range cands {
		ro := c.ro
		if len(ro.Resources) == 0 {
			continue
		}
		ro.Ambiguous = len(byName[ro.ID()]) > 1
		ro.MTLS = Transition{oldMTLS[ro.Namespace], newMTLS[ro.Namespace]}
		if ro.Status == StatusAdded {
			ro.MTLS.Before = ""
		}
		if ro.Status == StatusRemoved {
			ro.MTLS.After = ""
		}
		fill(ro, c.old, c.new)
		res.Rollouts = append(res.Rollouts, ro)
	}
	slices.SortFunc(res.Rollouts, compareRollouts)
}

func compareRollouts(a, b *Rollout) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.File, b.File))
}

func union(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// mtlsModes returns the mode of each namespace's namespace-wide
// PeerAuthentication (one without a selector; "default" when there are
// several) on one side: UNSET when it names no mode.
func mtlsModes(pairs []pair, side func(pair) *doc) map[string]string {
	modes := map[string]string{}
	for _, p := range pairs {
		d := side(p)
		if d == nil || d.kind != "PeerAuthentication" || d.v.at("spec", "selector") != nil {
			continue
		}
		if _, seen := modes[d.namespace]; seen && d.name != "default" {
			continue
		}
		mode := d.v.at("spec", "mtls", "mode").str()
		if mode == "" {
			mode = "UNSET"
		}
		modes[d.namespace] = mode
	}
	return modes
}

// fill sets the traffic fields of ro from the two sides' VirtualServices.
func fill(ro *Rollout, old, new *vsInfo) {
	old.evaluate()
	new.evaluate()
	if old != nil && new != nil {
		ro.Reach = reachRows(old, new)
	}
	if old != nil {
		ro.Phase.Before, ro.Mirror.Before, ro.Fault.Before = old.phase, old.mirror, old.fault
		ro.Stable.Before, ro.Canary.Before = old.stable, old.canary
	}
	if new != nil {
		ro.Phase.After, ro.Mirror.After, ro.Fault.After = new.phase, new.mirror, new.fault
		ro.Stable.After, ro.Canary.After = new.stable, new.canary
	}
	// Mirrors and faults go on every route: when the rollout's changed,
	// that is told once, not as a change of each A/B route.
	ignore := map[string]bool{}
	if ro.Mirror.Changed() {
		for _, k := range mirrorKeys {
			ignore[k] = true
		}
	}
	if ro.Fault.Changed() {
		ignore["fault"] = true
	}
	if old != nil && new != nil {
		ro.Routes = routeChanges(old, new, ignore)
	}
	for _, r := range ro.Resources {
		if r.Kind != "VirtualService" {
			if r.Status != StatusChanged || slices.ContainsFunc(r.Changes, func(c Change) bool { return len(c.path) == 0 || c.path[0].key != "metadata" }) {
				ro.Other = true
			}
			continue
		}
		if r.Status != StatusChanged {
			continue
		}
		for _, c := range r.Changes {
			if !explained(ro, old, new, c) {
				ro.Other = true
			}
		}
	}
}

// routeChanges lists the A/B routes added, removed, changed or moved.
func routeChanges(old, new *vsInfo, ignore map[string]bool) []RouteChange {
	var out []RouteChange
	var order []int // old indexes of the kept routes, in new order
	for _, k := range new.routeKeys {
		j := new.routes[k]
		i, ok := old.routes[k]
		if !ok {
			out = append(out, RouteChange{k, StatusAdded})
			continue
		}
		order = append(order, i)
		if !equal(without(old.items[i], ignore), without(new.items[j], ignore)) {
			out = append(out, RouteChange{k, StatusChanged})
		}
	}
	stays := inOrder(order)
	n := 0
	for _, k := range new.routeKeys {
		if _, ok := old.routes[k]; !ok {
			continue
		}
		if !stays[n] {
			out = append(out, RouteChange{k, StatusMoved})
		}
		n++
	}
	for _, k := range old.routeKeys {
		if _, ok := new.routes[k]; !ok {
			out = append(out, RouteChange{k, StatusRemoved})
		}
	}
	return out
}

// mirrorKeys are the fields of an http route that mirror its traffic.
var mirrorKeys = []string{"mirror", "mirrorPercentage", "mirrorPercent", "mirrors"}

// without returns map v without the keys in ignore.
func without(v *value, ignore map[string]bool) *value {
	if v == nil || v.kind != mapKind || len(ignore) == 0 {
		return v
	}
	out := &value{kind: mapKind, line: v.line}
	for i, k := range v.keys {
		if !ignore[k] {
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v.vals[i])
		}
	}
	return out
}

// explained reports whether a change of a rollout's VirtualService is told
// by its summary: annotations, A/B routes, the weights of the weighted
// route, and its mirror and fault when those changed.
func explained(ro *Rollout, old, new *vsInfo, c Change) bool {
	p := c.path
	if len(p) > 0 && p[0].key == "metadata" {
		return true
	}
	info := new
	if c.Op == Removed {
		info = old
	}
	if info == nil || len(p) < 3 || p[0].key != "spec" || p[1].key != info.list || p[2].index < 0 {
		return false
	}
	if len(p) >= 4 {
		switch p[3].key {
		case "mirror", "mirrorPercentage", "mirrorPercent", "mirrors":
			if ro.Mirror.Changed() {
				return true
			}
		case "fault":
			if ro.Fault.Changed() {
				return true
			}
		}
	}
	if p[2].index != info.weighted {
		// An A/B route, whole or any of its fields: the route changes tell
		// it, unless the only change is a mirror or fault told above.
		return true
	}
	if len(p) >= 4 && p[3].key != "route" {
		return false
	}
	// A weight, or a whole destination: the canary comes and goes with
	// rollback.
	return len(p) >= 5 && p[3].key == "route" && p[4].index >= 0 &&
		(len(p) == 5 || len(p) == 6 && p[5].key == "weight")
}

// Headline tells a rollout's change in one line, for instance
// "canary → expand, stable 90% → 75%, canary 10% → 25%; A/B route
// beta-users added".
func (r *Rollout) Headline() string {
	switch r.Status {
	case StatusAdded:
		parts := []string{"new rollout"}
		if r.Phase.After != "" {
			parts = append(parts, "phase "+r.Phase.After)
		}
		parts = append(parts, r.weightsNow(func(t WeightTransition) *float64 { return t.After })...)
		s := strings.Join(parts, ", ")
		if r.Mirror.After != "" {
			s += "; mirror " + r.Mirror.After
		}
		if r.Fault.After != "" {
			s += "; fault " + r.Fault.After
		}
		return s
	case StatusRemoved:
		parts := []string{}
		if r.Phase.Before != "" {
			parts = append(parts, "phase "+r.Phase.Before)
		}
		parts = append(parts, r.weightsNow(func(t WeightTransition) *float64 { return t.Before })...)
		if len(parts) == 0 {
			return "removed"
		}
		return "removed (was " + strings.Join(parts, ", ") + ")"
	}
	var head []string
	switch {
	case r.Phase.Changed():
		head = append(head, orNone(r.Phase.Before)+" → "+orNone(r.Phase.After))
	case r.Phase.After != "":
		head = append(head, "phase "+r.Phase.After)
	}
	for _, w := range []struct {
		name string
		t    WeightTransition
	}{{"stable", r.Stable}, {"canary", r.Canary}} {
		switch {
		case w.t.Changed():
			head = append(head, w.name+" "+Percent(w.t.Before)+" → "+Percent(w.t.After))
		case w.t.After != nil:
			head = append(head, w.name+" "+Percent(w.t.After))
		}
	}
	tail := r.routeNotes()
	if r.Mirror.Changed() {
		tail = append(tail, "mirror "+orNone(r.Mirror.Before)+" → "+orNone(r.Mirror.After))
	}
	if r.Fault.Changed() {
		tail = append(tail, "fault "+orNone(r.Fault.Before)+" → "+orNone(r.Fault.After))
	}
	if r.MTLS.Changed() {
		tail = append(tail, "mTLS "+orNone(r.MTLS.Before)+" → "+orNone(r.MTLS.After))
	}
	if r.Other {
		tail = append(tail, "other fields changed")
	}
	s := strings.Join(head, ", ")
	if len(tail) > 0 {
		if s != "" {
			s += "; "
		}
		s += strings.Join(tail, "; ")
	}
	return s
}

func (r *Rollout) weightsNow(side func(WeightTransition) *float64) []string {
	var out []string
	if w := side(r.Stable); w != nil {
		out = append(out, "stable "+Percent(w))
	}
	if w := side(r.Canary); w != nil {
		out = append(out, "canary "+Percent(w))
	}
	return out
}

// routeNotes groups the A/B route changes by status: "A/B routes a, b
// added".
func (r *Rollout) routeNotes() []string {
	var out []string
	for _, st := range []Status{StatusAdded, StatusRemoved, StatusChanged, StatusMoved} {
		var names []string
		for _, rc := range r.Routes {
			if rc.Status == st {
				names = append(names, rc.Name)
			}
		}
		switch len(names) {
		case 0:
		case 1:
			out = append(out, "A/B route "+names[0]+" "+string(st))
		default:
			out = append(out, "A/B routes "+strings.Join(names, ", ")+" "+string(st))
		}
	}
	return out
}

// Percent writes a share of traffic: "90%", "33.3%", or "—" for none.
func Percent(p *float64) string {
	if p == nil {
		return "—"
	}
	return percent(*p)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
