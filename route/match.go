package route

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	networkingv1 "istio.io/api/networking/v1"
)

// matchKind is the form of a compiled StringMatch.
type matchKind uint8

const (
	kindNone    matchKind = iota // no condition at all
	kindPresent                  // the value must exist; anything goes
	kindExact
	kindPrefix
	kindRegex
)

// strMatcher is a compiled StringMatch.
type strMatcher struct {
	kind  matchKind
	fold  bool // exact and prefix ignore case (ignoreUriCase)
	value string
	re    *regexp.Regexp // nil for a regex that does not compile: it matches nothing
}

// newStrMatcher compiles sm. A nil StringMatch, one without a match type and
// the regex "*" are presence checks, as istiod translates them
// (canBeConvertedToPresentMatch in pilot/pkg/networking/core/route/route.go).
func newStrMatcher(sm *networkingv1.StringMatch) strMatcher {
	switch m := sm.GetMatchType().(type) {
	case *networkingv1.StringMatch_Exact:
		return strMatcher{kind: kindExact, value: m.Exact}
	case *networkingv1.StringMatch_Prefix:
		return strMatcher{kind: kindPrefix, value: m.Prefix}
	case *networkingv1.StringMatch_Regex:
		if m.Regex == "*" {
			return strMatcher{kind: kindPresent}
		}
		return strMatcher{kind: kindRegex, value: m.Regex, re: regexes.get(m.Regex)}
	}
	return strMatcher{kind: kindPresent}
}

func (m *strMatcher) match(v string) bool {
	switch m.kind {
	case kindExact:
		if m.fold {
			return len(v) == len(m.value) && asciiEqualFold(v, m.value)
		}
		return v == m.value
	case kindPrefix:
		if m.fold {
			return len(v) >= len(m.value) && asciiEqualFold(v[:len(m.value)], m.value)
		}
		return strings.HasPrefix(v, m.value)
	case kindRegex:
		return m.re != nil && m.re.MatchString(v)
	}
	return true // kindPresent, kindNone
}

// asciiEqualFold compares equal-length strings ignoring ASCII case only, as
// Envoy's case-insensitive path matching does.
func asciiEqualFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// String describes the matcher as a reason reads it: `exact "jason"`.
func (m *strMatcher) String() string {
	return string(m.appendDesc(nil))
}

func (m *strMatcher) appendDesc(b []byte) []byte {
	switch m.kind {
	case kindExact:
		b = appendQuote(append(b, "exact "...), m.value)
	case kindPrefix:
		b = appendQuote(append(b, "prefix "...), m.value)
	case kindRegex:
		b = appendQuote(append(b, "regex "...), m.value)
		if m.re == nil {
			b = append(b, " (invalid RE2, matches nothing)"...)
		}
	default:
		return append(b, "present"...)
	}
	if m.fold {
		b = append(b, " ignoring case"...)
	}
	return b
}

// regexCache holds compiled regexes by source so that a regex is compiled once
// per process however many times a VirtualService is compiled. It is bounded:
// when full it starts over, and very long sources are not kept.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp // nil for a source that does not compile
}

const (
	maxCachedRegexes   = 4096
	maxCachedRegexSize = 4096
)

// regexes is shared by every Router: compiled regexes are immutable and safe
// for concurrent use, and caching them is what keeps Evaluate fast.
var regexes regexCache

// FullRegex compiles src as a regex that must match a whole value, as
// Envoy's safe_regex does (RE2, full match), from a cache shared with
// Evaluate; nil when src is not valid RE2.
func FullRegex(src string) *regexp.Regexp { return regexes.get(src) }

// get compiles src as a regex that must match the whole value, as Envoy's
// safe_regex does (RE2, full match), and returns nil if src is not valid RE2
// (MR205 reports that; here it simply matches nothing). (?s) is not added:
// like Envoy's RE2, "." does not match a newline unless the pattern asks.
func (c *regexCache) get(src string) *regexp.Regexp {
	c.mu.Lock()
	re, ok := c.m[src]
	c.mu.Unlock()
	if ok {
		return re
	}
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		re = nil
	}
	if len(src) <= maxCachedRegexSize {
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxCachedRegexes {
			c.m = make(map[string]*regexp.Regexp)
		}
		c.m[src] = re
		c.mu.Unlock()
	}
	return re
}

// namedMatcher is a header or query parameter condition.
type namedMatcher struct {
	name string
	strMatcher
}

// compiledMatch is one HTTPMatchRequest, ready to test requests against.
type compiledMatch struct {
	gateways        []string // resolved; nil means the VirtualService's
	sourceLabels    []label  // sorted by key
	sourceNamespace string
	port            uint32
	uri             strMatcher // kindNone when absent, as are the next three
	scheme          strMatcher
	method          strMatcher
	authority       strMatcher
	headers         []namedMatcher // sorted by name
	without         []namedMatcher // sorted by name
	query           []namedMatcher // sorted by name
}

type label struct{ key, value string }

func compileMatch(m *networkingv1.HTTPMatchRequest, namespace string) compiledMatch {
	c := compiledMatch{
		gateways:        resolveGateways(m.GetGateways(), namespace, false),
		sourceNamespace: m.GetSourceNamespace(),
		port:            m.GetPort(),
	}
	for k, v := range m.GetSourceLabels() {
		c.sourceLabels = append(c.sourceLabels, label{k, v})
	}
	slices.SortFunc(c.sourceLabels, func(a, b label) int { return strings.Compare(a.key, b.key) })
	if u := m.GetUri(); u != nil && u.GetMatchType() != nil {
		// A URI StringMatch without a type leaves Envoy's default prefix "/",
		// which matches every path: no condition.
		c.uri = newStrMatcher(u)
		if c.uri.kind != kindRegex {
			// Envoy ignores case_sensitive for safe_regex; so does Istio's
			// ignoreUriCase ("only in the case of exact and prefix").
			c.uri.fold = m.GetIgnoreUriCase()
		}
	}
	c.scheme = optMatcher(m.GetScheme())
	c.method = optMatcher(m.GetMethod())
	c.authority = optMatcher(m.GetAuthority())
	c.headers = namedMatchers(m.GetHeaders(), true)
	c.without = namedMatchers(m.GetWithoutHeaders(), true)
	c.query = namedMatchers(m.GetQueryParams(), false)
	return c
}

func optMatcher(sm *networkingv1.StringMatch) strMatcher {
	if sm == nil {
		return strMatcher{kind: kindNone}
	}
	return newStrMatcher(sm)
}

func namedMatchers(in map[string]*networkingv1.StringMatch, lower bool) []namedMatcher {
	if len(in) == 0 {
		return nil
	}
	out := make([]namedMatcher, 0, len(in))
	for name, sm := range in {
		if lower {
			name = strings.ToLower(name)
		}
		out = append(out, namedMatcher{name: name, strMatcher: newStrMatcher(sm)})
	}
	slices.SortFunc(out, func(a, b namedMatcher) int { return strings.Compare(a.name, b.name) })
	return out
}

// check tests the request against every condition of the match block, in a
// fixed order, and returns the first that fails, in words. Reasons are built
// by concatenation: this is the hot path of a routing-test suite.
func (c *compiledMatch) check(p *prepared) (bool, string) {
	// Source conditions first: istiod does not even generate the route for a
	// proxy that they exclude (sourceMatchHTTP). Match-level gateways replace
	// the VirtualService's, and when present they are the only source
	// condition: sourceLabels and sourceNamespace are not consulted.
	if len(c.gateways) > 0 {
		if !contains(c.gateways, p.gateway) {
			return false, "gateway: want one of [" + strings.Join(c.gateways, ", ") + "], got " + quote(p.gateway)
		}
	} else {
		for _, l := range c.sourceLabels {
			v, ok := p.labels[l.key]
			if !ok {
				return false, "no source label " + l.key + " (want " + quote(l.value) + ")"
			}
			if v != l.value {
				return false, "source label " + l.key + ": want " + quote(l.value) + ", got " + quote(v)
			}
		}
		if c.sourceNamespace != "" && c.sourceNamespace != p.namespace {
			return false, "source namespace: want " + quote(c.sourceNamespace) + ", got " + quote(p.namespace)
		}
	}
	if c.port != 0 && c.port != p.port {
		if p.port == 0 {
			return false, "port: want " + strconv.FormatUint(uint64(c.port), 10) + ", request has no port"
		}
		return false, "port: want " + strconv.FormatUint(uint64(c.port), 10) + ", got " + strconv.FormatUint(uint64(p.port), 10)
	}
	if c.uri.kind != kindNone {
		// Envoy matches exact paths and regexes against the path without its
		// query string, prefixes against the whole :path.
		v := p.path
		if c.uri.kind == kindPrefix {
			v = p.fullPath
		}
		if !c.uri.match(v) {
			return false, wantGot("uri", &c.uri, v)
		}
	}
	if !c.scheme.match(p.scheme) {
		return false, wantGot("scheme", &c.scheme, p.scheme)
	}
	if !c.method.match(p.method) {
		return false, wantGot("method", &c.method, p.method)
	}
	if !c.authority.match(p.authority) {
		return false, wantGot("authority", &c.authority, p.authority)
	}
	for i := range c.headers {
		h := &c.headers[i]
		v, ok := p.header(h.name)
		if !ok {
			return false, "no header " + h.name
		}
		if !h.match(v) {
			return false, wantGot("header "+h.name, &h.strMatcher, v)
		}
	}
	for i := range c.without {
		h := &c.without[i]
		v, ok := p.header(h.name)
		if h.kind == kindPresent {
			if ok {
				return false, "without header " + h.name + ": header is present"
			}
			continue
		}
		// istiod sets treat_missing_header_as_empty on inverted matchers.
		if h.match(v) {
			if !ok {
				return false, "without header " + h.name + ": missing header counts as \"\", which matches " + h.String()
			}
			return false, "without header " + h.name + ": " + quote(v) + " matches " + h.String()
		}
	}
	for i := range c.query {
		q := &c.query[i]
		v, ok := p.queryParam(q.name)
		if !ok {
			return false, "no query param " + q.name
		}
		if !q.match(v) {
			return false, wantGot("query param "+q.name, &q.strMatcher, v)
		}
	}
	return true, ""
}

// wantGot renders `what: want <matcher>, got "value"` with one allocation
// for the common short case.
func wantGot(what string, m *strMatcher, got string) string {
	b := make([]byte, 0, 32+len(what)+len(m.value)+len(got))
	b = append(b, what...)
	b = append(b, ": want "...)
	b = m.appendDesc(b)
	b = append(b, ", got "...)
	b = appendQuote(b, got)
	return string(b)
}

// quote is strconv.Quote with a fast path for the printable ASCII that
// header values, paths and labels nearly always are.
func quote(s string) string {
	if plainASCII(s) {
		return `"` + s + `"`
	}
	return strconv.Quote(s)
}

// appendQuote is strconv.AppendQuote with the same fast path.
func appendQuote(b []byte, s string) []byte {
	if plainASCII(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return strconv.AppendQuote(b, s)
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
