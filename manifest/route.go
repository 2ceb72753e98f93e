package manifest

import (
	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/yamlpath"
)

// Route is one http, tcp or tls route of a VirtualService. Its data paths
// (Path, and those of its destinations) are written only when a rule reports
// at one: an index of 100,000 VirtualServices keeps none of them.
type Route struct {
	Protocol string // "http", "tcp" or "tls"
	Index    int    // index in spec.<Protocol>
	Name     string // the route's name (http routes only)
	// Destinations are the route's weighted destinations, in order.
	Destinations []RouteDestination
	// Mirrors are the destinations an http route mirrors to (mirror and
	// mirrors); empty for tcp and tls.
	Mirrors []RouteDestination
	// HTTP is the route when Protocol is "http".
	HTTP *networking.HTTPRoute
}

// Path is the route's data path: spec.http[0].
func (rt Route) Path() string { return routePath(rt.Protocol, rt.Index) }

func routePath(protocol string, i int) string { return "spec." + protocol + yamlpath.Index(i) }

// RouteDestination is a destination of a route, or a mirror.
type RouteDestination struct {
	Destination *networking.Destination
	// Weight is the stated weight; 0 when none is written (protojson does
	// not tell "weight: 0" from no weight; neither does Istio).
	Weight int32
	Mirror bool

	protocol string
	route    int
	at       int // the index in route or mirrors; -1 for mirror
}

// Path is the data path of the destination object:
// spec.http[0].route[1].destination, spec.http[0].mirror or
// spec.http[0].mirrors[1].destination.
func (d RouteDestination) Path() string {
	return d.field(".destination", ".mirror", ".destination")
}

// WeightPath is the data path of the destination's weight, or of a mirror's
// percentage: spec.http[0].route[1].weight, spec.http[0].mirrorPercentage.value
// or spec.http[0].mirrors[1].percentage.value.
func (d RouteDestination) WeightPath() string {
	return d.field(".weight", ".mirrorPercentage.value", ".percentage.value")
}

// field is the data path of a field of the destination's entry in the
// route: in route[i], beside mirror, or in mirrors[i].
func (d RouteDestination) field(inRoute, mirror, inMirrors string) string {
	p := routePath(d.protocol, d.route)
	switch {
	case !d.Mirror:
		return p + ".route" + yamlpath.Index(d.at) + inRoute
	case d.at < 0:
		return p + mirror
	}
	return p + ".mirrors" + yamlpath.Index(d.at) + inMirrors
}

// weightedDestination is what http, tcp and tls routes' destinations share.
type weightedDestination interface {
	GetDestination() *networking.Destination
	GetWeight() int32
}

// weighted returns a route's destinations, for route i of protocol.
func weighted[D weightedDestination](protocol string, i int, dests []D) []RouteDestination {
	out := make([]RouteDestination, len(dests))
	for j, d := range dests {
		out[j] = RouteDestination{Destination: d.GetDestination(), Weight: d.GetWeight(), protocol: protocol, route: i, at: j}
	}
	return out
}

// Routes returns the http, tcp and tls routes of a VirtualService resource,
// in that order; nil for any other resource.
func Routes(r *Resource) []Route {
	vs := r.VirtualService()
	if vs == nil {
		return nil
	}
	var out []Route
	for i, h := range vs.GetHttp() {
		rt := Route{Protocol: "http", Index: i, Name: h.GetName(), HTTP: h, Destinations: weighted("http", i, h.GetRoute())}
		if m := h.GetMirror(); m != nil {
			rt.Mirrors = append(rt.Mirrors, RouteDestination{Destination: m, Mirror: true, protocol: "http", route: i, at: -1})
		}
		for j, m := range h.GetMirrors() {
			rt.Mirrors = append(rt.Mirrors, RouteDestination{Destination: m.GetDestination(), Mirror: true, protocol: "http", route: i, at: j})
		}
		out = append(out, rt)
	}
	for i, t := range vs.GetTcp() {
		out = append(out, Route{Protocol: "tcp", Index: i, Destinations: weighted("tcp", i, t.GetRoute())})
	}
	for i, t := range vs.GetTls() {
		out = append(out, Route{Protocol: "tls", Index: i, Destinations: weighted("tls", i, t.GetRoute())})
	}
	return out
}

// AllDestinations returns every destination and mirror of the route.
func (rt Route) AllDestinations() []RouteDestination {
	return append(append([]RouteDestination(nil), rt.Destinations...), rt.Mirrors...)
}
