package route

// Everyone names, in tables of who reaches what (traffic's matrix, the
// summary of meshroll diff), the requests that no A/B route takes: those
// that fall through to the weighted split.
const Everyone = "anyone else"

// Shares returns the share of a route's traffic, in percent, that each of
// its destinations gets from its declared weight, as istiod and Envoy split
// it. Every table of who reaches what and every simulated request use it, so
// that they cannot disagree:
//
//   - A lone destination gets all the traffic, whatever its weight: istiod
//     routes it to one cluster and drops the weight
//     (applyHTTPRouteDestination in pilot/pkg/networking/core/route/route.go).
//   - Among several, a destination of weight 0 gets nothing (istiod leaves
//     it out), and the others share the traffic in proportion to their
//     weights: since Istio 1.15 the weights need not sum to 100 (istio/istio
//     #39544) and Envoy splits by the sum of the clusters' weights
//     (WeightedCluster, whose total_weight is deprecated; istiod stopped
//     setting it in #43203).
//   - A negative weight, which Istio's validation rejects ("weight < 0"),
//     counts as 0.
//   - When no destination of several has a weight, every share is 0: Istio's
//     validation rejects the route ("total destination weight = 0") and
//     Envoy a weighted route without clusters, so no request is served.
//
// Shares sum to 100, up to rounding, unless they are all 0.
func Shares(weights []int32) []float64 {
	out := make([]float64, len(weights))
	if len(weights) == 1 {
		out[0] = 100
		return out
	}
	var sum int64
	for _, w := range weights {
		if w > 0 {
			sum += int64(w)
		}
	}
	if sum == 0 {
		return out
	}
	for i, w := range weights {
		if w > 0 {
			// Multiplying first keeps integer weights that sum to 100 exact.
			out[i] = float64(w) * 100 / float64(sum)
		}
	}
	return out
}
