package render

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
	apinet "istio.io/api/networking/v1"
	netalpha "istio.io/api/networking/v1alpha3"
	apisec "istio.io/api/security/v1"
	secbeta "istio.io/api/security/v1beta1"
	clientnet "istio.io/client-go/pkg/apis/networking/v1"
	clientsec "istio.io/client-go/pkg/apis/security/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/internal/yamlpath"
	"github.com/meshroll/meshroll/schema"
)

// Object is one rendered Kubernetes object: a client-go wrapper
// (*VirtualService, *DestinationRule or *PeerAuthentication) whose spec is
// the istio.io/api type.
type Object struct {
	Resource any
	// Rollout is the rollout the object was rendered from; nil for a
	// PeerAuthentication, which belongs to a namespace.
	Rollout *schema.Rollout
	// Phase is the phase it was rendered for.
	Phase string
	// Provenance is which intent field produced each field of the object;
	// Trace records it, Rollout leaves it nil.
	Provenance *Provenance
}

// Meta returns the object's type and metadata.
func (o Object) Meta() (*metav1.TypeMeta, *metav1.ObjectMeta) {
	switch r := o.Resource.(type) {
	case *clientnet.VirtualService:
		return &r.TypeMeta, &r.ObjectMeta
	case *clientnet.DestinationRule:
		return &r.TypeMeta, &r.ObjectMeta
	case *clientsec.PeerAuthentication:
		return &r.TypeMeta, &r.ObjectMeta
	}
	panic(fmt.Sprintf("render: unexpected object %T", o.Resource))
}

// Spec returns the object's Istio spec.
func (o Object) Spec() proto.Message {
	switch r := o.Resource.(type) {
	case *clientnet.VirtualService:
		return &r.Spec
	case *clientnet.DestinationRule:
		return &r.Spec
	case *clientsec.PeerAuthentication:
		return &r.Spec
	}
	panic(fmt.Sprintf("render: unexpected object %T", o.Resource))
}

// ID returns Kind/namespace/name.
func (o Object) ID() string {
	t, m := o.Meta()
	return t.Kind + "/" + m.Namespace + "/" + m.Name
}

func objectMeta(kind, apiVersion, ns, name string, annotations map[string]string) (metav1.TypeMeta, metav1.ObjectMeta) {
	return metav1.TypeMeta{Kind: kind, APIVersion: apiVersion}, metav1.ObjectMeta{
		Name:        name,
		Namespace:   ns,
		Labels:      map[string]string{meta.LabelManagedBy: meta.ManagedBy},
		Annotations: annotations,
	}
}

// Phases returns the phases of r that can be rendered: its ladder, then
// rollback.
func Phases(r *schema.Rollout) []string {
	names := make([]string, 0, len(r.Phases)+1)
	for _, p := range r.Phases {
		names = append(names, p.Name)
	}
	return append(names, schema.PhaseRollback)
}

// Weights returns the stable and canary weights of r in phase: rollback and
// a rollout without a canary send everything to stable.
func Weights(r *schema.Rollout, phase string) (stable, canary int, err error) {
	if phase == schema.PhaseRollback {
		return 100, 0, nil
	}
	p, ok := r.PhaseNamed(phase)
	if !ok {
		return 0, 0, fmt.Errorf("rollout %s has no phase %q; it has %s", r.Name, phase, strings.Join(Phases(r), ", "))
	}
	if r.Canary == nil {
		return 100, 0, nil
	}
	return 100 - p.CanaryWeight, p.CanaryWeight, nil
}

// Rollout renders rollout r in phase: its VirtualService, then its
// DestinationRules.
func Rollout(r *schema.Rollout, phase string) ([]Object, error) { return rollout(r, phase, false) }

// Trace renders like Rollout, and records in each object's Provenance which
// intent field produced each of its fields. It costs more than Rollout, so
// only what maps findings back to intent asks for it.
func Trace(r *schema.Rollout, phase string) ([]Object, error) { return rollout(r, phase, true) }

func rollout(r *schema.Rollout, phase string, trace bool) ([]Object, error) {
	stableW, canaryW, err := Weights(r, phase)
	if err != nil {
		return nil, err
	}
	ann := map[string]string{meta.AnnotationRollout: r.Name, meta.AnnotationPhase: phase}
	if phase == r.Phase && !r.Since.IsZero() {
		ann[meta.AnnotationSince] = r.Since.UTC().Format(time.RFC3339)
	}
	if phase == r.Phase && r.Reason != "" {
		ann[meta.AnnotationReason] = r.Reason
	}
	vs := &clientnet.VirtualService{}
	vs.TypeMeta, vs.ObjectMeta = objectMeta("VirtualService", "networking.istio.io/v1", r.Namespace, r.Name, ann)
	var rec *recorder
	if trace {
		rec = newRecorder(r)
	}
	vs.Spec.Hosts = append([]string{r.Host}, r.Hosts...)
	vs.Spec.Gateways = append([]string(nil), r.Gateways...)
	if rec != nil {
		rec.set("spec.hosts", "host")
		rec.set("spec.hosts[0]", "host")
		for i := range r.Hosts {
			rec.set(index("spec.hosts", i+1), "hosts", i)
		}
		rec.set("spec.gateways", "gateways")
		for i := range r.Gateways {
			rec.set(index("spec.gateways", i), "gateways", i)
		}
	}
	vs.Spec.Http = httpRoutes(r, phase, stableW, canaryW, rec)
	objs := []Object{{Resource: vs, Rollout: r, Phase: phase, Provenance: rec.provenance()}}
	drAnn := ann
	if phase == schema.PhaseRollback && (r.Canary != nil && r.Canary.Subset != "" || len(r.Subsets) > 0) {
		// Rollback routes nothing to the canary's or the extra subsets but
		// keeps them, so that returning to the ladder never sends traffic
		// to a subset the DestinationRule has not defined yet. The
		// suppression tells meshroll lint (MR104) so, with the reason.
		drAnn = maps.Clone(ann)
		drAnn[meta.Suppress(meta.UnusedSubset)] = "rollback keeps the subsets it does not route to, so that returning to the ladder never routes to a subset that is not defined yet"
	}
	drs, recs := destinationRules(r, drAnn, trace)
	for i, dr := range drs {
		o := Object{Resource: dr, Rollout: r, Phase: phase}
		if trace {
			o.Provenance = recs[i].provenance()
		}
		objs = append(objs, o)
	}
	return objs, nil
}

// httpRoutes builds the http routes of r: the A/B routes in order, then the
// weighted route. Rollback keeps only the weighted route, all to stable,
// without mirror or fault. rec, when not nil, records where each field came
// from.
func httpRoutes(r *schema.Rollout, phase string, stableW, canaryW int, rec *recorder) []*apinet.HTTPRoute {
	rollback := phase == schema.PhaseRollback
	var routes []*apinet.HTTPRoute
	if rec != nil {
		rec.set("spec.http", "routes")
	}
	if !rollback {
		for i, ab := range r.Routes {
			hr := &apinet.HTTPRoute{
				Name:  ab.Name,
				Match: []*apinet.HTTPMatchRequest{match(ab.Match)},
				Route: []*apinet.HTTPRouteDestination{{Destination: destination(r, ab.To), Weight: 100}},
			}
			if rec != nil {
				p := index("spec.http", i)
				rec.set(p, "routes", i)
				rec.set(p+".name", "routes", i, "name")
				rec.set(p+".route", "routes", i, "to")
				rec.set(p+".match", "routes", i, "match")
				recordMatch(rec, index(p+".match", 0), []any{"routes", i, "match"}, ab.Match)
			}
			routes = append(routes, hr)
		}
	}
	weighted := &apinet.HTTPRoute{Name: meta.RouteWeighted}
	weighted.Route = append(weighted.Route, &apinet.HTTPRouteDestination{Destination: destination(r, schema.TrackStable), Weight: int32(stableW)})
	if r.Canary != nil && !rollback {
		// Both tracks stay listed in every phase, even at weight 0, so that
		// a phase change is a pure weight change in a diff.
		weighted.Route = append(weighted.Route, &apinet.HTTPRouteDestination{Destination: destination(r, schema.TrackCanary), Weight: int32(canaryW)})
	}
	if rec != nil {
		// The weighted route's weights, and all else in it, come from the
		// phase; its destinations from the tracks.
		p := index("spec.http", len(routes))
		rec.set(p, phaseField(r, phase)...)
		rec.set(p+".route[0].destination", schema.TrackStable)
		rec.set(p+".route[1].destination", schema.TrackCanary)
	}
	routes = append(routes, weighted)
	for i, hr := range routes {
		var p string
		if rec != nil {
			p = index("spec.http", i)
		}
		if r.Timeout > 0 {
			hr.Timeout = durationpb.New(r.Timeout)
			if rec != nil {
				rec.set(p+".timeout", "timeout")
			}
		}
		if rt := r.Retries; rt != nil {
			hr.Retries = &apinet.HTTPRetry{Attempts: int32(rt.Attempts), RetryOn: rt.RetryOn}
			if rt.PerTryTimeout > 0 {
				hr.Retries.PerTryTimeout = durationpb.New(rt.PerTryTimeout)
			}
			if rec != nil {
				rec.set(p+".retries", "retries")
				rec.set(p+".retries.attempts", "retries", "attempts")
				rec.set(p+".retries.retryOn", "retries", "retryOn")
				rec.set(p+".retries.perTryTimeout", "retries", "perTryTimeout")
			}
		}
		if rollback {
			continue
		}
		if f := r.Fault; f != nil {
			hr.Fault = fault(f)
			if rec != nil {
				recordFault(rec, p+".fault")
			}
		}
		if m := r.Mirror; m != nil && !receives(r, hr, m.To) {
			hr.Mirror = destination(r, m.To)
			hr.MirrorPercentage = &apinet.Percent{Value: m.Percent}
			if rec != nil {
				rec.set(p+".mirror", "mirror", "to")
				rec.set(p+".mirrorPercentage", "mirror", "percent")
			}
		}
	}
	return routes
}

// recordMatch records the fields match renders from m at path p, from the
// intent's match at rel.
func recordMatch(rec *recorder, p string, rel []any, m schema.Match) {
	at := func(elems ...any) []any { return append(append([]any(nil), rel...), elems...) }
	if len(m.Headers) > 0 || m.Cookie != nil {
		rec.set(p+".headers", at("headers")...)
	}
	for _, h := range m.Headers {
		rec.set(p+".headers"+yamlpath.Key(h.Name), at("headers", h.Name)...)
	}
	if m.Cookie != nil {
		// The cookie becomes the cookie header's regex.
		rec.set(p+".headers.cookie", at("cookie")...)
	}
	if len(m.SourceLabels) > 0 {
		rec.set(p+".sourceLabels", at("sourceLabels")...)
		for k := range m.SourceLabels {
			rec.set(p+".sourceLabels"+yamlpath.Key(k), at("sourceLabels", k)...)
		}
	}
	if m.URI != nil {
		rec.set(p+".uri", at("uri")...)
	}
	if m.Method != "" {
		rec.set(p+".method", at("method")...)
	}
}

// recordFault records the fields fault renders at path p: the intent
// writes percentages as plain numbers.
func recordFault(rec *recorder, p string) {
	rec.set(p, "fault")
	for _, kind := range []string{"delay", "abort"} {
		rec.set(p+"."+kind, "fault", kind)
		rec.set(p+"."+kind+".percentage", "fault", kind, "percent")
	}
	rec.set(p+".delay.fixedDelay", "fault", "delay", "fixedDelay")
	rec.set(p+".abort.httpStatus", "fault", "abort", "httpStatus")
}

// receives reports whether route hr already sends live traffic to target: a
// mirror there would double the target's load instead of shadowing.
func receives(r *schema.Rollout, hr *apinet.HTTPRoute, target string) bool {
	d := destination(r, target)
	for _, rd := range hr.Route {
		if rd.Weight > 0 && rd.Destination.Host == d.Host && rd.Destination.Subset == d.Subset {
			return true
		}
	}
	return false
}

func fault(f *schema.Fault) *apinet.HTTPFaultInjection {
	out := &apinet.HTTPFaultInjection{}
	if d := f.Delay; d != nil {
		out.Delay = &apinet.HTTPFaultInjection_Delay{
			Percentage:    &apinet.Percent{Value: d.Percent},
			HttpDelayType: &apinet.HTTPFaultInjection_Delay_FixedDelay{FixedDelay: durationpb.New(d.FixedDelay)},
		}
	}
	if a := f.Abort; a != nil {
		out.Abort = &apinet.HTTPFaultInjection_Abort{
			Percentage: &apinet.Percent{Value: a.Percent},
			ErrorType:  &apinet.HTTPFaultInjection_Abort_HttpStatus{HttpStatus: int32(a.HTTPStatus)},
		}
	}
	return out
}

// destination resolves a route target: a track, or an extra subset of the
// rollout's host.
func destination(r *schema.Rollout, target string) *apinet.Destination {
	switch target {
	case schema.TrackStable:
		return &apinet.Destination{Host: r.Stable.Host, Subset: r.Stable.Subset}
	case schema.TrackCanary:
		if r.Canary != nil {
			return &apinet.Destination{Host: r.Canary.Host, Subset: r.Canary.Subset}
		}
	}
	return &apinet.Destination{Host: r.Host, Subset: target}
}

func match(m schema.Match) *apinet.HTTPMatchRequest {
	out := &apinet.HTTPMatchRequest{}
	if len(m.Headers) > 0 || m.Cookie != nil {
		out.Headers = map[string]*apinet.StringMatch{}
		for _, h := range m.Headers {
			out.Headers[h.Name] = stringMatch(h.StringMatch)
		}
		if c := m.Cookie; c != nil {
			out.Headers["cookie"] = &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: cookie.Regex(c.Name, c.Value)}}
		}
	}
	if len(m.SourceLabels) > 0 {
		out.SourceLabels = m.SourceLabels
	}
	if m.URI != nil {
		out.Uri = stringMatch(*m.URI)
	}
	if m.Method != "" {
		out.Method = &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: m.Method}}
	}
	return out
}

func stringMatch(m schema.StringMatch) *apinet.StringMatch {
	switch m.Kind {
	case "prefix":
		return &apinet.StringMatch{MatchType: &apinet.StringMatch_Prefix{Prefix: m.Prefix}}
	case "regex":
		return &apinet.StringMatch{MatchType: &apinet.StringMatch_Regex{Regex: m.Regex}}
	}
	return &apinet.StringMatch{MatchType: &apinet.StringMatch_Exact{Exact: m.Exact}}
}

// destinationRules builds one DestinationRule per host that has subsets, or
// that the traffic policy applies to: the rollout's host, named like the
// rollout, and any other track host, named rollout-track. With trace, each
// comes with a recorder of where its fields came from.
func destinationRules(r *schema.Rollout, ann map[string]string, trace bool) ([]*clientnet.DestinationRule, []*recorder) {
	type hostRule struct {
		name    string
		subsets []*apinet.Subset
		rec     *recorder
	}
	rules := map[string]*hostRule{}
	var order []string
	// add adds subset s (if any) to the rule of host, for track (stable or
	// canary; "" for an extra subset).
	add := func(host, name string, s *apinet.Subset, track string) {
		hr, ok := rules[host]
		if !ok {
			hr = &hostRule{name: name}
			if trace {
				hr.rec = newRecorder(r)
				if track != "" && host != r.Host {
					hr.rec.set("spec.host", track, "host")
				} else {
					hr.rec.set("spec.host", "host")
				}
				hr.rec.set("spec.subsets", "subsets")
				hr.rec.mirror("spec.trafficPolicy", "trafficPolicy")
			}
			rules[host] = hr
			order = append(order, host)
		}
		if s != nil {
			if hr.rec != nil {
				if track != "" {
					hr.rec.set(index("spec.subsets", len(hr.subsets)), track, "subset")
				} else {
					hr.rec.set(index("spec.subsets", len(hr.subsets)), "subsets", s.Name)
				}
			}
			hr.subsets = append(hr.subsets, s)
		}
	}
	tracks := []struct {
		name string
		t    *schema.Track
	}{{schema.TrackStable, &r.Stable}, {schema.TrackCanary, r.Canary}}
	for _, tr := range tracks {
		if tr.t == nil {
			continue
		}
		name := r.Name
		if tr.t.Host != r.Host {
			name = r.Name + "-" + tr.name
		}
		var s *apinet.Subset
		if tr.t.Subset != "" {
			s = &apinet.Subset{Name: tr.t.Subset, Labels: tr.t.Labels}
		}
		if s != nil || r.TrafficPolicy != nil {
			add(tr.t.Host, name, s, tr.name)
		}
	}
	for _, s := range r.Subsets {
		add(r.Host, r.Name, &apinet.Subset{Name: s.Name, Labels: s.Labels}, "")
	}
	sort.SliceStable(order, func(i, j int) bool { return rules[order[i]].name < rules[order[j]].name })
	var out []*clientnet.DestinationRule
	var recs []*recorder
	for _, host := range order {
		hr := rules[host]
		dr := &clientnet.DestinationRule{}
		dr.TypeMeta, dr.ObjectMeta = objectMeta("DestinationRule", "networking.istio.io/v1", r.Namespace, hr.name, ann)
		dr.Spec.Host = host
		dr.Spec.Subsets = hr.subsets
		dr.Spec.TrafficPolicy = trafficPolicy(r.TrafficPolicy)
		out = append(out, dr)
		if trace {
			recs = append(recs, hr.rec)
		}
	}
	return out, recs
}

func trafficPolicy(tp *schema.TrafficPolicy) *apinet.TrafficPolicy {
	if tp == nil {
		return nil
	}
	out := &apinet.TrafficPolicy{}
	if cp := tp.ConnectionPool; cp != nil {
		out.ConnectionPool = &apinet.ConnectionPoolSettings{}
		if t := cp.TCP; t != nil {
			out.ConnectionPool.Tcp = &apinet.ConnectionPoolSettings_TCPSettings{
				MaxConnections:        val32(t.MaxConnections),
				ConnectTimeout:        dur(t.ConnectTimeout),
				MaxConnectionDuration: dur(t.MaxConnectionDuration),
				IdleTimeout:           dur(t.IdleTimeout),
			}
		}
		if h := cp.HTTP; h != nil {
			out.ConnectionPool.Http = &apinet.ConnectionPoolSettings_HTTPSettings{
				Http1MaxPendingRequests:  val32(h.HTTP1MaxPendingRequests),
				Http2MaxRequests:         val32(h.HTTP2MaxRequests),
				MaxRequestsPerConnection: val32(h.MaxRequestsPerConnection),
				MaxRetries:               val32(h.MaxRetries),
				MaxConcurrentStreams:     val32(h.MaxConcurrentStreams),
				IdleTimeout:              dur(h.IdleTimeout),
				H2UpgradePolicy:          apinet.ConnectionPoolSettings_HTTPSettings_H2UpgradePolicy(netalpha.ConnectionPoolSettings_HTTPSettings_H2UpgradePolicy_value[h.H2UpgradePolicy]),
				UseClientProtocol:        h.UseClientProtocol,
			}
		}
	}
	if od := tp.OutlierDetection; od != nil {
		out.OutlierDetection = &apinet.OutlierDetection{
			Consecutive_5XxErrors:          wrap32(od.Consecutive5xxErrors),
			ConsecutiveGatewayErrors:       wrap32(od.ConsecutiveGatewayErrors),
			ConsecutiveLocalOriginFailures: wrap32(od.ConsecutiveLocalOriginFailures),
			SplitExternalLocalOriginErrors: od.SplitExternalLocalOriginErrors,
			Interval:                       dur(od.Interval),
			BaseEjectionTime:               dur(od.BaseEjectionTime),
			MaxEjectionPercent:             val32(od.MaxEjectionPercent),
			MinHealthPercent:               val32(od.MinHealthPercent),
		}
	}
	if tp.LoadBalancer != "" {
		out.LoadBalancer = &apinet.LoadBalancerSettings{LbPolicy: &apinet.LoadBalancerSettings_Simple{
			Simple: apinet.LoadBalancerSettings_SimpleLB(netalpha.LoadBalancerSettings_SimpleLB_value[tp.LoadBalancer]),
		}}
	}
	if tp.TLSMode != "" {
		out.Tls = &apinet.ClientTLSSettings{Mode: apinet.ClientTLSSettings_TLSmode(netalpha.ClientTLSSettings_TLSmode_value[tp.TLSMode])}
	}
	return out
}

func val32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func wrap32(p *uint32) *wrapperspb.UInt32Value {
	if p == nil {
		return nil
	}
	return wrapperspb.UInt32(*p)
}

func dur(d time.Duration) *durationpb.Duration {
	if d == 0 {
		return nil
	}
	return durationpb.New(d)
}

// PeerAuthentication renders the namespace-wide policy of ns.
func PeerAuthentication(ns, mode string) Object {
	pa := &clientsec.PeerAuthentication{}
	pa.TypeMeta, pa.ObjectMeta = objectMeta("PeerAuthentication", "security.istio.io/v1", ns, "default", nil)
	pa.Spec.Mtls = &apisec.PeerAuthentication_MutualTLS{Mode: apisec.PeerAuthentication_MutualTLS_Mode(secbeta.PeerAuthentication_MutualTLS_Mode_value[mode])}
	return Object{Resource: pa}
}
