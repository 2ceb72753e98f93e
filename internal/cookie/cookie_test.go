package cookie

import (
	"regexp"
	"strings"
	"testing"
)

// seedRegex is the cookie match of the seeds (004_1d759c1865e1ac81.txt).
const seedRegex = `^(.*?;)?(user=beta)(;.*)?$`

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

// fullMatch compiles a regex as Envoy applies it to a header: to the whole
// value.
func fullMatch(t testing.TB, src string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		t.Fatalf("%q does not compile: %v", src, err)
	}
	return re
}

func TestRegex(t *testing.T) {
	tests := []struct {
		header string
		seed   bool // the seeds' form matches
		want   bool // Regex matches, and the reference parser agrees
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
	seed := regexp.MustCompile(seedRegex)
	re := fullMatch(t, Regex("user", "beta"))
	for _, tt := range tests {
		if got := seed.MatchString(tt.header); got != tt.seed {
			t.Errorf("seed regex on %q: %v, want %v", tt.header, got, tt.seed)
		}
		if ref := hasCookie(tt.header, "user", "beta"); ref != tt.want {
			t.Errorf("reference parser on %q: %v, want %v", tt.header, ref, tt.want)
		}
		if got := re.MatchString(tt.header); got != tt.want {
			t.Errorf("Regex on %q: %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestRegexQuotes(t *testing.T) {
	re := fullMatch(t, Regex("a.b", "x+y"))
	for header, want := range map[string]bool{"a.b=x+y": true, "aXb=x+y": false, "a.b=xxy": false, "a.b=x+yy": false} {
		if got := re.MatchString(header); got != want {
			t.Errorf("%q: %v, want %v", header, got, want)
		}
	}
}

func TestCheck(t *testing.T) {
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
		if err := Check(tt.name, tt.value); (err == nil) != tt.ok {
			t.Errorf("Check(%q, %q) = %v, want ok=%v", tt.name, tt.value, err, tt.ok)
		}
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		cookies []Cookie
		want    string
	}{
		{nil, ""},
		{[]Cookie{{"user", "beta"}}, "user=beta"},
		{[]Cookie{{"theme", "dark"}, {"user", "beta"}}, "theme=dark; user=beta"},
		{[]Cookie{{"a", ""}, {"b", "x=y"}}, "a=; b=x=y"},
	}
	for _, tt := range tests {
		if got := Header(tt.cookies); got != tt.want {
			t.Errorf("Header(%v) = %q, want %q", tt.cookies, got, tt.want)
		}
	}
	// What Header joins, the regex of each of its cookies finds.
	cs := []Cookie{{"theme", "dark"}, {"user", "beta"}, {"lang", "en"}}
	for _, c := range cs {
		if !fullMatch(t, Regex(c.Name, c.Value)).MatchString(Header(cs)) {
			t.Errorf("Regex(%q, %q) misses %q", c.Name, c.Value, Header(cs))
		}
	}
}
