package crd

import (
	"fmt"
	"net/netip"
	"strings"
)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// headerNameProblem checks an HTTP header name as the webhook does; the
// @request.auth.claims form routes on JWT claims at gateways.
func headerNameProblem(name string) string {
	if name == "" {
		return "is empty"
	}
	if strings.HasPrefix(name, "@request.auth.claims.") {
		return ""
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '-' || c == '_' || isAlnum(c)) {
			return "is not a valid header name: use letters, digits, '-' and '_'"
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLowerAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// dnsLabelProblem checks a DNS-1123 label (at most 63 characters of
// letters, digits and '-', starting and ending with a letter or digit);
// anyCase admits upper case, as Istio does for host and subset names.
func dnsLabelProblem(s string, anyCase bool) string {
	ok := isAlnum
	what := "letters, digits and '-'"
	if !anyCase {
		ok = isLowerAlnum
		what = "lowercase letters, digits and '-'"
	}
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > 63:
		return fmt.Sprintf("is %d characters long; a DNS label may have at most 63", len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ok(c) || (c == '-' && i > 0 && i < len(s)-1) {
			continue
		}
		return fmt.Sprintf("must consist of %s, and start and end with a letter or digit", what)
	}
	return ""
}

// dnsSubdomainProblem checks a DNS-1123 subdomain, the form of object names
// (Kubernetes' IsDNS1123Subdomain): at most 253 characters of lowercase
// letters, digits, '-' and '.', each dot-separated part starting and ending
// with a letter or digit. Unlike a DNS label, a part may be longer than 63
// characters.
func dnsSubdomainProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 253 {
		return fmt.Sprintf("is %d characters long; a name may have at most 253", len(s))
	}
	for rest, more := s, true; more; {
		var part string
		part, rest, more = strings.Cut(rest, ".")
		if part == "" || !isLowerAlnum(part[0]) || !isLowerAlnum(part[len(part)-1]) {
			return "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit"
		}
		for i := 0; i < len(part); i++ {
			if !isLowerAlnum(part[i]) && part[i] != '-' {
				return "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part between dots starting and ending with a letter or digit"
			}
		}
	}
	return ""
}

// fqdnProblem checks a host name made of DNS-1123 labels; a trailing dot is
// allowed.
func fqdnProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 255 {
		return fmt.Sprintf("must be at most 255 characters long, not %d", len(s))
	}
	trimmed := strings.TrimSuffix(s, ".")
	for rest, more := trimmed, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ".")
		if msg := dnsLabelProblem(l, true); msg != "" {
			return fmt.Sprintf("is not a valid host name: its label %s %s", quote(l), msg)
		}
	}
	tld := trimmed[strings.LastIndexByte(trimmed, '.')+1:]
	if trimmed == s && allDigits(tld) {
		return fmt.Sprintf("is not a valid host name: its top-level domain %s is all digits", quote(tld))
	}
	return ""
}

// wildcardDomainProblem checks a host that may start with a wildcard label
// ("*", "*.example.com", "*-foo.example.com"), as Istio's
// ValidateWildcardDomain does.
func wildcardDomainProblem(s string) string {
	if s == "" {
		return "must not be empty"
	}
	if len(s) > 255 {
		return fmt.Sprintf("must be at most 255 characters long, not %d", len(s))
	}
	first, rest, hasRest := strings.Cut(s, ".")
	if strings.HasPrefix(first, "*") {
		label := strings.TrimPrefix(strings.TrimPrefix(first, "*"), "-")
		if label != "" && dnsLabelProblem(label, true) != "" {
			return fmt.Sprintf("is not a valid host name: its wildcard label %s is malformed", quote(first))
		}
	} else if msg := dnsLabelProblem(first, true); msg != "" {
		return fmt.Sprintf("is not a valid host name: its label %s %s", quote(first), msg)
	}
	if !hasRest {
		return ""
	}
	if strings.Contains(rest, "*") {
		return "is not a valid host name: a wildcard may only be the first label"
	}
	return fqdnProblem(rest)
}

// qualifiedNameProblem checks a label or annotation key: an optional DNS
// subdomain prefix and "/", then a name of at most 63 characters.
// Kubernetes wants the prefix in lower case; Istio's check of subset labels
// admits upper case (anyCase).
func qualifiedNameProblem(s string, anyCase bool) string {
	prefix, name, hasPrefix := strings.Cut(s, "/")
	if !hasPrefix {
		name, prefix = prefix, ""
	} else {
		if anyCase {
			prefix = strings.ToLower(prefix)
		}
		if msg := dnsSubdomainProblem(prefix); msg != "" {
			return "has a prefix that " + msg
		}
	}
	if name == "" {
		return "has an empty name"
	}
	if len(name) > 63 {
		return fmt.Sprintf("has a name longer than 63 characters (%d)", len(name))
	}
	if !isNameChars(name) {
		return "must consist of letters, digits, '-', '_' and '.', starting and ending with a letter or digit, with an optional DNS prefix and '/'"
	}
	return ""
}

// labelValueProblem checks a label value: empty, or at most 63 characters of
// letters, digits, '-', '_' and '.', starting and ending with a letter or
// digit.
func labelValueProblem(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > 63 {
		return fmt.Sprintf("is a label value longer than 63 characters (%d)", len(s))
	}
	if !isNameChars(s) {
		return "is not a valid label value: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
	}
	return ""
}

func isNameChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) {
			continue
		}
		if (c == '-' || c == '_' || c == '.') && i > 0 && i < len(s)-1 {
			continue
		}
		return false
	}
	return true
}
