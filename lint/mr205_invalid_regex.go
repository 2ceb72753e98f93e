package lint

import (
	"fmt"
	"maps"
	"slices"

	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/crd"
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

The rule checks every regex of a VirtualService's http routes: the string
matches (uri, scheme, method, authority, headers, queryParams and
withoutHeaders, where "*" means "absent" and is no regex), the CORS policy's
allowOrigins, and rewrite.uriRegexRewrite.match.

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
	// Without is set for a withoutHeaders match, which matches requests
	// whose header does not match.
	Without bool
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
					ref := StringMatchRef{Match: f.m[k], Path: p + "." + f.name + yamlpath.Key(k), Without: f.name == "withoutHeaders"}
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

// runInvalidRegex reports the regexes that Istio's validation does not
// compile; whether one compiles is decided in internal/crd, which judges
// every rejection (MR900 leaves the class crd.BadRegex to this rule). A
// withoutHeaders regex "*" is not a regex: Istio reads it as "the header is
// absent".
func runInvalidRegex(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, sm := range StringMatches(vs) {
			re, ok := sm.Match.GetMatchType().(*networking.StringMatch_Regex)
			if !ok || (re.Regex == "*" && sm.Without) {
				continue
			}
			if err := crd.RegexError(re.Regex); err != nil {
				pass.Reportf(vs, sm.Path+".regex", "regex is not valid RE2, so Istio rejects the VirtualService (%v): rewrite it without look-around or back-references", err)
			}
		}
		for i, h := range vs.VirtualService().GetHttp() {
			m := h.GetRewrite().GetUriRegexRewrite().GetMatch()
			if m == "" {
				continue
			}
			if err := crd.RegexError(m); err != nil {
				pass.Reportf(vs, fmt.Sprintf("spec.http[%d].rewrite.uriRegexRewrite.match", i), "regex is not valid RE2, so Istio rejects the VirtualService (%v): rewrite it in RE2 syntax", err)
			}
		}
	}
}
