package probe

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
)

// Pair is one name=value of a request: a header or a cookie, a source
// label, a query parameter.
type Pair struct {
	// Cookie is set for a cookie given on its own (rather than in a
	// cookie header).
	Cookie      bool
	Name, Value string
}

// Spec is a request as a person gives it.
type Spec struct {
	// Headers are the headers and cookies, in the order given.
	Headers         []Pair
	SourceLabels    []Pair
	SourceNamespace string
	URI             string
	Method          string
	Scheme          string
	Authority       string
	Port            uint32
	Query           []Pair
	// Gateway is the gateway the request enters through, NAMESPACE/NAME,
	// or "mesh" (or "") for a sidecar.
	Gateway string
	// Host is the host the request is for; through a gateway it is the
	// authority when Authority is not given.
	Host string
}

// Names are how errors name the parts of a Spec: the flags of meshroll
// route, or the fields of a tool's input.
type Names struct {
	Header, Cookie, SourceLabel, SourceNamespace, URI, Scheme, Authority, Port, Query, Gateway string
}

// Flags names the parts of a request by meshroll route's flags.
var Flags = Names{Header: "--header", Cookie: "--cookie", SourceLabel: "--source-label", SourceNamespace: "--source-namespace",
	URI: "--uri", Scheme: "--scheme", Authority: "--authority", Port: "--port", Query: "--query", Gateway: "--gateway"}

var (
	gatewayRef = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
	dnsLabel   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// ThroughGateway reports whether a request for gateway enters through a
// gateway rather than from a sidecar.
func ThroughGateway(gateway string) bool { return gateway != "" && gateway != "mesh" }

// ParsePair splits a name=value as given to what: the value may be empty
// or hold further '=' signs, the name may not be empty.
func ParsePair(what, v string) (Pair, error) {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return Pair{}, fmt.Errorf("%s %q: want name=value", what, v)
	}
	return Pair{Name: k, Value: val}, nil
}

// Build turns s into the request Envoy would see, naming s's parts by n in
// errors.
func Build(s Spec, n Names) (route.Request, error) {
	var req route.Request
	var headers []route.Header
	var cookies []cookie.Cookie
	var cookiePieces []string
	cookieHeader, hosts := false, 0
	for _, p := range s.Headers {
		k, v := p.Name, p.Value
		what := n.Header
		if p.Cookie {
			what = n.Cookie
		}
		if strings.TrimSpace(k) == "" {
			return req, fmt.Errorf("%s %q: want name=value", what, k+"="+v)
		}
		switch name := strings.ToLower(k); {
		case p.Cookie:
			cookies = append(cookies, cookie.Cookie{Name: k, Value: v})
			cookiePieces = append(cookiePieces, k+"="+v)
		case name == "cookie":
			cookieHeader = true
			cookiePieces = append(cookiePieces, v)
		default:
			if name == "host" || name == ":authority" {
				hosts++
			}
			headers = append(headers, route.Header{Name: name, Value: v})
		}
	}
	if hosts > 1 || hosts > 0 && s.Authority != "" {
		return req, fmt.Errorf("a request has one host: give %s or one %s host=..., not both or twice", n.Authority, n.Header)
	}
	req.Headers = route.JoinHeaders(headers)
	if cookieHeader {
		// One cookie header, its cookies in the order given.
		if req.Headers == nil {
			req.Headers = map[string]string{}
		}
		req.Headers["cookie"] = strings.Join(cookiePieces, "; ")
	} else {
		req.Cookies = cookies
	}
	for _, kv := range s.SourceLabels {
		if strings.TrimSpace(kv.Name) == "" {
			return req, fmt.Errorf("%s %q: want name=value", n.SourceLabel, kv.Name+"="+kv.Value)
		}
		if req.SourceLabels == nil {
			req.SourceLabels = map[string]string{}
		}
		req.SourceLabels[kv.Name] = kv.Value
	}
	for _, kv := range s.Query {
		if strings.TrimSpace(kv.Name) == "" {
			return req, fmt.Errorf("%s %q: want name=value", n.Query, kv.Name+"="+kv.Value)
		}
		if req.QueryParams == nil {
			req.QueryParams = map[string]string{}
		}
		// Envoy matches the first value of a parameter given twice.
		if _, seen := req.QueryParams[kv.Name]; !seen {
			req.QueryParams[kv.Name] = kv.Value
		}
	}
	if s.URI != "" && !strings.HasPrefix(s.URI, "/") {
		return req, fmt.Errorf("%s %q must start with /", n.URI, s.URI)
	}
	if s.Scheme != "" && s.Scheme != "http" && s.Scheme != "https" {
		return req, fmt.Errorf("%s must be http or https, not %q", n.Scheme, s.Scheme)
	}
	if s.Port > 65535 {
		return req, fmt.Errorf("%s %d: a port is a number from 1 to 65535", n.Port, s.Port)
	}
	if s.SourceNamespace != "" && !dnsLabel.MatchString(s.SourceNamespace) {
		return req, fmt.Errorf("%s %q is not a namespace name (a DNS-1123 label)", n.SourceNamespace, s.SourceNamespace)
	}
	if s.Gateway != "" && s.Gateway != "mesh" && !gatewayRef.MatchString(s.Gateway) {
		return req, fmt.Errorf("%s %q: give the gateway as NAMESPACE/NAME (or mesh, for sidecars)", n.Gateway, s.Gateway)
	}
	req.URI = s.URI
	req.Method = strings.ToUpper(s.Method)
	req.Scheme = s.Scheme
	req.Port = s.Port
	req.SourceNamespace = s.SourceNamespace
	req.Authority = s.Authority
	if ThroughGateway(s.Gateway) {
		req.Gateway = s.Gateway
		if req.Authority == "" {
			req.Authority = s.Host
		}
	}
	return req, nil
}

// HasRequest reports whether s says anything about the request, beyond
// where it enters.
func (s Spec) HasRequest() bool {
	return len(s.Headers)+len(s.SourceLabels)+len(s.Query) > 0 || s.URI != "" || s.Method != "" ||
		s.SourceNamespace != "" || s.Scheme != "" || s.Authority != "" || s.Port != 0
}

// CheckPhase refuses a phase that rollout r does not have, naming those it
// has: its ladder and rollback.
func CheckPhase(r *schema.Rollout, phase string) error {
	if _, ok := r.PhaseNamed(phase); ok || phase == schema.PhaseRollback {
		return nil
	}
	names := make([]string, 0, len(r.Phases)+1)
	for _, p := range r.Phases {
		names = append(names, p.Name)
	}
	return fmt.Errorf("rollout %s has no phase %q; it has %s", r.Name, phase, strings.Join(append(names, schema.PhaseRollback), ", "))
}

// HasGateway reports whether gws holds the gateway id, NAMESPACE/NAME.
func HasGateway(gws []route.GatewayObject, id string) bool {
	for _, g := range gws {
		if g.Namespace+"/"+g.Name == id {
			return true
		}
	}
	return false
}
