package route

import (
	"regexp"
	"strings"
	"testing"
)

// seedCookieRegex is the cookie match of the seeds (004_1d759c1865e1ac81.txt).
const seedCookieRegex = `^(.*?;)?(user=beta)(;.*)?$`

// hasCookie is the reference parser: it splits a cookie header into pairs at
// ";", trims spaces and tabs around each pair and splits it at its first "=".
func hasCookie(header, name, value string) bool {
	for _, pair := range strings.Split(header, ";") {
		pair = strings.Trim(pair, " \t")
		n, v, ok := strings.Cut(pair, "=")
		if ok && n == name && v == value {
			return true
		}
	}
	return false
}

func TestCookieRegex(t *testing.T) {
	tests := []struct {
		header string
		seed   bool // the seeds' form matches
		want   bool // CookieRegex matches, and the reference parser agrees
	}{
		{"user=beta", true, true},
		{"user=beta; theme=dark", true, true},    // first
		{"theme=dark; user=beta", false, true},   // last, after the standard "; "
		{"a=1; user=beta; b=2", false, true},     // middle
		{"theme=dark;user=beta", true, true},     // bare ";"
		{"a=1;user=beta;b=2", true, true},        // bare ";" in the middle
		{"theme=dark;\tuser=beta ", false, true}, // tabs and trailing space
		{"theme=dark", false, false},             // absent
		{"", false, false},
		{"xuser=beta", false, false},
		{"theme=dark; xuser=beta", false, false},
		{"user=betamax", false, false},
		{"user=beta2; theme=dark", false, false},
		{"user=alpha; other=user=beta", false, false}, // "user=beta" inside another cookie's value
		{"user=beta\n; theme=dark", false, false},
	}
	seed := regexp.MustCompile(seedCookieRegex)
	vs := parseSpec(t, `
hosts: [reviews]
http:
- match:
  - headers:
      cookie:
        regex: '`+CookieRegex("user", "beta")+`'
  route:
  - destination: {host: reviews, subset: v2}
`)
	r := Compile(vs, "")
	for _, tt := range tests {
		if got := seed.MatchString(tt.header); got != tt.seed {
			t.Errorf("seed regex on %q: %v, want %v", tt.header, got, tt.seed)
		}
		if ref := hasCookie(tt.header, "user", "beta"); ref != tt.want {
			t.Errorf("reference parser on %q: %v, want %v", tt.header, ref, tt.want)
		}
		// Through Evaluate, as Envoy applies it: full match on the header.
		got := r.Evaluate(Request{Headers: map[string]string{"cookie": tt.header}})
		if got.Matched != tt.want {
			t.Errorf("CookieRegex on %q: matched %v, want %v (%+v)", tt.header, got.Matched, tt.want, got.Trace)
		}
	}
	// Request.Cookies are joined as a browser joins them, so the seeds' form
	// misses a cookie that is not first and the rendered one does not.
	cookies := []Cookie{{"theme", "dark"}, {"user", "beta"}}
	if got := r.Evaluate(Request{Cookies: cookies}); !got.Matched {
		t.Errorf("CookieRegex misses %v", cookies)
	}
}

func TestCookieRegexQuotes(t *testing.T) {
	re := regexp.MustCompile(`^(?:` + CookieRegex("a.b", "x+y") + `)$`)
	for header, want := range map[string]bool{"a.b=x+y": true, "aXb=x+y": false, "a.b=xxy": false, "a.b=x+yy": false} {
		if got := re.MatchString(header); got != want {
			t.Errorf("%q: %v, want %v", header, got, want)
		}
	}
}

func TestCheckCookie(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"user", "beta", true},
		{"session_id", "a1-B2.c3", true},
		{"user", "", true},
		{"", "beta", false},
		{"us er", "beta", false},
		{"user=", "beta", false},
		{"user;", "beta", false},
		{"user", "be;ta", false},
		{"user", "be ta", false},
		{"user", `"beta"`, false},
		{"user", "be,ta", false},
		{"user", "be=ta", true},
	}
	for _, tt := range tests {
		if err := CheckCookie(tt.name, tt.value); (err == nil) != tt.ok {
			t.Errorf("CheckCookie(%q, %q) = %v, want ok=%v", tt.name, tt.value, err, tt.ok)
		}
	}
}
