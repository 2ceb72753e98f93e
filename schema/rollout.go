package schema

import (
	"fmt"
	"strings"
	"time"
)

// Track names for the two sides of a rollout. A/B routes, mirrors and
// expectations name a track or an extra subset.
const (
	TrackStable = "stable"
	TrackCanary = "canary"
	// PhaseRollback is the phase every rollout has: all traffic to stable.
	PhaseRollback = "rollback"
)

// Default values the schema leaves to meshroll.
const (
	DefaultNamespace     = "default"
	DefaultMTLS          = "STRICT"
	DefaultRootNamespace = "istio-system"
)

// Intent is everything loaded from a set of intent files.
type Intent struct {
	Rollouts []*Rollout // sorted by namespace, then name
	// Mesh is the mesh-wide mTLS policy, if any file declares one.
	Mesh *Mesh
}

// Mesh is the mesh-wide PeerAuthentication in the root namespace.
type Mesh struct {
	RootNamespace string
	MTLS          string
	Pos           Pos // of the mesh block
	node          *Node
}

// Rollout is the validated intent of one service, with defaults applied.
type Rollout struct {
	Name      string
	Namespace string
	Host      string
	Hosts     []string // extra VirtualService hosts
	Gateways  []string
	Stable    Track
	Canary    *Track   // nil: steady state, all traffic to stable
	Subsets   []Subset // extra subsets, sorted by name
	// Phase is the live phase: a phase name or PhaseRollback.
	Phase string
	// Since is when the live phase began; zero when unknown.
	Since time.Time
	// Reason says why the live phase was entered out of the ordinary (a
	// forced advance, a rollback); "" for an ordinary move.
	Reason string
	Phases []Phase
	Routes []Route
	Mirror *Mirror
	Fault  *Fault
	// Timeout is the route timeout; zero when unset.
	Timeout       time.Duration
	Retries       *Retries
	TrafficPolicy *TrafficPolicy
	MTLS          string
	Expect        []Expectation
	// Analysis is the metric analysis that gates the canary; nil when none.
	Analysis *Analysis

	// File is the intent file the rollout is declared in.
	File string
	node *Node
	at   Path
}

// Track is the stable or the canary side of a rollout: a subset of a host
// (Subset set), or a host of its own (Subset empty).
type Track struct {
	Host   string
	Subset string
	Labels map[string]string
}

// Subset is an extra subset of the rollout's host that A/B routes may target.
type Subset struct {
	Name   string
	Labels map[string]string
}

// Phase is one step of the ladder.
type Phase struct {
	Name         string
	CanaryWeight int
	Hold         time.Duration // zero: no hold
}

// Route is an A/B route, matched before the weighted split.
type Route struct {
	Name  string
	Match Match
	// To is TrackStable, TrackCanary or the name of an extra subset.
	To string
}

// Match is the conditions of an A/B route; all must hold.
type Match struct {
	Headers      []HeaderMatch // sorted by name
	Cookie       *Cookie
	SourceLabels map[string]string
	URI          *StringMatch
	Method       string
}

// HeaderMatch matches one request header.
type HeaderMatch struct {
	Name string
	StringMatch
}

// StringMatch holds exactly one of its fields.
type StringMatch struct {
	Exact, Prefix, Regex string
	// Kind is "exact", "prefix" or "regex".
	Kind string
}

// Value returns the string the match compares with.
func (m StringMatch) Value() string {
	switch m.Kind {
	case "prefix":
		return m.Prefix
	case "regex":
		return m.Regex
	}
	return m.Exact
}

// Cookie matches a cookie by name and exact value.
type Cookie struct {
	Name, Value string
}

// Mirror shadows a percentage of the traffic of every route that does not
// already send traffic to its target.
type Mirror struct {
	To      string
	Percent float64
}

// Fault injects delays and aborts.
type Fault struct {
	Delay *Delay
	Abort *Abort
}

// Delay delays a percentage of requests.
type Delay struct {
	Percent    float64
	FixedDelay time.Duration
}

// Abort fails a percentage of requests with an HTTP status.
type Abort struct {
	Percent    float64
	HTTPStatus int
}

// Retries is the retry policy of every route.
type Retries struct {
	Attempts      int
	PerTryTimeout time.Duration // zero when unset
	RetryOn       string
}

// TrafficPolicy is the circuit breaker and client-side policy of the
// DestinationRule.
type TrafficPolicy struct {
	ConnectionPool   *ConnectionPool
	OutlierDetection *OutlierDetection
	LoadBalancer     string // simple policy; "" when unset
	TLSMode          string // "" when unset
}

// ConnectionPool limits connections and requests. Nil pointers are unset.
type ConnectionPool struct {
	TCP  *TCPPool
	HTTP *HTTPPool
}

// TCPPool is the TCP connection pool.
type TCPPool struct {
	MaxConnections        *int32
	ConnectTimeout        time.Duration
	MaxConnectionDuration time.Duration
	IdleTimeout           time.Duration
}

// HTTPPool is the HTTP connection pool.
type HTTPPool struct {
	HTTP1MaxPendingRequests  *int32
	HTTP2MaxRequests         *int32
	MaxRequestsPerConnection *int32
	MaxRetries               *int32
	MaxConcurrentStreams     *int32
	IdleTimeout              time.Duration
	H2UpgradePolicy          string
	UseClientProtocol        bool
}

// OutlierDetection ejects failing endpoints. Nil pointers are unset.
type OutlierDetection struct {
	Consecutive5xxErrors           *uint32
	ConsecutiveGatewayErrors       *uint32
	ConsecutiveLocalOriginFailures *uint32
	SplitExternalLocalOriginErrors bool
	Interval                       time.Duration
	BaseEjectionTime               time.Duration
	MaxEjectionPercent             *int32
	MinHealthPercent               *int32
}

// Expectation is a routing test: where a request must go in some phases.
type Expectation struct {
	Name string
	// Gateway is the gateway the request enters through, as written; ""
	// for a request from a sidecar. GatewayID is it resolved to
	// namespace/name ("mesh" for sidecars).
	Gateway   string
	GatewayID string
	Request   Request
	Phases    []string // empty: every phase
	// Reaches maps a track or extra subset to the percentage of the requests
	// it must receive.
	Reaches map[string]float64
	Pos     Pos
	Index   int
}

// The built-in metric templates of an analysis.
const (
	TemplateSuccessRate = "request-success-rate"
	TemplateDuration    = "request-duration"
)

// DefaultAnalysisInterval is the query window of an analysis that names none.
const DefaultAnalysisInterval = time.Minute

// Analysis is the metric analysis of a rollout's canary.
type Analysis struct {
	// Interval is the window every query looks at.
	Interval time.Duration
	Metrics  []Metric
	Pos      Pos
}

// Metric is one metric of an analysis: a built-in template or a PromQL
// query, and the bounds its value must stay within.
type Metric struct {
	Name string
	// Template is TemplateSuccessRate or TemplateDuration; "" with Query.
	Template string
	// Query is the PromQL as written, variables not yet expanded; "" with
	// Template.
	Query string
	// Min and Max bound the value; nil when unbounded on that side.
	Min, Max *float64
	Pos      Pos
}

// Request is a request of an expectation.
type Request struct {
	// Headers maps a header name to its values: one, or several for a
	// header sent more than once, in the order written.
	Headers         map[string][]string
	Cookies         map[string]string
	SourceLabels    map[string]string
	SourceNamespace string
	URI             string
	Method          string
	Scheme          string
	Authority       string
	Port            uint32
	Query           map[string]string
}

// LivePhase returns the phase named by r.Phase; ok is false for rollback.
func (r *Rollout) LivePhase() (Phase, bool) { return r.PhaseNamed(r.Phase) }

// PhaseNamed returns the phase called name; ok is false when there is none.
func (r *Rollout) PhaseNamed(name string) (Phase, bool) {
	for _, p := range r.Phases {
		if p.Name == name {
			return p, true
		}
	}
	return Phase{}, false
}

// Pos returns the position of the value at the intent path rel (relative to
// the rollout, e.g. "phases", 1, "canaryWeight"), or of its nearest existing
// parent.
func (r *Rollout) Pos(rel ...any) Pos {
	n := r.node
	best := n.Pos
	for _, e := range rel {
		switch e := e.(type) {
		case string:
			n = n.Get(e)
		case int:
			if n == nil || e < 0 || e >= len(n.Elems) {
				n = nil
			} else {
				n = n.Elems[e]
			}
		default:
			n = nil
		}
		if n == nil {
			break
		}
		if n.Pos.IsValid() {
			best = n.Pos
		}
	}
	return best
}

// Path returns the full intent path of rel, e.g. rollouts.reviews.phases[1].
func (r *Rollout) Path(rel ...any) Path { return append(append(Path{}, r.at...), rel...) }

// ID returns namespace/name.
func (r *Rollout) ID() string { return r.Namespace + "/" + r.Name }

// Targets returns the names A/B routes, mirrors and expectations may target:
// the tracks, then the extra subsets.
func (r *Rollout) Targets() []string {
	t := []string{TrackStable}
	if r.Canary != nil {
		t = append(t, TrackCanary)
	}
	for _, s := range r.Subsets {
		t = append(t, s.Name)
	}
	return t
}

// Find returns the rollout ref names: "name", or "namespace/name" when the
// name alone is ambiguous.
func (in *Intent) Find(ref string) (*Rollout, error) {
	ns, name, qualified := strings.Cut(ref, "/")
	if !qualified {
		name, ns = ns, ""
	}
	var found []*Rollout
	for _, r := range in.Rollouts {
		if r.Name == name && (!qualified || r.Namespace == ns) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		var names []string
		for _, r := range in.Rollouts {
			names = append(names, r.ID())
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no rollout %q: the intents define no rollouts", ref)
		}
		return nil, fmt.Errorf("no rollout %q; the intents define %s", ref, strings.Join(names, ", "))
	}
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.ID()
	}
	return nil, fmt.Errorf("rollout %q is ambiguous; name one of %s", ref, strings.Join(ids, ", "))
}

// Declares reports whether the rollout's intent writes field itself rather
// than leaving it to a default.
func (r *Rollout) Declares(field string) bool { return r.node.Get(field) != nil }
