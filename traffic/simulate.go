package traffic

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	apinet "istio.io/api/networking/v1"
	clientnet "istio.io/client-go/pkg/apis/networking/v1"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/internal/gateway"
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
// it compiled, for many requests. It is safe for concurrent use once its
// Gateways are set.
type Simulator struct {
	// Gateways are the Gateway objects known for requests through a
	// gateway: their servers decide which hosts and ports a gateway takes.
	// A gateway not among them is simulated with its servers unknown, so
	// that the VirtualServices bound to it alone decide.
	Gateways []route.GatewayObject

	mu       sync.Mutex
	compiled map[key]compiled
}

type key struct {
	r     *schema.Rollout
	phase string
}

// compiled is a rollout's VirtualService in one phase, ready for requests
// from sidecars (router) and through gateways (table, with the known
// Gateways).
type compiled struct {
	router *route.Router
	table  *route.Table
}

// NewSimulator returns an empty Simulator.
func NewSimulator() *Simulator {
	return &Simulator{compiled: map[key]compiled{}}
}

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

func (s *Simulator) compile(r *schema.Rollout, phase string) (compiled, error) {
	k := key{r, phase}
	s.mu.Lock()
	c, ok := s.compiled[k]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	// Rendering happens outside the lock; two goroutines may both render a
	// rollout, and either result serves.
	vs, err := VirtualService(r, phase)
	if err != nil {
		return compiled{}, err
	}
	c = compiled{
		router: route.Compile(vs, r.Namespace),
		table:  route.NewTable([]route.VirtualServiceObject{{Name: r.Name, Namespace: r.Namespace, Spec: vs}}, s.Gateways),
	}
	s.mu.Lock()
	s.compiled[k] = c
	s.mu.Unlock()
	return c, nil
}

// Simulate runs req through rollout r in phase: from a sidecar, or through
// req.Gateway ("namespace/name") when it names one. A request through a
// gateway without an authority is for the rollout's public host
// (PublicHost).
func (s *Simulator) Simulate(r *schema.Rollout, phase string, req route.Request) (Outcome, error) {
	c, err := s.compile(r, phase)
	if err != nil {
		return Outcome{}, err
	}
	if req.Gateway == "" || req.Gateway == gateway.Mesh {
		return outcome(r, phase, c.router.Evaluate(req)), nil
	}
	if req.Authority == "" && !hasHostHeader(req) {
		req.Authority = PublicHost(r)
	}
	return outcome(r, phase, c.table.Ingress(req.Gateway, req)), nil
}

func outcome(r *schema.Rollout, phase string, res route.Result) Outcome {
	out := Outcome{Rollout: r, Phase: phase, Result: res}
	for _, d := range res.Destinations {
		out.Shares = append(out.Shares, Share{Target: TargetName(r, d.Host, d.Subset), Host: d.Host, Subset: d.Subset, Percent: d.Weight})
	}
	if m := res.Mirror; m != nil {
		out.Mirror = &Share{Target: TargetName(r, m.Host, m.Subset), Host: m.Host, Subset: m.Subset, Percent: m.Percent}
	}
	return out
}

func hasHostHeader(req route.Request) bool {
	for k := range req.Headers {
		if strings.EqualFold(k, "host") || k == ":authority" {
			return true
		}
	}
	return false
}

// bindsGateway reports whether r's VirtualService is bound to gateway id.
func bindsGateway(r *schema.Rollout, id string) bool {
	for _, g := range r.Gateways {
		if gateway.Resolve(g, r.Namespace) == id {
			return true
		}
	}
	return false
}

// routesHost reports whether one of r's hosts, as istiod resolves them,
// takes host.
func routesHost(r *schema.Rollout, host string) bool {
	for _, h := range append([]string{r.Host}, r.Hosts...) {
		if !strings.Contains(h, ".") && h != "*" {
			h = h + "." + r.Namespace + ".svc.cluster.local"
		}
		if h == host || h == "*" || strings.HasPrefix(h, "*") && strings.HasSuffix(host, h[1:]) {
			return true
		}
	}
	return false
}

// PublicHost is the host a request through a gateway is for when it names
// none: the first of the rollout's host and hosts that is a domain name
// (with a dot, without a wildcard), else the host's in-cluster name, which
// is how istiod resolves a short VirtualService host.
func PublicHost(r *schema.Rollout) string {
	for _, h := range append([]string{r.Host}, r.Hosts...) {
		if strings.Contains(h, ".") && !strings.Contains(h, "*") {
			return h
		}
	}
	return r.Host + "." + r.Namespace + ".svc.cluster.local"
}

// Ingress runs req through the gateway id ("namespace/name") across every
// rollout of rollouts, each at the phase phaseOf gives it, as one gateway
// sees all the VirtualServices bound to it. The Outcome's Rollout is the
// one whose VirtualService took the request, nil when none did.
func (s *Simulator) Ingress(rollouts []*schema.Rollout, phaseOf func(*schema.Rollout) string, id string, req route.Request) (Outcome, error) {
	objs := make([]route.VirtualServiceObject, 0, len(rollouts))
	byID := map[string]*schema.Rollout{}
	host := strings.ToLower(req.Authority)
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	for _, r := range rollouts {
		// Only rollouts bound to the gateway take part, and those that
		// route the host, so that the answer can name them; the others
		// need not be rendered.
		if !bindsGateway(r, id) && !routesHost(r, host) {
			continue
		}
		vs, err := VirtualService(r, phaseOf(r))
		if err != nil {
			return Outcome{}, err
		}
		objs = append(objs, route.VirtualServiceObject{Name: r.Name, Namespace: r.Namespace, Spec: vs})
		byID[r.ID()] = r
	}
	res := route.NewTable(objs, s.Gateways).Ingress(id, req)
	r := byID[res.VirtualService]
	if r == nil {
		return Outcome{Result: res}, nil
	}
	return outcome(r, phaseOf(r), res), nil
}

// TargetName names a destination of r by the intent's terms; without a
// rollout, or for a destination the intent does not name, host or
// host/subset.
func TargetName(r *schema.Rollout, host, subset string) string {
	if r == nil {
		return hostSubset(host, subset)
	}
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
	return hostSubset(host, subset)
}

func hostSubset(host, subset string) string {
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

// FromIntent converts an expectation's request into a route.Request. The
// values of a header written as a list are joined as Envoy joins a header
// sent more than once (route.JoinHeaders); cookies are sent in name order,
// after those of a cookie header. The expectation's gateway, if any, is set
// as the request's.
func FromIntent(x schema.Expectation) route.Request {
	q := x.Request
	req := route.Request{URI: q.URI, Method: q.Method, Scheme: q.Scheme, Authority: q.Authority, Port: q.Port,
		SourceNamespace: q.SourceNamespace}
	if x.GatewayID != "" && x.GatewayID != gateway.Mesh {
		req.Gateway = x.GatewayID
	}
	if len(q.Headers) > 0 {
		names := make([]string, 0, len(q.Headers))
		for n := range q.Headers {
			names = append(names, n)
		}
		sort.Strings(names)
		var hs []route.Header
		for _, n := range names {
			for _, v := range q.Headers[n] {
				hs = append(hs, route.Header{Name: n, Value: v})
			}
		}
		req.Headers = route.JoinHeaders(hs)
	}
	if len(q.SourceLabels) > 0 {
		req.SourceLabels = q.SourceLabels
	}
	if len(q.Query) > 0 {
		req.QueryParams = q.Query
	}
	names := make([]string, 0, len(q.Cookies))
	for n := range q.Cookies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		req.Cookies = append(req.Cookies, cookie.Cookie{Name: n, Value: q.Cookies[n]})
	}
	return req
}
