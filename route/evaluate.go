package route

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	networkingv1 "istio.io/api/networking/v1"
)

// Action is what a matched http route does with the request.
type Action string

// Actions a matched route can take; an HTTPRoute holds exactly one of them
// (route, redirect, directResponse or delegate).
const (
	ActionForward        Action = "forward"
	ActionRedirect       Action = "redirect"
	ActionDirectResponse Action = "direct-response"
	ActionDelegate       Action = "delegate"
	// ActionNone is a route that names no action, which Istio rejects.
	ActionNone Action = "none"
)

// Result is the outcome of one request against one VirtualService.
type Result struct {
	// Matched tells whether an http route took the request.
	Matched bool
	// Index is the position of the matching route in spec.http; -1 if none.
	Index int
	// Name is the matching route's name, "" if it has none.
	Name string
	// Match is the position of the match block that matched, -1 when the
	// route has no match blocks (or nothing matched).
	Match int
	// Path is the data path of what matched: "spec.http[1].match[0]", or
	// "spec.http[2]" for a route without match blocks.
	Path string
	// Reason says why nothing matched when Matched is false.
	Reason string
	// Trace lists, in order, every route tried before the matching one (all
	// routes when none matched) with the reason it did not match.
	Trace []Miss
	// Action is what the matching route does.
	Action Action
	// Destinations are the route's destinations in route order, each with
	// its share of the traffic.
	Destinations []Destination
	// Mirror is the route's `mirror`, nil when absent or at 0 percent.
	Mirror *Mirror
	// Mirrors are the route's `mirrors` that mirror anything.
	Mirrors []Mirror
	// Fault is the injected fault, nil when there is none that Istio applies.
	Fault *Fault
	// Timeout is the route timeout; 0 means none (Istio's default).
	Timeout time.Duration
	// Retries is the retry policy that applies to a forwarded request.
	Retries *Retries
	// Redirect is set when Action is ActionRedirect.
	Redirect *Redirect
	// DirectResponse is set when Action is ActionDirectResponse.
	DirectResponse *DirectResponse
	// Delegate is set when Action is ActionDelegate. Evaluate does not
	// follow it, as its routes live in another VirtualService; Table does.
	Delegate *Delegate
	// Warnings note configurations Istio would reject or treat specially
	// (all weights zero, negative weights, unsupported fault kinds, routes
	// istiod drops).
	Warnings []string
	// VirtualService names, as namespace/name, the VirtualService that holds
	// the matching route when the evaluation spans several (Table); ""
	// otherwise.
	VirtualService string
	// Via is the delegating route of the root VirtualService when the
	// matching route is a delegate's; nil otherwise.
	Via *Via
	// Arrival tells how a gateway took the request (Table.Ingress); nil for
	// a request between sidecars.
	Arrival *Arrival
}

// Miss is one route that did not match, and why.
type Miss struct {
	Index int
	Name  string
	// Why is the reason in one line; for a route with several match blocks,
	// each block's reason prefixed with "match[i]: " and joined with "; ".
	Why string
	// Blocks holds the reason of each match block in order.
	Blocks []string
	// VirtualService and Via are set as in Result.
	VirtualService string
	Via            *Via
}

// Destination is one weighted destination of a forwarding route.
type Destination struct {
	Host   string
	Subset string
	Port   uint32
	// Weight is the destination's share of the route's traffic in percent
	// (0..100), as Shares computes it from the declared weights.
	Weight float64
	// DeclaredWeight is the weight as written in the manifest.
	DeclaredWeight int32
}

// Mirror is a mirroring target and the percentage of requests mirrored.
type Mirror struct {
	Host    string
	Subset  string
	Port    uint32
	Percent float64
}

// Fault is the fault injection that applies to a route.
type Fault struct {
	Delay *Delay
	Abort *Abort
}

// Delay delays Percent percent of requests by FixedDelay.
type Delay struct {
	Percent    float64
	FixedDelay time.Duration
}

// Abort answers Percent percent of requests with HTTPStatus, or with the gRPC
// status GRPCStatus.
type Abort struct {
	Percent    float64
	HTTPStatus int32
	GRPCStatus string
}

// Retries is a retry policy. Attempts 0 means retries are disabled.
type Retries struct {
	Attempts      int32
	PerTryTimeout time.Duration
	RetryOn       string
	// Default is true when the route sets no policy and Istio's default
	// applies (2 attempts on connection failures and 503).
	Default bool
}

// Redirect is an HTTP redirect answered by the proxy.
type Redirect struct {
	URI       string
	Authority string
	Scheme    string
	// Port is the port to redirect to; 0 keeps the default.
	Port uint32
	// DerivePort is "FROM_REQUEST_PORT" or "FROM_PROTOCOL_DEFAULT" when set.
	DerivePort string
	// Code is the status code; 301 when the manifest gives none.
	Code uint32
}

// DirectResponse is a fixed response answered by the proxy.
type DirectResponse struct {
	Status uint32
	Body   string
}

// Delegate names the VirtualService that holds the routes of a delegating
// route. Namespace defaults to the root VirtualService's.
type Delegate struct {
	Name      string
	Namespace string
}

// Istio's default retry policy, used when a route sets none
// (pilot/pkg/networking/core/route/retry/retry.go).
const (
	defaultRetryAttempts = 2
	defaultRetryOn       = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
)

// Router is a VirtualService compiled for evaluating many requests: regexes
// are compiled once, header names lower-cased, gateway names resolved.
// A Router is safe for concurrent use.
type Router struct {
	vs               *networkingv1.VirtualService
	namespace        string
	gateways         []string
	defaultAuthority string
	// matches holds the compiled match blocks of each http route, by the
	// route's index; nil when the Router compiles them as it goes.
	matches [][]compiledMatch
	// outcomes caches, by route index, what each route does once a request
	// has reached it: it does not depend on the request.
	outcomes []atomic.Pointer[template]
}

// template is the request-independent part of a Result for one route, and
// the data path of each of its match blocks (paths[0] is the route's).
type template struct {
	res   Result
	paths []string
}

func newRouter(vs *networkingv1.VirtualService, vsNamespace string) Router {
	if vsNamespace == "" {
		vsNamespace = "default"
	}
	r := Router{
		vs:        vs,
		namespace: vsNamespace,
		gateways:  resolveGateways(vs.GetGateways(), vsNamespace, true),
	}
	if hosts := vs.GetHosts(); len(hosts) > 0 && !strings.Contains(hosts[0], "*") {
		r.defaultAuthority = hosts[0]
	}
	return r
}

// Compile prepares vs, which lives in namespace vsNamespace ("" means
// "default"), for Evaluate. It never fails: a regex that is not valid RE2
// matches nothing and says so in the trace. The Router keeps vs and reads
// its routes at each evaluation; changes to match blocks after Compile are
// not seen.
func Compile(vs *networkingv1.VirtualService, vsNamespace string) *Router {
	r := newRouter(vs, vsNamespace)
	// One allocation for all match blocks.
	n := 0
	for _, h := range vs.GetHttp() {
		n += len(h.GetMatch())
	}
	all := make([]compiledMatch, n)
	r.matches = make([][]compiledMatch, len(vs.GetHttp()))
	r.outcomes = make([]atomic.Pointer[template], len(vs.GetHttp()))
	for i, h := range vs.GetHttp() {
		k := len(h.GetMatch())
		r.matches[i], all = all[:k:k], all[k:]
		for j, m := range h.GetMatch() {
			r.matches[i][j] = compileMatch(m, r.namespace)
		}
	}
	return &r
}

// Evaluate evaluates one request against vs, which lives in namespace
// vsNamespace ("" means "default"). It compiles only the match blocks it
// reaches, and regexes come from a shared cache; to evaluate many requests
// against one VirtualService, Compile it once and call Router.Evaluate.
func Evaluate(vs *networkingv1.VirtualService, vsNamespace string, req Request) Result {
	r := newRouter(vs, vsNamespace)
	return r.eval(&req)
}

// Evaluate finds the http route that takes req, following Istio's documented
// semantics: routes in order, first match wins; a route without match blocks
// takes everything; a route matches when any of its match blocks does, and a
// block when all of its conditions hold.
//
// Results of one Router share what does not depend on the request (the
// Destinations, Mirrors and Warnings slices, and the pointers): treat them as
// read-only.
func (r *Router) Evaluate(req Request) Result {
	return r.eval(&req)
}

// Route returns what http route i does with a request that reaches it,
// whatever matched it: the Result Evaluate gives when route i takes a
// request, with Match -1 and no Trace. Tables of who reaches what read a
// route's destinations here rather than from the manifest, so that they and
// Evaluate agree. An index out of range gives a Result that did not match.
func (r *Router) Route(i int) Result {
	routes := r.vs.GetHttp()
	if i < 0 || i >= len(routes) {
		return Result{Index: -1, Match: -1, Reason: fmt.Sprintf("the VirtualService has no http route %d", i)}
	}
	return r.outcome(i, routes[i], -1, nil)
}

func (r *Router) eval(req *Request) Result {
	p := prepare(req, r)
	if why := r.refuses(p.gateway); why != "" {
		return Result{Index: -1, Match: -1, Reason: why}
	}
	s := r.scan(&p)
	if s.route < 0 {
		return Result{Index: -1, Match: -1, Trace: s.trace, Reason: r.noRoute()}
	}
	return r.outcome(s.route, r.vs.GetHttp()[s.route], s.match, s.trace)
}

// refuses says why a request through gateway (resolved) does not meet the
// VirtualService at all; "" when it does.
func (r *Router) refuses(gateway string) string {
	if contains(r.gateways, gateway) {
		return ""
	}
	return "the VirtualService does not apply to gateway " + quote(gateway) + ": it is bound to [" + strings.Join(r.gateways, ", ") + "]"
}

// noRoute says why no http route took a request.
func (r *Router) noRoute() string {
	if len(r.vs.GetHttp()) == 0 {
		return "the VirtualService has no http routes"
	}
	return "no http route matches: the proxy answers 404"
}

func miss(index int, h *networkingv1.HTTPRoute, blocks []string) Miss {
	m := Miss{Index: index, Name: h.GetName(), Blocks: blocks}
	if len(blocks) == 1 {
		m.Why = blocks[0]
	} else {
		m.Why = blockWhys(blocks, nil)
	}
	return m
}

// outcome describes what the matched route does, from the Router's cache when
// it has one.
func (r *Router) outcome(index int, h *networkingv1.HTTPRoute, match int, trace []Miss) Result {
	if index >= len(r.outcomes) {
		res := r.describe(index, h)
		res.Match, res.Path, res.Trace = match, httpPath(index, match), trace
		return res
	}
	t := r.outcomes[index].Load()
	if t == nil {
		t = &template{res: r.describe(index, h), paths: make([]string, len(h.GetMatch())+1)}
		for i := range t.paths {
			t.paths[i] = httpPath(index, i-1)
		}
		r.outcomes[index].Store(t)
	}
	res := t.res
	res.Match, res.Trace = match, trace
	if match+1 < len(t.paths) {
		res.Path = t.paths[match+1]
	} else {
		res.Path = httpPath(index, match)
	}
	return res
}

// describe computes what route h does, whatever the request.
func (r *Router) describe(index int, h *networkingv1.HTTPRoute) Result {
	res := Result{
		Matched: true,
		Index:   index,
		Name:    h.GetName(),
	}
	// The fault filter applies whatever the action.
	res.Fault = fault(h.GetFault(), &res.Warnings)
	switch {
	case h.GetRedirect() != nil:
		rd := h.GetRedirect()
		res.Action = ActionRedirect
		res.Redirect = &Redirect{URI: rd.GetUri(), Authority: rd.GetAuthority(), Scheme: rd.GetScheme(),
			Port: rd.GetPort(), Code: rd.GetRedirectCode()}
		if _, ok := rd.GetRedirectPort().(*networkingv1.HTTPRedirect_DerivePort); ok {
			res.Redirect.DerivePort = rd.GetDerivePort().String()
		}
		if res.Redirect.Code == 0 {
			res.Redirect.Code = 301
		}
	case h.GetDirectResponse() != nil:
		d := h.GetDirectResponse()
		res.Action = ActionDirectResponse
		res.DirectResponse = &DirectResponse{Status: d.GetStatus()}
		switch b := d.GetBody().GetSpecifier().(type) {
		case *networkingv1.HTTPBody_String_:
			res.DirectResponse.Body = b.String_
		case *networkingv1.HTTPBody_Bytes:
			res.DirectResponse.Body = string(b.Bytes)
		}
	case h.GetDelegate() != nil:
		res.Action = ActionDelegate
		res.Delegate = &Delegate{Name: h.GetDelegate().GetName(), Namespace: h.GetDelegate().GetNamespace()}
		if res.Delegate.Namespace == "" {
			res.Delegate.Namespace = r.namespace
		}
	case len(h.GetRoute()) > 0:
		res.Action = ActionForward
		res.Destinations = destinations(h.GetRoute(), &res.Warnings)
		res.Mirror, res.Mirrors = mirrors(h)
		res.Timeout = h.GetTimeout().AsDuration()
		res.Retries = retries(h.GetRetries())
	default:
		res.Action = ActionNone
		res.Warnings = append(res.Warnings, "the route has no route, redirect, directResponse or delegate")
	}
	return res
}

// destinations gives each destination its share of the traffic (Shares),
// with a warning for what Istio would reject.
func destinations(in []*networkingv1.HTTPRouteDestination, warnings *[]string) []Destination {
	out := make([]Destination, len(in))
	weights := make([]int32, len(in))
	weighted := false
	for i, d := range in {
		dst := d.GetDestination()
		w := d.GetWeight()
		out[i] = Destination{Host: dst.GetHost(), Subset: dst.GetSubset(), Port: dst.GetPort().GetNumber(), DeclaredWeight: w}
		weights[i] = w
		weighted = weighted || w > 0
		if w < 0 {
			*warnings = append(*warnings, fmt.Sprintf("route[%d] has the negative weight %d, which Istio rejects; counted as 0", i, w))
		}
	}
	if len(in) > 1 && !weighted {
		*warnings = append(*warnings, "every destination has weight 0: Envoy rejects a weighted route without weight")
	}
	for i, share := range Shares(weights) {
		out[i].Weight = share
	}
	return out
}

// mirrors follows istiod's MirrorPercent: mirrorPercentage wins, then the
// deprecated mirrorPercent, else 100; an explicit 0 mirrors nothing.
func mirrors(h *networkingv1.HTTPRoute) (*Mirror, []Mirror) {
	var legacy *Mirror
	if m := h.GetMirror(); m != nil {
		pct := 100.0
		switch {
		case h.GetMirrorPercentage() != nil:
			pct = h.GetMirrorPercentage().GetValue()
		case h.GetMirrorPercent() != nil: //nolint:staticcheck // the deprecated field still takes effect in Istio
			pct = float64(h.GetMirrorPercent().GetValue()) //nolint:staticcheck // as above
		}
		if pct > 0 {
			legacy = &Mirror{Host: m.GetHost(), Subset: m.GetSubset(), Port: m.GetPort().GetNumber(), Percent: pct}
		}
	}
	var list []Mirror
	for _, mp := range h.GetMirrors() {
		d := mp.GetDestination()
		if d == nil {
			continue
		}
		pct := 100.0
		if mp.GetPercentage() != nil {
			pct = mp.GetPercentage().GetValue()
		}
		if pct > 0 {
			list = append(list, Mirror{Host: d.GetHost(), Subset: d.GetSubset(), Port: d.GetPort().GetNumber(), Percent: pct})
		}
	}
	return legacy, list
}

// fault follows istiod's TranslateFault: a delay without percentage takes the
// deprecated integer percent (0 when absent); an abort without percentage
// aborts nothing, as the API documents; exponential delays and HTTP/2 errors
// are not supported and dropped.
func fault(f *networkingv1.HTTPFaultInjection, warnings *[]string) *Fault {
	if f == nil {
		return nil
	}
	out := &Fault{}
	if d := f.GetDelay(); d != nil {
		if fd := d.GetFixedDelay(); fd != nil {
			pct := float64(d.GetPercent()) //nolint:staticcheck // the deprecated field still takes effect in Istio
			if d.GetPercentage() != nil {
				pct = d.GetPercentage().GetValue()
			}
			out.Delay = &Delay{Percent: pct, FixedDelay: fd.AsDuration()}
		} else {
			*warnings = append(*warnings, "the fault delay is not a fixedDelay; Istio drops it")
		}
	}
	if a := f.GetAbort(); a != nil {
		ab := &Abort{Percent: a.GetPercentage().GetValue()}
		switch e := a.GetErrorType().(type) {
		case *networkingv1.HTTPFaultInjection_Abort_HttpStatus:
			ab.HTTPStatus = e.HttpStatus
		case *networkingv1.HTTPFaultInjection_Abort_GrpcStatus:
			ab.GRPCStatus = e.GrpcStatus
		default:
			ab = nil
			*warnings = append(*warnings, "the fault abort has no httpStatus or grpcStatus; Istio drops it")
		}
		out.Abort = ab
	}
	if out.Delay == nil && out.Abort == nil {
		return nil
	}
	return out
}

// retries follows istiod's retry.ConvertPolicy: no policy means the default,
// attempts <= 0 disables retries, and a policy without retryOn keeps the
// default conditions.
func retries(in *networkingv1.HTTPRetry) *Retries {
	if in == nil {
		return &Retries{Attempts: defaultRetryAttempts, RetryOn: defaultRetryOn, Default: true}
	}
	if in.GetAttempts() <= 0 {
		return &Retries{}
	}
	out := &Retries{Attempts: in.GetAttempts(), RetryOn: defaultRetryOn, PerTryTimeout: in.GetPerTryTimeout().AsDuration()}
	if in.GetRetryOn() != "" {
		out.RetryOn = in.GetRetryOn()
	}
	return out
}

// httpPath is the data path of an http route, or of one of its match blocks
// when match >= 0.
func httpPath(route, match int) string {
	return dataPath("http", route, match)
}

func dataPath(kind string, route, match int) string {
	s := "spec." + kind + "[" + strconv.Itoa(route) + "]"
	if match >= 0 {
		s += ".match[" + strconv.Itoa(match) + "]"
	}
	return s
}
