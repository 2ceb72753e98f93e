package cookie

import (
	"fmt"
	"regexp"
	"strings"
)

// Cookie is one name=value pair of a cookie header.
type Cookie struct {
	Name, Value string
}

// Header joins cookies into the single cookie header value that a browser
// sends: pairs separated by "; " (RFC 6265, section 5.4).
func Header(cookies []Cookie) string {
	var b strings.Builder
	for i, c := range cookies {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Name)
		b.WriteByte('=')
		b.WriteString(c.Value)
	}
	return b.String()
}

// Regex renders a regex for a header match on "cookie" that matches exactly
// when the cookie name=value is one of the header's cookies, wherever it
// stands: alone, first, last or in the middle, after the standard "; "
// separator (RFC 6265, section 4.2.1) or a bare ";", with optional spaces or
// tabs around each pair. It never matches another cookie whose name ends in
// name ("xuser=beta") or whose value starts with value ("user=betamax").
//
// The regex is RE2 and is meant for a full match, as Envoy applies it:
//
//	(?s)^(?:.*;)?[ \t]*user=beta[ \t]*(?:;.*)?$
//
// The seeds' form ^(.*?;)?(user=beta)(;.*)?$ misses "theme=dark; user=beta",
// because after "theme=dark;" comes a space, not the cookie. (?s) lets other
// cookies hold any byte without hiding this one.
//
// name and value are quoted literally; they should satisfy Check, or the
// header a browser sends cannot hold them as one cookie.
func Regex(name, value string) string {
	return `(?s)^(?:.*;)?[ \t]*` + regexp.QuoteMeta(name) + `=` + regexp.QuoteMeta(value) + `[ \t]*(?:;.*)?$`
}

// Check reports whether name is an RFC 6265 cookie name (an HTTP token) and
// value a cookie value (cookie-octets: no controls, spaces, double quotes,
// commas, semicolons or backslashes), which is what Regex needs to match
// exactly the requests that carry the cookie.
func Check(name, value string) error {
	if name == "" {
		return fmt.Errorf("cookie name is empty")
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return fmt.Errorf("cookie name %q: %q is not allowed in a cookie name (RFC 6265 token)", name, name[i:i+1])
		}
	}
	for i := 0; i < len(value); i++ {
		if !isCookieOctet(value[i]) {
			return fmt.Errorf("cookie value %q: %q is not allowed in a cookie value (RFC 6265 cookie-octet)", value, value[i:i+1])
		}
	}
	return nil
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110,
// section 5.6.2).
func isTokenChar(c byte) bool {
	if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isCookieOctet reports whether c may appear in an unquoted cookie value
// (RFC 6265, section 4.1.1).
func isCookieOctet(c byte) bool {
	return c == 0x21 || c >= 0x23 && c <= 0x2B || c >= 0x2D && c <= 0x3A || c >= 0x3C && c <= 0x5B || c >= 0x5D && c <= 0x7E
}
