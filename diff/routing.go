package diff

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/route"
)

// The summary's traffic shares and its rows of who reaches what come from
// the routing engine (package route), as do those of meshroll route and the
// matrix of meshroll route --all-phases, so that the commands cannot
// disagree about where requests go. The routes are decoded into Istio's
// types one by one, so that a route Istio's schema refuses (a weight of
// 10.5, a match that is not a list) reads as a route without destinations
// and does not hide the others.

// router decodes the http routes of a VirtualService (items of spec.http)
// for the routing engine; a route that does not decode is nil there.
func router(items []*value, namespace string) *route.Router {
	vs := &networkingv1.VirtualService{Http: make([]*networkingv1.HTTPRoute, len(items))}
	for i, item := range items {
		h := &networkingv1.HTTPRoute{}
		if decode(item, h) {
			vs.Http[i] = h
		}
	}
	return route.Compile(vs, namespace)
}

// weights returns the declared weights of the destinations of a tcp or tls
// route, for route.Shares; nil when the route does not decode.
func weights(item *value, list string) []int32 {
	var dests []*networkingv1.RouteDestination
	switch list {
	case "tcp":
		r := &networkingv1.TCPRoute{}
		if !decode(item, r) {
			return nil
		}
		dests = r.GetRoute()
	case "tls":
		r := &networkingv1.TLSRoute{}
		if !decode(item, r) {
			return nil
		}
		dests = r.GetRoute()
	}
	out := make([]int32, len(dests))
	for i, d := range dests {
		out[i] = d.GetWeight()
	}
	return out
}

// decode sets m from v with Istio's own JSON reader (istio.io/api's
// UnmarshalJSON: unknown fields ignored, durations such as 1m as Go writes
// them); it reports whether v fits m's schema.
func decode(v *value, m json.Unmarshaler) bool {
	b, err := json.Marshal(v.plain())
	return err == nil && m.UnmarshalJSON(b) == nil
}

// plain converts v to the generic form encoding/json writes: numbers by
// their canonical text, so that 50.0 reads as the integer 50 and 0x10 as
// 16; a number JSON cannot hold (.inf) stays text, which no number field
// takes.
func (v *value) plain() any {
	if v == nil {
		return nil
	}
	switch v.kind {
	case mapKind:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			m[k] = v.vals[i].plain()
		}
		return m
	case listKind:
		l := make([]any, len(v.vals))
		for i, x := range v.vals {
			l[i] = x.plain()
		}
		return l
	}
	switch v.class() {
	case "num":
		if n := v.canon(); json.Valid([]byte(n)) {
			return json.Number(n)
		}
	case "!!bool":
		return v.canon() == "true"
	case "!!null":
		return nil
	}
	return v.text
}

// split returns the stable and canary shares of a weighted route from its
// destinations' shares: the first destination is stable, the others canary.
// Nil when the route has no destination.
func split(shares []float64) (stable, canary *float64) {
	if len(shares) == 0 {
		return nil, nil
	}
	s := round(shares[0])
	rest := 0.0
	for _, x := range shares[1:] {
		rest += x
	}
	if s == 0 && rest == 0 {
		return ptr(0), ptr(0)
	}
	return ptr(s), ptr(round(100 - s))
}

// mirrorText describes a mirror as Istio applies it: "reviews/v2 100%".
func mirrorText(m route.Mirror) string {
	return destName(route.Destination{Host: m.Host, Subset: m.Subset, Port: m.Port}) + " " + percent(m.Percent)
}

// faultText describes the faults Istio injects: "delay 10% 5s, abort 10%
// 500".
func faultText(f *route.Fault) string {
	var parts []string
	if d := f.Delay; d != nil {
		parts = append(parts, "delay "+percent(d.Percent)+" "+duration(d.FixedDelay))
	}
	if a := f.Abort; a != nil {
		status := a.GRPCStatus
		if status == "" {
			status = strconv.Itoa(int(a.HTTPStatus))
		}
		parts = append(parts, "abort "+percent(a.Percent)+" "+status)
	}
	return strings.Join(parts, ", ")
}

func percent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

// duration writes d as a manifest would: 1m rather than 1m0s.
func duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
