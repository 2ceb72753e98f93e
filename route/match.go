package route

import (
	"fmt"
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
	kindPresent matchKind = iota // the value must exist; anything goes
	kindExact
	kindPrefix
	kindRegex
)

// strMatcher is a compiled StringMatch.
type strMatcher struct {
	kind  matchKind
	value string
	fold  bool // exact and prefix ignore case (ignoreUriCase)
	re    *regexp.Regexp
	err   error // the regex does not compile; it matches nothing
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
		re, err := regexes.get(m.Regex)
		return strMatcher{kind: kindRegex, value: m.Regex, re: re, err: err}
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
	return true
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
	var s string
	switch m.kind {
	case kindExact:
		s = "exact " + strconv.Quote(m.value)
	case kindPrefix:
		s = "prefix " + strconv.Quote(m.value)
	case kindRegex:
		s = "regex " + strconv.Quote(m.value)
		if m.err != nil {
			s += " (invalid RE2, matches nothing)"
		}
	default:
		return "present"
	}
	if m.fold {
		s += " ignoring case"
	}
	return s
}

// regexCache holds compiled regexes by source so that a regex is compiled once
// per process however many times a VirtualService is compiled. It is bounded:
// when full it starts over, and very long sources are not kept.
type regexCache struct {
	mu sync.Mutex
	m  map[string]regexEntry
}

type regexEntry struct {
	re  *regexp.Regexp
	err error
}

const (
	maxCachedRegexes   = 4096
	maxCachedRegexSize = 4096
)

// regexes is shared by every Router: compiled regexes are immutable and safe
// for concurrent use, and caching them is what keeps Evaluate fast.
var regexes regexCache

// get compiles src as a regex that must match the whole value, as Envoy's
// safe_regex does (RE2, full match). (?s) is not added: like Envoy's RE2, "."
// does not match a newline unless the pattern asks for it.
func (c *regexCache) get(src string) (*regexp.Regexp, error) {
	c.mu.Lock()
	e, ok := c.m[src]
	c.mu.Unlock()
	if ok {
		return e.re, e.err
	}
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		// Report the error against the user's pattern, not our anchored form.
		if _, err2 := regexp.Compile(src); err2 != nil {
			err = err2
		}
		re = nil
	}
	if len(src) <= maxCachedRegexSize {
		c.mu.Lock()
		if c.m == nil || len(c.m) >= maxCachedRegexes {
			c.m = make(map[string]regexEntry)
		}
		c.m[src] = regexEntry{re, err}
		c.mu.Unlock()
	}
	return re, err
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
	uri             *strMatcher
	scheme          *strMatcher
	method          *strMatcher
	authority       *strMatcher
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
		sm := newStrMatcher(u)
		if sm.kind != kindRegex {
			// Envoy ignores case_sensitive for safe_regex; so does Istio's
			// ignoreUriCase ("only in the case of exact and prefix").
			sm.fold = m.GetIgnoreUriCase()
		}
		c.uri = &sm
	}
	c.scheme = optMatcher(m.GetScheme())
	c.method = optMatcher(m.GetMethod())
	c.authority = optMatcher(m.GetAuthority())
	c.headers = namedMatchers(m.GetHeaders(), true)
	c.without = namedMatchers(m.GetWithoutHeaders(), true)
	c.query = namedMatchers(m.GetQueryParams(), false)
	return c
}

func optMatcher(sm *networkingv1.StringMatch) *strMatcher {
	if sm == nil {
		return nil
	}
	m := newStrMatcher(sm)
	return &m
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
// fixed order, and returns the first that fails, in words.
func (c *compiledMatch) check(p *prepared) (bool, string) {
	// Source conditions first: istiod does not even generate the route for a
	// proxy that they exclude (sourceMatchHTTP). Match-level gateways replace
	// the VirtualService's, and when present they are the only source
	// condition: sourceLabels and sourceNamespace are not consulted.
	if len(c.gateways) > 0 {
		if !contains(c.gateways, p.gateway) {
			return false, fmt.Sprintf("gateway: want one of [%s], got %q", strings.Join(c.gateways, ", "), p.gateway)
		}
	} else {
		for _, l := range c.sourceLabels {
			v, ok := p.labels[l.key]
			if !ok {
				return false, fmt.Sprintf("no source label %s (want %q)", l.key, l.value)
			}
			if v != l.value {
				return false, fmt.Sprintf("source label %s: want %q, got %q", l.key, l.value, v)
			}
		}
		if c.sourceNamespace != "" && c.sourceNamespace != p.namespace {
			return false, fmt.Sprintf("source namespace: want %q, got %q", c.sourceNamespace, p.namespace)
		}
	}
	if c.port != 0 && c.port != p.port {
		if p.port == 0 {
			return false, fmt.Sprintf("port: want %d, request has no port", c.port)
		}
		return false, fmt.Sprintf("port: want %d, got %d", c.port, p.port)
	}
	if c.uri != nil {
		// Envoy matches exact paths and regexes against the path without its
		// query string, prefixes against the whole :path.
		v := p.path
		if c.uri.kind == kindPrefix {
			v = p.fullPath
		}
		if !c.uri.match(v) {
			return false, fmt.Sprintf("uri: want %s, got %q", c.uri, v)
		}
	}
	if c.scheme != nil && !c.scheme.match(p.scheme) {
		return false, fmt.Sprintf("scheme: want %s, got %q", c.scheme, p.scheme)
	}
	if c.method != nil && !c.method.match(p.method) {
		return false, fmt.Sprintf("method: want %s, got %q", c.method, p.method)
	}
	if c.authority != nil && !c.authority.match(p.authority) {
		return false, fmt.Sprintf("authority: want %s, got %q", c.authority, p.authority)
	}
	for i := range c.headers {
		h := &c.headers[i]
		v, ok := p.header(h.name)
		if !ok {
			return false, "no header " + h.name
		}
		if !h.match(v) {
			return false, fmt.Sprintf("header %s: want %s, got %q", h.name, &h.strMatcher, v)
		}
	}
	for i := range c.without {
		h := &c.without[i]
		v, ok := p.header(h.name)
		if h.kind == kindPresent {
			if ok {
				return false, fmt.Sprintf("without header %s: header is present", h.name)
			}
			continue
		}
		// istiod sets treat_missing_header_as_empty on inverted matchers.
		if h.match(v) {
			if !ok {
				return false, fmt.Sprintf("without header %s: missing header counts as \"\", which matches %s", h.name, &h.strMatcher)
			}
			return false, fmt.Sprintf("without header %s: %q matches %s", h.name, v, &h.strMatcher)
		}
	}
	for i := range c.query {
		q := &c.query[i]
		v, ok := p.queryParam(q.name)
		if !ok {
			return false, "no query param " + q.name
		}
		if !q.match(v) {
			return false, fmt.Sprintf("query param %s: want %s, got %q", q.name, &q.strMatcher, v)
		}
	}
	return true, ""
}
