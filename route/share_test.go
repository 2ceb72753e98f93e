package route

import (
	"math"
	"reflect"
	"testing"
)

func TestShares(t *testing.T) {
	tests := []struct {
		weights []int32
		want    []float64
	}{
		{nil, []float64{}},
		{[]int32{90, 10}, []float64{90, 10}},
		{[]int32{0}, []float64{100}},                               // a lone destination takes everything
		{[]int32{30}, []float64{100}},                              // whatever its weight
		{[]int32{-5}, []float64{100}},                              // istiod drops the weight of a lone destination
		{[]int32{100, 0}, []float64{100, 0}},                       // the start phase: the canary listed at 0
		{[]int32{1, 3}, []float64{25, 75}},                         // normalised to the sum (Istio 1.15)
		{[]int32{150, 50}, []float64{75, 25}},                      // above 100 too
		{[]int32{50, 0, 50}, []float64{50, 0, 50}},                 // weight 0 among others gets nothing
		{[]int32{0, 0}, []float64{0, 0}},                           // rejected: nobody is served
		{[]int32{-15, 100}, []float64{0, 100}},                     // negative counts as 0
		{[]int32{-15, 0}, []float64{0, 0}},                         // and leaves nothing
		{[]int32{math.MaxInt32, math.MaxInt32}, []float64{50, 50}}, // the sum does not overflow
	}
	for _, tt := range tests {
		if got := Shares(tt.weights); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Shares(%v) = %v, want %v", tt.weights, got, tt.want)
		}
	}
}

// TestRouterRoute: what a route does once a request reaches it is what
// Evaluate reports for a request that the route takes.
func TestRouterRoute(t *testing.T) {
	vs := parseSpec(t, seedPatterns)
	r := Compile(vs, "bookinfo")
	for _, req := range benchRequests {
		got := r.Evaluate(req)
		if !got.Matched {
			t.Fatalf("%+v matched nothing", req)
		}
		want := r.Route(got.Index)
		if !reflect.DeepEqual(got.Destinations, want.Destinations) || got.Action != want.Action || got.Name != want.Name || !reflect.DeepEqual(got.Mirror, want.Mirror) {
			t.Errorf("route %d: Evaluate gives %+v, Route gives %+v", got.Index, got, want)
		}
		if want.Match != -1 || want.Trace != nil || !want.Matched {
			t.Errorf("Route(%d) = %+v; want it matched, without a match block or trace", got.Index, want)
		}
	}
	for _, i := range []int{-1, len(vs.GetHttp())} {
		if got := r.Route(i); got.Matched || got.Reason == "" {
			t.Errorf("Route(%d) = %+v, want no match and a reason", i, got)
		}
	}
}
