package route

import (
	"strings"

	"github.com/meshroll/meshroll/internal/cookie"

	"github.com/meshroll/meshroll/internal/gateway"
)

// Request is one HTTP request as a sidecar or gateway proxy sees it. Zero
// values take the defaults documented on each field, so that a test can name
// only what matters to it.
type Request struct {
	// Headers holds request headers, one value per name: a header sent more
	// than once is given with its values joined as Envoy joins them (see
	// JoinHeaders). Names are case-insensitive, as in HTTP; Evaluate compares
	// them in lower case, the form Istio requires in match blocks. A JWT
	// claim that Istio matches as a header (for example
	// "@request.auth.claims.group") is given here under that name.
	Headers map[string]string
	// Cookies are name/value pairs in the order a browser sends them. They
	// are joined into the one "cookie" header Envoy sees ("a=1; b=2"), after
	// the cookies of a "cookie" header in Headers if there is one.
	Cookies []cookie.Cookie
	// SourceLabels are the labels of the calling workload (for a gateway: of
	// the gateway's pods). A match block's sourceLabels must all be present
	// here with equal values.
	SourceLabels map[string]string
	// SourceNamespace is the namespace of the calling workload.
	SourceNamespace string
	// URI is the request's :path, optionally with a query string; "" means
	// "/" and a #fragment is dropped, as clients do not send it. Exact and
	// regex URI matches see the path without the query string, prefix
	// matches see all of it, as Envoy does.
	URI string
	// Method defaults to GET.
	Method string
	// Authority is the :authority (Host) header. "" takes the "host" header
	// if Headers has one, else the VirtualService's first host unless that
	// host is a wildcard.
	Authority string
	// Scheme defaults to "http".
	Scheme string
	// Port is the port the request is addressed to. 0 means unknown, and then
	// no match block that names a port matches.
	Port uint32
	// Gateway names the gateway the request enters through, as "name"
	// (resolved in the VirtualService's namespace), "namespace/name" or the
	// legacy "name.namespace.svc.cluster.local". "" or "mesh" means a sidecar.
	// Evaluate checks only that the VirtualService and its match blocks
	// apply to it; Table.Ingress simulates the gateway itself.
	Gateway string
	// QueryParams are added to (and override) the parameters of URI's query
	// string. Values are compared as given, without URL decoding, as Envoy
	// does.
	QueryParams map[string]string
}

// prepared is a Request with defaults applied and header names lower-cased,
// built once per evaluation so that each condition is a map lookup.
type prepared struct {
	headers     map[string]string
	mixedCase   bool // headers has upper-case names: look up ignoring case
	cookie      string
	cookieSet   bool
	path        string // URI without query string
	fullPath    string // URI as given, with query string
	method      string
	authority   string
	scheme      string
	port        uint32
	gateway     string // resolved, "mesh" for sidecars
	labels      map[string]string
	namespace   string
	explicitQP  map[string]string
	query       map[string]string // lazily parsed from fullPath and explicitQP
	queryParsed bool
}

func prepare(req *Request, r *Router) prepared {
	p := prepared{
		headers:    req.Headers,
		fullPath:   req.URI,
		method:     req.Method,
		authority:  req.Authority,
		scheme:     req.Scheme,
		port:       req.Port,
		labels:     req.SourceLabels,
		namespace:  req.SourceNamespace,
		explicitQP: req.QueryParams,
	}
	// Rather than copy the map to lower-case its names, look names up
	// ignoring case when the caller used upper case.
	p.mixedCase = hasUpperKey(p.headers)
	if len(req.Cookies) > 0 {
		// A request has one cookie header: the cookies given apart follow
		// those of the header, as one header joined with "; ".
		p.cookie = cookie.Header(req.Cookies)
		if h, ok := p.header("cookie"); ok && h != "" {
			p.cookie = h + "; " + p.cookie
		}
		p.cookieSet = true
	}
	// A fragment never reaches the proxy: clients do not send it.
	if i := strings.IndexByte(p.fullPath, '#'); i >= 0 {
		p.fullPath = p.fullPath[:i]
	}
	if p.fullPath == "" {
		p.fullPath = "/"
	}
	p.path = p.fullPath
	if i := strings.IndexByte(p.path, '?'); i >= 0 {
		p.path = p.path[:i]
	}
	if p.method == "" {
		p.method = "GET"
	}
	if p.scheme == "" {
		p.scheme = "http"
	}
	if p.authority == "" {
		if h, ok := p.header("host"); ok {
			p.authority = h
		} else if h, ok := p.header(":authority"); ok {
			p.authority = h
		} else {
			p.authority = r.defaultAuthority
		}
	}
	p.gateway = gateway.Resolve(req.Gateway, r.namespace)
	if p.gateway == "" {
		p.gateway = gateway.Mesh
	}
	return p
}

func hasUpperKey(m map[string]string) bool {
	for k := range m {
		for i := 0; i < len(k); i++ {
			if c := k[i]; c >= 'A' && c <= 'Z' {
				return true
			}
		}
	}
	return false
}

// header returns the value of the lower-case header name.
func (p *prepared) header(name string) (string, bool) {
	if p.cookieSet && name == "cookie" {
		return p.cookie, true
	}
	if v, ok := p.headers[name]; ok || !p.mixedCase {
		return v, ok
	}
	for k, v := range p.headers {
		if len(k) == len(name) && asciiEqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// queryParam returns the value of a query parameter: from QueryParams if it is
// there, else the first occurrence in the URI's query string. A parameter
// without "=" has the empty value.
func (p *prepared) queryParam(name string) (string, bool) {
	if v, ok := p.explicitQP[name]; ok {
		return v, true
	}
	if !p.queryParsed {
		p.queryParsed = true
		if i := strings.IndexByte(p.fullPath, '?'); i >= 0 {
			q := p.fullPath[i+1:]
			for q != "" {
				var part string
				part, q, _ = strings.Cut(q, "&")
				if part == "" {
					continue
				}
				k, v, _ := strings.Cut(part, "=")
				if p.query == nil {
					p.query = make(map[string]string)
				}
				if _, seen := p.query[k]; !seen {
					p.query[k] = v
				}
			}
		}
	}
	v, ok := p.query[name]
	return v, ok
}
