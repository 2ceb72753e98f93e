package manifest

import (
	"net/netip"
	"strings"
)

// Host is a host name as Istio configuration writes it, resolved to the form
// Istio compares: lower case, short service names made fully qualified.
// Wildcards (*.example.com, *) stay as they are.
type Host string

// ResolveHost resolves name as written in an object in namespace ns, the
// way Istio does (ResolveShortnameToFQDN in pilot/pkg/model): only a name
// without a dot is a short name, completed with the object's namespace;
// every name with a dot stands as written.
//
//	reviews                             → reviews.ns.svc.<domain>
//	reviews.bookinfo                    → unchanged: Istio does not expand it, and it names no service
//	reviews.bookinfo.svc                → unchanged, likewise
//	reviews.bookinfo.svc.cluster.local  → unchanged
//	api.example.com, *.example.com, *   → unchanged
//
// isNamespace is not needed for that; HalfQualified uses it to tell what a
// name such as reviews.bookinfo was meant to be.
func ResolveHost(name, ns, domain string, isNamespace func(string) bool) Host {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if h == "" || strings.HasPrefix(h, "*") || strings.Contains(h, ".") || isIPHost(h) {
		return Host(h)
	}
	return Host(h + "." + ns + ".svc." + domain)
}

// isIPHost reports whether h is an IP address, which Istio never completes.
func isIPHost(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// HalfQualified returns the service host that name, written as
// name.namespace or name.namespace.svc, was most likely meant to be
// (name.namespace.svc.<domain>), when namespace is a namespace of the
// input. Kubernetes DNS completes such names for an application, but Istio
// takes them as written, so a route or DestinationRule for them applies to
// no service.
func HalfQualified(name, domain string, isNamespace func(string) bool) (Host, bool) {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
	if strings.HasPrefix(h, "*") || isNamespace == nil {
		return "", false
	}
	labels := strings.Split(h, ".")
	switch {
	case len(labels) == 2 && isNamespace(labels[1]):
		return Host(h + ".svc." + domain), true
	case len(labels) == 3 && labels[2] == "svc" && isNamespace(labels[1]):
		return Host(h + "." + domain), true
	}
	return "", false
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
