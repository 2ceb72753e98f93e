package diff

import (
	"slices"
	"strconv"
	"strings"
	"time"

	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/route"
)

// The summary's traffic shares, mirrors and faults and its rows of who
// reaches what come from the routing engine (package route), as do the
// answers of meshroll route and its matrix, so that the commands cannot
// disagree about where requests go.

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
