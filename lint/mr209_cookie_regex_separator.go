package lint

import (
	"regexp/syntax"
	"strings"

	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/route"
)

func cookieRegexSeparator() *Rule {
	return &Rule{
		ID:          "MR209",
		Name:        "cookie-regex-separator",
		Severity:    Warning,
		SeverityWhy: `Warning: Istio accepts the object; users whose cookie is not first in the header are routed to the wrong version, which is a silent misrouting rather than a failure.`,
		Summary:     "a cookie-header regex of the common form ^(.*?;)?(name=value)(;.*)?$, which misses the cookie after \"; \"",
		Doc: `Browsers send all cookies in one header, separated by a semicolon and a space:
"cookie: theme=dark; user=beta". The common regex ^(.*?;)?(user=beta)(;.*)?$
allows only a bare ";" before the cookie, so it matches "user=beta" alone and
"theme=dark;user=beta", but not the header a browser actually sends when another
cookie comes first. Beta users silently get the stable version.

The rule tests each regex on the cookie header "theme=dark; " followed by the
cookie the regex is written for (Envoy matches the whole header value). Allow
optional blanks after the separator: ^(.*?;\s*)?(user=beta)(;.*)?$, or match the
cookie with meshroll's intent (match: cookie: {name: user, value: beta}), which
renders a regex that does.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: beta
    match:
    - headers:
        cookie:
          regex: "^(.*?;)?(user=beta)(;.*)?$"
    route:
    - destination: {host: reviews, subset: v2}
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: beta
    match:
    - headers:
        cookie:
          regex: "^(.*?;\\s*)?(user=beta)(;.*)?$"
    route:
    - destination: {host: reviews, subset: v2}
  - name: default
    route:
    - destination: {host: reviews, subset: v1}
`,
		Since:  since,
		Anchor: "cookie-based routing",
		Run:    runCookieRegexSeparator,
	}
}

// otherCookie is put before the cookie a regex is written for.
const otherCookie = "theme=dark; "

func runCookieRegexSeparator(pass *Pass) {
	// The same regex comes back in every phase of every rollout that
	// renders it: judged once.
	type verdict struct {
		cookie string
		misses bool
	}
	judged := map[string]verdict{}
	for _, vs := range pass.Index.VirtualServices {
		for _, sm := range StringMatches(vs) {
			if !strings.EqualFold(sm.Header, "cookie") {
				continue
			}
			re, ok := sm.Match.GetMatchType().(*networking.StringMatch_Regex)
			if !ok {
				continue
			}
			v, seen := judged[re.Regex]
			if !seen {
				v.cookie, v.misses = MissesCookieAfterSeparator(re.Regex)
				judged[re.Regex] = v
			}
			if cookie := v.cookie; v.misses {
				pass.Reportf(vs, sm.Path+".regex", "cookie regex matches %q but not %q, the header a browser sends when another cookie comes first: allow blanks after the separator, as in (.*?;\\s*)?", cookie, otherCookie+cookie)
			}
		}
	}
}

// MissesCookieAfterSeparator reports whether a cookie-header regex matches
// the shortest cookie it is written for (such as "user=beta") but not the
// same cookie after another one and the standard "; " separator. It returns
// the cookie it tried. A regex that does not compile, or whose shortest
// match holds no "=", is not judged.
func MissesCookieAfterSeparator(expr string) (cookie string, misses bool) {
	// The same regex comes back in every phase of every rollout that
	// renders it: compiled once.
	full := route.FullRegex(expr)
	if full == nil {
		return "", false
	}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	shortest(&b, tree.Simplify(), 0)
	cookie = b.String()
	if !strings.Contains(cookie, "=") || !full.MatchString(cookie) {
		return "", false
	}
	return cookie, !full.MatchString(otherCookie + cookie)
}

// shortest writes a short string that re matches, choosing the shortest
// alternative and the fewest repetitions. It may fail to produce a match for
// regexes with assertions in odd places; the caller checks.
func shortest(b *strings.Builder, re *syntax.Regexp, depth int) {
	if depth > 100 || b.Len() > 1<<10 {
		return
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) > 0 {
			b.WriteRune(re.Rune[0])
		}
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('x')
	case syntax.OpCapture, syntax.OpPlus:
		shortest(b, re.Sub[0], depth+1)
	case syntax.OpRepeat:
		for i := 0; i < re.Min && i < 64; i++ {
			shortest(b, re.Sub[0], depth+1)
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			shortest(b, s, depth+1)
		}
	case syntax.OpAlternate:
		best := ""
		for i, s := range re.Sub {
			var alt strings.Builder
			shortest(&alt, s, depth+1)
			if i == 0 || alt.Len() < len(best) {
				best = alt.String()
			}
		}
		b.WriteString(best)
	}
}
