package diff

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/route"
)

// The summary's traffic shares, mirrors and faults and its rows of who
// reaches what come from the routing engine (package route), as do the
// answers of meshroll route and its matrix, so that the commands cannot
// disagree about where requests go.

// spec decodes a VirtualService's spec with Istio's own JSON reader
// (istio.io/api's UnmarshalJSON: unknown fields ignored, durations such as
// 1m as Go writes them). A spec that does not fit Istio's schema (a weight of
// 10.5, a timeout that is a number) is one the API server refuses: it routes
// nothing, and spec returns an empty VirtualService.
func spec(v *value) *networkingv1.VirtualService {
	b, err := json.Marshal(v.plain())
	if err != nil {
		return &networkingv1.VirtualService{}
	}
	// protojson is several times faster than istio.io/api's reader and
	// reads what meshroll renders; only durations written as 1m need the
	// latter.
	vs := &networkingv1.VirtualService{}
	if (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(b, vs) == nil {
		return vs
	}
	vs = &networkingv1.VirtualService{}
	if vs.UnmarshalJSON(b) != nil {
		return &networkingv1.VirtualService{}
	}
	return vs
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

// weights returns the declared weights of a tcp or tls route's
// destinations.
func weights(dests []*networkingv1.RouteDestination) []int32 {
	out := make([]int32, len(dests))
	for i, d := range dests {
		out[i] = d.GetWeight()
	}
	return out
}

// split returns the stable and canary shares of a weighted route from its
// destinations' shares: the first destination is stable, the others canary.
// Nil when the route has no destination.
func split(shares []float64) (stable, canary *float64) {
	if len(shares) == 0 {
		return nil, nil
	}
	s, c := round(shares[0]), 0.0
	if slices.Max(shares) > 0 {
		c = round(100 - s)
	}
	return &s, &c
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
