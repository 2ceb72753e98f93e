package cookie

import "testing"

// FuzzRegex checks Regex against the reference cookie parser: the regex,
// applied as Envoy applies it (full match), matches a cookie header exactly
// when the header holds the cookie.
func FuzzRegex(f *testing.F) {
	f.Add("user", "beta", "theme=dark; user=beta", "theme=dark; ", "; x=y")
	f.Add("user", "beta", "xuser=beta", "", "max")
	f.Add("a.b", "x+y", "a.b=x+y", "\t;", ";")
	f.Add("u", "", "u=;u", "u", "=")
	f.Fuzz(func(t *testing.T, name, value, header, pre, post string) {
		if Check(name, value) != nil {
			return
		}
		re := fullMatch(t, Regex(name, value))
		for _, h := range []string{header, pre + name + "=" + value + post} {
			if got, want := re.MatchString(h), hasCookie(h, name, value); got != want {
				t.Fatalf("Regex(%q, %q) on %q: %v, reference parser says %v", name, value, h, got, want)
			}
		}
	})
}
