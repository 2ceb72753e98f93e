package lint

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"

	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/yamlpath"
	"github.com/meshroll/meshroll/manifest"
)

func invalidRegex() *Rule {
	return &Rule{
		ID:          "MR205",
		Name:        "invalid-regex",
		Severity:    Error,
		SeverityWhy: `Error: Istio rejects the object. The validation webhook compiles every regex as RE2 and refuses one that does not compile.`,
		Summary:     "a regex match that is not valid RE2",
		Doc: `Envoy evaluates the regex of a match with Google's RE2 engine, which has no
look-ahead, look-behind or back-references. Istio's validation rejects a regex
that RE2 cannot compile, so the whole VirtualService is refused.

Rewrite the regex in RE2 syntax (https://github.com/google/re2/wiki/Syntax).
A negative look-ahead can often become a route that matches the excluded case
first and a catch-all route after it.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage}
spec:
  hosts: [productpage]
  http:
  - match:
    - uri:
        regex: "^(?!/admin).*"  # look-ahead is not RE2
    route:
    - destination: {host: productpage}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: productpage}
spec:
  hosts: [productpage]
  http:
  - match:
    - uri: {prefix: /admin}
    directResponse: {status: 403}
  - route:
    - destination: {host: productpage}
`,
		Since:  since,
		Anchor: "Istio validation",
		Run:    runInvalidRegex,
	}
}

// StringMatchRef is a string match of an http route, with its data path.
type StringMatchRef struct {
	Match *networking.StringMatch
	Path  string // spec.http[0].match[1].headers.cookie
	// Header is the header name for a headers or withoutHeaders match.
	Header string
}

// StringMatches returns every string match of the http routes of a
// VirtualService: uri, scheme, method, authority, headers, queryParams and
// withoutHeaders of each match, and the allowOrigins of the CORS policy.
// Map entries come in key order.
func StringMatches(r *manifest.Resource) []StringMatchRef {
	var out []StringMatchRef
	for i, h := range r.VirtualService().GetHttp() {
		for j, m := range h.GetMatch() {
			p := fmt.Sprintf("spec.http[%d].match[%d]", i, j)
			for _, f := range []struct {
				name string
				sm   *networking.StringMatch
			}{{"uri", m.GetUri()}, {"scheme", m.GetScheme()}, {"method", m.GetMethod()}, {"authority", m.GetAuthority()}} {
				if f.sm != nil {
					out = append(out, StringMatchRef{Match: f.sm, Path: p + "." + f.name})
				}
			}
			for _, f := range []struct {
				name   string
				m      map[string]*networking.StringMatch
				header bool
			}{{"headers", m.GetHeaders(), true}, {"queryParams", m.GetQueryParams(), false}, {"withoutHeaders", m.GetWithoutHeaders(), true}} {
				for _, k := range slices.Sorted(maps.Keys(f.m)) {
					ref := StringMatchRef{Match: f.m[k], Path: p + "." + f.name + yamlpath.Key(k)}
					if f.header {
						ref.Header = k
					}
					out = append(out, ref)
				}
			}
		}
		for j, o := range h.GetCorsPolicy().GetAllowOrigins() {
			out = append(out, StringMatchRef{Match: o, Path: fmt.Sprintf("spec.http[%d].corsPolicy.allowOrigins[%d]", i, j)})
		}
	}
	return out
}

func runInvalidRegex(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, sm := range StringMatches(vs) {
			re, ok := sm.Match.GetMatchType().(*networking.StringMatch_Regex)
			if !ok {
				continue
			}
			if err := regexError(re.Regex); err != nil {
				pass.Reportf(vs, sm.Path+".regex", "regex is not valid RE2, so Istio rejects the VirtualService (%v): rewrite it without look-around or back-references", err)
			}
		}
	}
}

// regexErrors remembers what compiling each regex said: the same regexes
// come back in every phase of every rollout that renders them. It holds at
// most maxRegexErrors, so that a long-running process (meshroll mcp) does
// not grow with every input it sees.
var (
	regexErrors sync.Map // string → error (nil for a valid regex)
	regexCount  atomic.Int64
)

const maxRegexErrors = 1 << 14

// regexError is the error of compiling src as RE2, or nil.
func regexError(src string) error {
	if e, ok := regexErrors.Load(src); ok {
		err, _ := e.(error)
		return err
	}
	_, err := regexp.Compile(src)
	if regexCount.Add(1) <= maxRegexErrors {
		regexErrors.Store(src, err)
	}
	return err
}
