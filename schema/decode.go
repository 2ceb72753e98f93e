package schema

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/internal/gateway"
)

// decoder turns schema-valid Nodes into Rollouts, applying defaults and the
// checks that the schema cannot express, collecting every error.
type decoder struct {
	errs   Errors
	ladder *Node // the schema's #DefaultLadder
}

func (d *decoder) errorf(p Pos, format string, args ...any) {
	d.errs = append(d.errs, Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// labelKey is a Kubernetes qualified name with an optional DNS prefix.
	labelKey   = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	headerName = regexp.MustCompile(`^[!#$%&'*+\-.^_` + "`" + `|~0-9a-z]+$`)
)

func isDNSLabel(s string) bool { return len(s) <= 63 && dnsLabel.MatchString(s) }

func isLabelKey(s string) bool {
	if !labelKey.MatchString(s) {
		return false
	}
	prefix, name, ok := strings.Cut(s, "/")
	if !ok {
		name, prefix = prefix, ""
	}
	return len(name) <= 63 && len(prefix) <= 253
}

// rollout decodes the rollout called name from n, which satisfies #Rollout.
func (d *decoder) rollout(name string, n *Node, file string, at Path) *Rollout {
	r := &Rollout{Name: name, File: file, node: n, at: at}
	ctx := "rollout " + name
	if !isDNSLabel(name) {
		d.errorf(n.P(), "rollout name %q must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (it becomes a file name)", name)
	}
	if name == "kustomization" || name == "peerauthentication" {
		d.errorf(n.P(), "rollout name %q is reserved for a file of the rendered tree (%s.yaml); choose another name", name, name)
	}
	r.Namespace = str(n.Get("namespace"), DefaultNamespace)
	r.Host = str(n.Get("host"), name)
	r.Hosts = strs(n.Get("hosts"))
	r.Gateways = strs(n.Get("gateways"))
	r.MTLS = str(n.Get("mtls"), DefaultMTLS)
	// A set rather than a search of the hosts before: a list of 100,000
	// hosts must cost linear time.
	listed := make(map[string]bool, len(r.Hosts)+1)
	listed[r.Host] = true
	for i, h := range r.Hosts {
		if listed[h] {
			d.errorf(n.Get("hosts").List()[i].P(), "%s: host %q is listed twice; list each host once", ctx, h)
		}
		listed[h] = true
	}

	r.Stable = d.track(ctx, TrackStable, r.Host, n.Get("stable"), n.P())
	if c := n.Get("canary"); c != nil {
		t := d.track(ctx, TrackCanary, r.Host, c, n.P())
		r.Canary = &t
		switch {
		case t.Host == r.Stable.Host && t.Subset == r.Stable.Subset:
			d.errorf(c.P(), "%s: canary is the same destination as stable (%s); give the canary its own subset or host", ctx, describeTrack(t))
		case t.Host == r.Stable.Host && t.Subset != "" && r.Stable.Subset != "" && sameLabels(t.Labels, r.Stable.Labels):
			d.errorf(c.P(), "%s: the canary subset %s selects the same pods as the stable subset %s (labels %s); give it labels of its own", ctx, t.Subset, r.Stable.Subset, formatLabels(t.Labels))
		}
	}

	if s := n.Get("subsets"); s != nil {
		for _, f := range s.Map() {
			switch {
			case !isDNSLabel(f.Name):
				d.errorf(f.Value.P(), "%s: subset name %q must be a DNS-1123 label: lower-case letters, digits and '-'", ctx, f.Name)
			case f.Name == TrackStable || f.Name == TrackCanary:
				d.errorf(f.Value.P(), "%s: an extra subset may not be called %q, the name of a track; name it for its version or purpose", ctx, f.Name)
			case f.Name == r.Stable.Subset && r.Stable.Host == r.Host, r.Canary != nil && f.Name == r.Canary.Subset && r.Canary.Host == r.Host:
				d.errorf(f.Value.P(), "%s: extra subset %q is already the subset of a track; routes reach it through the track's name", ctx, f.Name)
			}
			labels := d.labels(ctx, f.Value.Get("labels"))
			if len(labels) == 0 {
				d.errorf(f.Value.P(), "%s: subset %q selects no pods; give it labels", ctx, f.Name)
			}
			r.Subsets = append(r.Subsets, Subset{Name: f.Name, Labels: labels})
		}
		sort.Slice(r.Subsets, func(i, j int) bool { return r.Subsets[i].Name < r.Subsets[j].Name })
	}

	d.phases(r, n)
	if s := n.Get("since"); s != nil {
		t, err := time.Parse(time.RFC3339, s.S())
		if err != nil {
			d.errorf(s.P(), "%s: since %q is not an RFC 3339 time such as 2026-11-22T09:30:00Z", ctx, s.S())
		}
		r.Since = t
	}
	r.Reason = str(n.Get("reason"), "")
	d.routes(r, n)
	if m := n.Get("mirror"); m != nil {
		r.Mirror = &Mirror{To: m.Get("to").S(), Percent: num(m.Get("percent"), 100)}
		d.target(r, m.Get("to"), "mirror")
	}
	if f := n.Get("fault"); f != nil {
		r.Fault = &Fault{}
		if dl := f.Get("delay"); dl != nil {
			r.Fault.Delay = &Delay{Percent: num(dl.Get("percent"), 0), FixedDelay: d.duration(ctx, "fault.delay.fixedDelay", dl.Get("fixedDelay"))}
		}
		if ab := f.Get("abort"); ab != nil {
			r.Fault.Abort = &Abort{Percent: num(ab.Get("percent"), 0), HTTPStatus: int(ab.Get("httpStatus").I())}
		}
		if r.Fault.Delay == nil && r.Fault.Abort == nil {
			d.errorf(f.P(), "%s: fault injects nothing; give it a delay, an abort, or remove it", ctx)
		}
	}
	r.Timeout = d.duration(ctx, "timeout", n.Get("timeout"))
	if rt := n.Get("retries"); rt != nil {
		r.Retries = &Retries{
			Attempts:      int(rt.Get("attempts").I()),
			PerTryTimeout: d.duration(ctx, "retries.perTryTimeout", rt.Get("perTryTimeout")),
			RetryOn:       str(rt.Get("retryOn"), ""),
		}
	}
	if tp := n.Get("trafficPolicy"); tp != nil {
		r.TrafficPolicy = d.trafficPolicy(ctx, tp)
	}
	d.expectations(r, n)
	d.analysis(r, n)
	return r
}

func describeTrack(t Track) string {
	if t.Subset == "" {
		return "host " + t.Host
	}
	return "host " + t.Host + " subset " + t.Subset
}

func (d *decoder) track(ctx, which, host string, n *Node, parent Pos) Track {
	t := Track{Host: str(n.Get("host"), host), Subset: str(n.Get("subset"), "")}
	t.Labels = d.labels(ctx, n.Get("labels"))
	switch {
	case n == nil:
		d.errorf(parent, "%s: %s is required; give it a subset (with labels) or a host", ctx, which)
	case t.Subset == "" && len(t.Labels) > 0:
		d.errorf(n.P(), "%s: %s has labels but no subset; labels select the pods of a subset, so name it", ctx, which)
	case t.Subset == "" && t.Host == host:
		d.errorf(n.P(), "%s: %s names neither a subset of %s nor another host; give it a subset (with labels) or a host", ctx, which, host)
	case t.Subset != "" && len(t.Labels) == 0:
		// The common convention: subset v2 selects pods labelled version: v2.
		t.Labels = map[string]string{"version": t.Subset}
	}
	return t
}

func (d *decoder) labels(ctx string, n *Node) map[string]string {
	if n == nil {
		return nil
	}
	m := make(map[string]string, len(n.Map()))
	for _, f := range n.Map() {
		if !isLabelKey(f.Name) {
			d.errorf(f.Value.P(), "%s: %q is not a Kubernetes label key (an optional DNS prefix and '/', then letters, digits, '-', '_' and '.')", ctx, f.Name)
		}
		m[f.Name] = f.Value.S()
	}
	return m
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func formatLabels(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

func (d *decoder) phases(r *Rollout, n *Node) {
	ctx := "rollout " + r.Name
	pn := n.Get("phases")
	if pn == nil {
		pn = d.ladder
	} else if len(pn.List()) == 0 {
		d.errorf(pn.P(), "%s: phases is empty; list at least one phase, or leave phases out for the default ladder", ctx)
	}
	for _, e := range pn.List() {
		p := Phase{Name: e.Get("name").S(), CanaryWeight: int(e.Get("canaryWeight").I())}
		p.Hold = d.duration(ctx, fmt.Sprintf("phase %s hold", p.Name), e.Get("hold"))
		if p.Name == PhaseRollback {
			d.errorf(e.Get("name").P(), "%s: phases may not include %q: every rollout has it, sending all traffic to stable", ctx, PhaseRollback)
		}
		for _, q := range r.Phases {
			if q.Name == p.Name {
				d.errorf(e.Get("name").P(), "%s: phase %s is listed twice; phase names are unique", ctx, p.Name)
			}
		}
		r.Phases = append(r.Phases, p)
	}
	r.Phase = str(n.Get("phase"), "")
	switch {
	case r.Phase == "" && len(r.Phases) > 0:
		r.Phase = r.Phases[0].Name
	case r.Phase == PhaseRollback:
	default:
		if _, ok := r.PhaseNamed(r.Phase); !ok {
			d.errorf(n.Get("phase").P(), "%s: phase %q does not exist; it is one of %s", ctx, r.Phase, orList(append(phaseNames(r.Phases), PhaseRollback)))
		}
	}
}

func phaseNames(ps []Phase) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

func (d *decoder) routes(r *Rollout, n *Node) {
	ctx := "rollout " + r.Name
	rn := n.Get("routes")
	if rn == nil {
		return
	}
	for _, e := range rn.List() {
		rt := Route{Name: e.Get("name").S(), To: e.Get("to").S()}
		for _, q := range r.Routes {
			if q.Name == rt.Name {
				d.errorf(e.Get("name").P(), "%s: route %s is listed twice; route names are unique", ctx, rt.Name)
			}
		}
		rctx := fmt.Sprintf("%s: route %s", ctx, rt.Name)
		m := e.Get("match")
		if hs := m.Get("headers"); hs != nil {
			for _, f := range hs.Map() {
				if !headerName.MatchString(f.Name) {
					d.errorf(f.Value.P(), "%s: header %q must be a lower-case HTTP header name", rctx, f.Name)
				}
				rt.Match.Headers = append(rt.Match.Headers, HeaderMatch{Name: f.Name, StringMatch: d.stringMatch(rctx, "header "+f.Name, f.Value)})
			}
			sort.Slice(rt.Match.Headers, func(i, j int) bool { return rt.Match.Headers[i].Name < rt.Match.Headers[j].Name })
		}
		if c := m.Get("cookie"); c != nil {
			rt.Match.Cookie = &Cookie{Name: c.Get("name").S(), Value: c.Get("value").S()}
			if err := cookie.Check(rt.Match.Cookie.Name, rt.Match.Cookie.Value); err != nil {
				d.errorf(c.Get("value").P(), "%s: %v; a browser cannot send it as one cookie", rctx, err)
			}
			for _, h := range rt.Match.Headers {
				if h.Name == "cookie" {
					d.errorf(c.P(), "%s: match has both a cookie and a cookie header; use one", rctx)
				}
			}
		}
		if sl := m.Get("sourceLabels"); sl != nil {
			rt.Match.SourceLabels = d.labels(rctx, sl)
		}
		if u := m.Get("uri"); u != nil {
			sm := d.stringMatch(rctx, "uri", u)
			rt.Match.URI = &sm
		}
		rt.Match.Method = str(m.Get("method"), "")
		if len(rt.Match.Headers) == 0 && rt.Match.Cookie == nil && len(rt.Match.SourceLabels) == 0 && rt.Match.URI == nil && rt.Match.Method == "" {
			p := m.P()
			if !p.IsValid() {
				p = e.P()
			}
			d.errorf(p, "%s: match is empty, so it would catch every request and the weighted split would never be reached; give it a header, cookie, sourceLabels, uri or method", rctx)
		}
		d.target(r, e.Get("to"), "route "+rt.Name)
		r.Routes = append(r.Routes, rt)
	}
}

func (d *decoder) stringMatch(ctx, what string, n *Node) StringMatch {
	var m StringMatch
	var set []string
	for _, k := range []string{"exact", "prefix", "regex"} {
		if v := n.Get(k); v != nil {
			set = append(set, k)
			m.Kind = k
			switch k {
			case "exact":
				m.Exact = v.S()
			case "prefix":
				m.Prefix = v.S()
			case "regex":
				m.Regex = v.S()
				if _, err := regexp.Compile(v.S()); err != nil {
					d.errorf(v.P(), "%s: %s regex %q is not valid RE2 (%v)", ctx, what, v.S(), reason(err))
				}
			}
		}
	}
	if len(set) != 1 {
		d.errorf(n.P(), "%s: %s must give exactly one of exact, prefix and regex", ctx, what)
	}
	return m
}

// reason strips the "error parsing regexp: " prefix of a regexp error.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// target checks that n (a "to" field) names a track or extra subset.
func (d *decoder) target(r *Rollout, n *Node, what string) {
	if n == nil {
		return
	}
	targets := r.Targets()
	if indexOf(targets, n.S()) >= 0 {
		return
	}
	if n.S() == TrackCanary {
		d.errorf(n.P(), "rollout %s: %s goes to the canary, but the rollout has no canary; add a canary track or send it elsewhere", r.Name, what)
		return
	}
	d.errorf(n.P(), "rollout %s: %s goes to %q, which is not defined; it is one of %s (extra subsets are declared under subsets)", r.Name, what, n.S(), orList(targets))
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// duration parses a schema-valid duration; nil gives zero.
func (d *decoder) duration(ctx, what string, n *Node) time.Duration {
	if n == nil {
		return 0
	}
	v, err := time.ParseDuration(n.S())
	switch {
	case err != nil:
		d.errorf(n.P(), "%s: %s %q is not a duration such as 500ms, 10s, 2m or 1h", ctx, what, n.S())
	case v < time.Millisecond:
		d.errorf(n.P(), "%s: %s %q is shorter than 1ms; Istio rejects it", ctx, what, n.S())
	}
	return v
}

func (d *decoder) trafficPolicy(ctx string, n *Node) *TrafficPolicy {
	tp := &TrafficPolicy{}
	if cp := n.Get("connectionPool"); cp != nil {
		tp.ConnectionPool = &ConnectionPool{}
		if t := cp.Get("tcp"); t != nil {
			tp.ConnectionPool.TCP = &TCPPool{
				MaxConnections:        i32(t.Get("maxConnections")),
				ConnectTimeout:        d.duration(ctx, "connectionPool.tcp.connectTimeout", t.Get("connectTimeout")),
				MaxConnectionDuration: d.duration(ctx, "connectionPool.tcp.maxConnectionDuration", t.Get("maxConnectionDuration")),
				IdleTimeout:           d.duration(ctx, "connectionPool.tcp.idleTimeout", t.Get("idleTimeout")),
			}
		}
		if h := cp.Get("http"); h != nil {
			tp.ConnectionPool.HTTP = &HTTPPool{
				HTTP1MaxPendingRequests:  i32(h.Get("http1MaxPendingRequests")),
				HTTP2MaxRequests:         i32(h.Get("http2MaxRequests")),
				MaxRequestsPerConnection: i32(h.Get("maxRequestsPerConnection")),
				MaxRetries:               i32(h.Get("maxRetries")),
				MaxConcurrentStreams:     i32(h.Get("maxConcurrentStreams")),
				IdleTimeout:              d.duration(ctx, "connectionPool.http.idleTimeout", h.Get("idleTimeout")),
				H2UpgradePolicy:          str(h.Get("h2UpgradePolicy"), ""),
				UseClientProtocol:        h.Get("useClientProtocol") != nil && h.Get("useClientProtocol").B(),
			}
		}
	}
	if od := n.Get("outlierDetection"); od != nil {
		b := od.Get("splitExternalLocalOriginErrors")
		tp.OutlierDetection = &OutlierDetection{
			Consecutive5xxErrors:           u32(od.Get("consecutive5xxErrors")),
			ConsecutiveGatewayErrors:       u32(od.Get("consecutiveGatewayErrors")),
			ConsecutiveLocalOriginFailures: u32(od.Get("consecutiveLocalOriginFailures")),
			SplitExternalLocalOriginErrors: b != nil && b.B(),
			Interval:                       d.duration(ctx, "outlierDetection.interval", od.Get("interval")),
			BaseEjectionTime:               d.duration(ctx, "outlierDetection.baseEjectionTime", od.Get("baseEjectionTime")),
			MaxEjectionPercent:             i32(od.Get("maxEjectionPercent")),
			MinHealthPercent:               i32(od.Get("minHealthPercent")),
		}
	}
	if lb := n.Get("loadBalancer"); lb != nil {
		tp.LoadBalancer = str(lb.Get("simple"), "")
	}
	if t := n.Get("tls"); t != nil {
		tp.TLSMode = str(t.Get("mode"), "")
	}
	return tp
}

func (d *decoder) expectations(r *Rollout, n *Node) {
	en := n.Get("expect")
	if en == nil {
		return
	}
	ctx := "rollout " + r.Name
	for i, e := range en.List() {
		x := Expectation{Name: str(e.Get("name"), ""), Pos: e.P(), Index: i}
		req := e.Get("request")
		x.Request = Request{
			Cookies:         strMap(req.Get("cookies")),
			SourceLabels:    strMap(req.Get("sourceLabels")),
			SourceNamespace: str(req.Get("sourceNamespace"), ""),
			URI:             str(req.Get("uri"), ""),
			Method:          str(req.Get("method"), ""),
			Scheme:          str(req.Get("scheme"), ""),
			Authority:       str(req.Get("authority"), ""),
			Query:           strMap(req.Get("query")),
		}
		if p := req.Get("port"); p != nil && p.I() >= 1 && p.I() <= math.MaxUint16 {
			x.Request.Port = uint32(p.I())
		}
		if hs := req.Get("headers"); hs != nil {
			x.Request.Headers = make(map[string][]string, len(hs.Map()))
			for _, f := range hs.Map() {
				if !headerName.MatchString(f.Name) {
					d.errorf(f.Value.P(), "%s: expect[%d]: header %q must be a lower-case HTTP header name", ctx, i, f.Name)
				}
				if f.Value.Kind == List {
					x.Request.Headers[f.Name] = strs(f.Value)
				} else {
					x.Request.Headers[f.Name] = []string{f.Value.S()}
				}
			}
		}
		if u := x.Request.URI; u != "" && !strings.HasPrefix(u, "/") {
			d.errorf(req.Get("uri").P(), "%s: expect[%d]: uri %q must start with /", ctx, i, u)
		}
		if g := e.Get("gateway"); g != nil {
			x.Gateway = g.S()
			x.GatewayID = gateway.Resolve(x.Gateway, r.Namespace)
			bound := make([]string, 0, len(r.Gateways)+1)
			for _, gw := range r.Gateways {
				bound = append(bound, gateway.Resolve(gw, r.Namespace))
			}
			if len(bound) == 0 {
				bound = append(bound, gateway.Mesh)
			}
			if indexOf(bound, x.GatewayID) < 0 {
				d.errorf(g.P(), "%s: expect[%d]: gateway %q is not one of the rollout's gateways (%s), so no request through it reaches the rollout; add it to gateways or name one of them",
					ctx, i, x.Gateway, strings.Join(bound, ", "))
			}
		}
		if ps := e.Get("phases"); ps != nil {
			for _, p := range ps.List() {
				if _, ok := r.PhaseNamed(p.S()); !ok && p.S() != PhaseRollback {
					d.errorf(p.P(), "%s: expect[%d]: phase %q does not exist; it is one of %s", ctx, i, p.S(), orList(append(phaseNames(r.Phases), PhaseRollback)))
				}
				x.Phases = append(x.Phases, p.S())
			}
		}
		x.Reaches = map[string]float64{}
		total := 0.0
		for _, f := range e.Get("reaches").Map() {
			if indexOf(r.Targets(), f.Name) < 0 {
				d.errorf(f.Value.P(), "%s: expect[%d] reaches %q, which is not defined; it is one of %s", ctx, i, f.Name, orList(r.Targets()))
			}
			x.Reaches[f.Name] = f.Value.F()
			total += f.Value.F()
		}
		if len(x.Reaches) == 0 {
			d.errorf(e.P(), "%s: expect[%d] reaches nothing; say where the request must go, e.g. reaches: {canary: 100}", ctx, i)
		} else if total > 100+1e-9 {
			d.errorf(e.Get("reaches").P(), "%s: expect[%d] reaches %s%% in all; the shares are at most 100", ctx, i, formatNum(total))
		}
		r.Expect = append(r.Expect, x)
	}
}

func str(n *Node, def string) string {
	if n == nil || n.Kind != String {
		return def
	}
	return n.Str
}

func num(n *Node, def float64) float64 {
	if n == nil || (n.Kind != Int && n.Kind != Float) {
		return def
	}
	return n.Num
}

func strs(n *Node) []string {
	if n == nil {
		return nil
	}
	out := make([]string, len(n.List()))
	for i, e := range n.List() {
		out[i] = e.S()
	}
	return out
}

func strMap(n *Node) map[string]string {
	if n == nil {
		return nil
	}
	m := make(map[string]string, len(n.Map()))
	for _, f := range n.Map() {
		m[f.Name] = f.Value.S()
	}
	return m
}

func i32(n *Node) *int32 {
	if n == nil || n.I() > math.MaxInt32 || n.I() < math.MinInt32 {
		return nil
	}
	v := int32(n.I())
	return &v
}

func u32(n *Node) *uint32 {
	if n == nil || n.I() < 0 || n.I() > math.MaxUint32 {
		return nil
	}
	v := uint32(n.I())
	return &v
}
