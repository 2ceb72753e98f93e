package traffic

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	apinet "istio.io/api/networking/v1"
	clientnet "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
)

// Share is the part of a request's traffic that one destination gets.
type Share struct {
	// Target is the intent's name for the destination: "stable", "canary" or
	// an extra subset; for a destination the intent does not name, host or
	// host/subset.
	Target  string
	Host    string
	Subset  string
	Percent float64
}

// Outcome is where a request goes in one phase of a rollout.
type Outcome struct {
	Rollout *schema.Rollout
	Phase   string
	// Result is the simulation on the rendered VirtualService: the matched
	// route, the trace of the routes that did not match, mirror and fault.
	Result route.Result
	// Shares are the destinations, in route order.
	Shares []Share
	// Mirror is the target of the mirror that applies, if any.
	Mirror *Share
}

// Simulator renders each rollout's VirtualService once per phase and keeps
// it compiled, for many requests. It is safe for concurrent use.
type Simulator struct {
	mu      sync.Mutex
	routers map[key]*route.Router
}

type key struct {
	r     *schema.Rollout
	phase string
}

// NewSimulator returns an empty Simulator.
func NewSimulator() *Simulator { return &Simulator{routers: map[key]*route.Router{}} }

// VirtualService renders the VirtualService of r in phase.
func VirtualService(r *schema.Rollout, phase string) (*apinet.VirtualService, error) {
	objs, err := render.Rollout(r, phase)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		if vs, ok := o.Resource.(*clientnet.VirtualService); ok {
			return &vs.Spec, nil
		}
	}
	return nil, fmt.Errorf("rollout %s renders no VirtualService", r.Name)
}

func (s *Simulator) router(r *schema.Rollout, phase string) (*route.Router, error) {
	k := key{r, phase}
	s.mu.Lock()
	rt, ok := s.routers[k]
	s.mu.Unlock()
	if ok {
		return rt, nil
	}
	// Rendering happens outside the lock; two goroutines may both render a
	// rollout, and either result serves.
	vs, err := VirtualService(r, phase)
	if err != nil {
		return nil, err
	}
	rt = route.Compile(vs, r.Namespace)
	s.mu.Lock()
	s.routers[k] = rt
	s.mu.Unlock()
	return rt, nil
}

// Simulate runs req through rollout r in phase.
func (s *Simulator) Simulate(r *schema.Rollout, phase string, req route.Request) (Outcome, error) {
	rt, err := s.router(r, phase)
	if err != nil {
		return Outcome{}, err
	}
	res := rt.Evaluate(req)
	out := Outcome{Rollout: r, Phase: phase, Result: res}
	for _, d := range res.Destinations {
		out.Shares = append(out.Shares, Share{Target: TargetName(r, d.Host, d.Subset), Host: d.Host, Subset: d.Subset, Percent: d.Weight})
	}
	if m := res.Mirror; m != nil {
		out.Mirror = &Share{Target: TargetName(r, m.Host, m.Subset), Host: m.Host, Subset: m.Subset, Percent: m.Percent}
	}
	return out, nil
}

// TargetName names a destination of r by the intent's terms.
func TargetName(r *schema.Rollout, host, subset string) string {
	if host == r.Stable.Host && subset == r.Stable.Subset {
		return schema.TrackStable
	}
	if c := r.Canary; c != nil && host == c.Host && subset == c.Subset {
		return schema.TrackCanary
	}
	if host == r.Host {
		for _, s := range r.Subsets {
			if s.Name == subset {
				return s.Name
			}
		}
	}
	if subset == "" {
		return host
	}
	return host + "/" + subset
}

// ByTarget sums the shares per target.
func (o Outcome) ByTarget() map[string]float64 {
	m := map[string]float64{}
	for _, s := range o.Shares {
		m[s.Target] += s.Percent
	}
	return m
}

// Describe writes shares as "canary 100%" or "stable 90% / canary 10%",
// leaving out destinations at 0%.
func Describe(shares []Share) string {
	var parts []string
	for _, s := range shares {
		if s.Percent == 0 && len(shares) > 1 {
			continue
		}
		parts = append(parts, s.Target+" "+Percent(s.Percent))
	}
	if len(parts) == 0 {
		return "nowhere"
	}
	return strings.Join(parts, " / ")
}

// Percent formats a share: whole numbers without decimals.
func Percent(p float64) string {
	if p == float64(int64(p)) {
		return fmt.Sprintf("%d%%", int64(p))
	}
	return fmt.Sprintf("%.4g%%", p)
}

// FromIntent converts an expectation's request into a route.Request.
// Cookies are sent in name order, joined as a browser joins them.
func FromIntent(q schema.Request) route.Request {
	req := route.Request{URI: q.URI, Method: q.Method}
	if len(q.Headers) > 0 {
		req.Headers = make(map[string]string, len(q.Headers))
		for k, v := range q.Headers {
			req.Headers[strings.ToLower(k)] = v
		}
	}
	if len(q.SourceLabels) > 0 {
		req.SourceLabels = q.SourceLabels
	}
	names := make([]string, 0, len(q.Cookies))
	for n := range q.Cookies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		req.Cookies = append(req.Cookies, route.Cookie{Name: n, Value: q.Cookies[n]})
	}
	return req
}
