package route

import (
	"testing"

	"github.com/meshroll/meshroll/internal/cookie"
)

// TestCookieRegex runs the cookie-header regex meshroll renders through
// Evaluate, as Envoy applies it: a full match on the one cookie header.
// Package cookie holds it to a reference cookie parser.
func TestCookieRegex(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"user=beta", true},
		{"user=beta; theme=dark", true},
		{"theme=dark; user=beta", true}, // after the standard "; ", which the seeds' form misses
		{"a=1; user=beta; b=2", true},
		{"theme=dark;user=beta", true},
		{"theme=dark;\tuser=beta ", true},
		{"theme=dark", false},
		{"", false},
		{"theme=dark; xuser=beta", false},
		{"user=betamax", false},
		{"user=alpha; other=user=beta", false},
		{"user=beta\n; theme=dark", false},
	}
	vs := parseSpec(t, `
hosts: [reviews]
http:
- match:
  - headers:
      cookie:
        regex: '`+cookie.Regex("user", "beta")+`'
  route:
  - destination: {host: reviews, subset: v2}
`)
	r := Compile(vs, "")
	for _, tt := range tests {
		got := r.Evaluate(Request{Headers: map[string]string{"cookie": tt.header}})
		if got.Matched != tt.want {
			t.Errorf("cookie.Regex on %q: matched %v, want %v (%+v)", tt.header, got.Matched, tt.want, got.Trace)
		}
	}
	// Request.Cookies are joined as a browser joins them, so a cookie that is
	// not first is found.
	cookies := []cookie.Cookie{{Name: "theme", Value: "dark"}, {Name: "user", Value: "beta"}}
	if got := r.Evaluate(Request{Cookies: cookies}); !got.Matched {
		t.Errorf("cookie.Regex misses %v", cookies)
	}
}
