package manifest

import (
	"fmt"

	networking "istio.io/api/networking/v1"
)

// Route is one http, tcp or tls route of a VirtualService, with the data
// paths rules report at.
type Route struct {
	Protocol string // "http", "tcp" or "tls"
	Index    int    // index in spec.<Protocol>
	Path     string // spec.http[0]
	Name     string // the route's name (http routes only)
	// Destinations are the route's weighted destinations, in order.
	Destinations []RouteDestination
	// Mirrors are the destinations an http route mirrors to (mirror and
	// mirrors); empty for tcp and tls.
	Mirrors []RouteDestination
	// HTTP is the route when Protocol is "http".
	HTTP *networking.HTTPRoute
}

// RouteDestination is a destination of a route, or a mirror.
type RouteDestination struct {
	Destination *networking.Destination
	Path        string // the destination object: spec.http[0].route[1].destination
	// Weight is the stated weight; 0 when none is written (protojson does
	// not tell "weight: 0" from no weight; neither does Istio).
	Weight     int32
	WeightPath string // spec.http[0].route[1].weight; the mirror percentage for a mirror
	Mirror     bool
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
		p := fmt.Sprintf("spec.http[%d]", i)
		rt := Route{Protocol: "http", Index: i, Path: p, Name: h.GetName(), HTTP: h}
		for j, d := range h.GetRoute() {
			rt.Destinations = append(rt.Destinations, RouteDestination{
				Destination: d.GetDestination(),
				Path:        fmt.Sprintf("%s.route[%d].destination", p, j),
				Weight:      d.GetWeight(),
				WeightPath:  fmt.Sprintf("%s.route[%d].weight", p, j),
			})
		}
		if m := h.GetMirror(); m != nil {
			rt.Mirrors = append(rt.Mirrors, RouteDestination{Destination: m, Path: p + ".mirror", WeightPath: p + ".mirrorPercentage.value", Mirror: true})
		}
		for j, m := range h.GetMirrors() {
			mp := fmt.Sprintf("%s.mirrors[%d]", p, j)
			rt.Mirrors = append(rt.Mirrors, RouteDestination{Destination: m.GetDestination(), Path: mp + ".destination", WeightPath: mp + ".percentage.value", Mirror: true})
		}
		out = append(out, rt)
	}
	for i, t := range vs.GetTcp() {
		p := fmt.Sprintf("spec.tcp[%d]", i)
		rt := Route{Protocol: "tcp", Index: i, Path: p}
		for j, d := range t.GetRoute() {
			rt.Destinations = append(rt.Destinations, RouteDestination{
				Destination: d.GetDestination(),
				Path:        fmt.Sprintf("%s.route[%d].destination", p, j),
				Weight:      d.GetWeight(),
				WeightPath:  fmt.Sprintf("%s.route[%d].weight", p, j),
			})
		}
		out = append(out, rt)
	}
	for i, t := range vs.GetTls() {
		p := fmt.Sprintf("spec.tls[%d]", i)
		rt := Route{Protocol: "tls", Index: i, Path: p}
		for j, d := range t.GetRoute() {
			rt.Destinations = append(rt.Destinations, RouteDestination{
				Destination: d.GetDestination(),
				Path:        fmt.Sprintf("%s.route[%d].destination", p, j),
				Weight:      d.GetWeight(),
				WeightPath:  fmt.Sprintf("%s.route[%d].weight", p, j),
			})
		}
		out = append(out, rt)
	}
	return out
}

// AllDestinations returns every destination and mirror of the route.
func (rt Route) AllDestinations() []RouteDestination {
	return append(append([]RouteDestination(nil), rt.Destinations...), rt.Mirrors...)
}
