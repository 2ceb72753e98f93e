package lint

import "strings"

// Host is a host name as Istio configuration writes it, resolved to the form
// Istio compares: lower case, short service names made fully qualified.
// Wildcards (*.example.com, *) stay as they are.
type Host string

// ResolveHost resolves name as written in an object in namespace ns, the way
// Istio and Kubernetes DNS do for in-mesh services:
//
//	reviews                             → reviews.ns.svc.<domain>
//	reviews.bookinfo                    → reviews.bookinfo.svc.<domain> (when bookinfo is a namespace)
//	reviews.bookinfo.svc                → reviews.bookinfo.svc.<domain>
//	reviews.bookinfo.svc.cluster.local  → unchanged
//	api.example.com, *.example.com, *   → unchanged
//
// isNamespace tells a two-label name.namespace (resolved) from a two-label
// external name such as example.com (kept); nil treats no name as a
// namespace.
func ResolveHost(name, ns, domain string, isNamespace func(string) bool) Host {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if h == "" || strings.HasPrefix(h, "*") {
		return Host(h)
	}
	labels := strings.Split(h, ".")
	switch {
	case len(labels) == 1:
		return Host(h + "." + ns + ".svc." + domain)
	case len(labels) == 2 && isNamespace != nil && isNamespace(labels[1]):
		return Host(h + ".svc." + domain)
	case len(labels) == 3 && labels[2] == "svc":
		return Host(h + "." + domain)
	}
	return Host(h)
}

// IsWildcard reports whether h is a wildcard pattern.
func (h Host) IsWildcard() bool { return strings.HasPrefix(string(h), "*") }

// Matches reports whether pattern h covers host o: equal names, "*" covers
// every host, and "*.example.com" covers any name ending in ".example.com",
// including narrower wildcards such as "*.api.example.com".
func (h Host) Matches(o Host) bool {
	switch {
	case h == o, h == "*":
		return true
	case strings.HasPrefix(string(h), "*."):
		return strings.HasSuffix(string(o), string(h[1:]))
	}
	return false
}

// Service splits a resolved in-cluster host name.ns.svc.<domain> into its
// service name and namespace; ok is false for other hosts, wildcards included,
// except "*.ns.svc.<domain>", which yields name "*".
func (h Host) Service(domain string) (name, ns string, ok bool) {
	rest, found := strings.CutSuffix(string(h), ".svc."+domain)
	if !found {
		return "", "", false
	}
	name, ns, found = strings.Cut(rest, ".")
	if !found || name == "" || ns == "" || strings.Contains(ns, ".") {
		return "", "", false
	}
	return name, ns, true
}

// specificity orders the patterns that match one host: an exact name beats
// any wildcard, a longer wildcard beats a shorter one.
func (h Host) specificity() int {
	if h.IsWildcard() {
		return len(h)
	}
	return 1 << 30
}
