package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/manifest"
)

func conflictingDestinationRules() *Rule {
	return &Rule{
		ID:          "MR105",
		Name:        "conflicting-destinationrules",
		Severity:    Warning,
		SeverityWhy: `Warning: Istio accepts both objects and traffic flows, but the merged result ignores part of what is written, so what runs is not what a reader sees.`,
		Summary:     "two DestinationRules for one host in one namespace, or for one host and subset",
		Doc: `Istio applies one DestinationRule per host to a client. When two in one
namespace name the same host, Istio merges them in creation order: the subsets
of both are kept, but only the first traffic policy counts, and a subset defined
in both keeps the first definition. When a wildcard DestinationRule and an
exact one in one namespace define the same subset, the exact one wins and the
wildcard's definition is dead. Either way what a reader sees is not what runs,
and the result depends on which object the cluster saw first.

Keep one DestinationRule per host and namespace (per workload selector when
you use them), and define each subset once.

Like istiod's enhanced DestinationRule merge (on by default), the rule treats
DestinationRules whose exportTo lists are disjoint, or merely overlap without
one containing the other, as separate: each applies to its own clients, and
nothing is merged. A Sidecar cannot hide one of two DestinationRules of one
host and namespace from a client and not the other, so it does not change the
verdict.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-canary}
spec:
  host: reviews  # reviews again
  subsets:
  - {name: v2, labels: {version: v2}}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`,
		Since:  since,
		Anchor: "KIA0201",
		Run:    runConflictingDestinationRules,
	}
}

func runConflictingDestinationRules(pass *Pass) {
	ix := pass.Index
	type key struct {
		ns       string
		host     manifest.Host
		selector string
	}
	seen := map[key][]*manifest.Resource{}
	byNS := map[string][]*manifest.Resource{}
	for _, dr := range ix.DestinationRules {
		if dr.DestinationRule().GetHost() == "" {
			continue // no host: MR900
		}
		k := key{dr.Namespace, ix.DestinationRuleHost(dr), selectorKey(dr.DestinationRule().GetWorkloadSelector().GetMatchLabels())}
		byNS[dr.Namespace] = append(byNS[dr.Namespace], dr)
		earlier := seen[k]
		seen[k] = append(earlier, dr)
		for _, f := range earlier {
			if f.Name == dr.Name {
				break // the same object written twice, not two rules
			}
			if !mergedExports(f, dr) {
				continue // Istio keeps them apart
			}
			pass.Reportf(dr, "spec.host", "DestinationRule %s/%s (%s) already configures host %s in namespace %s for the same clients; Istio merges the two and ignores all but the first traffic policy: keep one DestinationRule per host",
				f.Namespace, f.Name, f.Position("spec.host"), dr.DestinationRule().GetHost(), dr.Namespace)
			break
		}
	}
	// A wildcard DestinationRule whose subset an exact one redefines, for
	// clients that see both.
	for _, drs := range byNS {
		for _, w := range drs {
			wh := ix.DestinationRuleHost(w)
			if !wh.IsWildcard() {
				continue
			}
			for _, e := range drs {
				eh := ix.DestinationRuleHost(e)
				if e == w || eh == wh || !wh.Matches(eh) || !sharesClients(w, e) {
					continue
				}
				names := map[string]bool{}
				for _, s := range e.DestinationRule().GetSubsets() {
					names[s.GetName()] = true
				}
				for i, s := range w.DestinationRule().GetSubsets() {
					if names[s.GetName()] {
						pass.Reportf(w, fmt.Sprintf("spec.subsets[%d].name", i), "subset %q is also defined for host %s by DestinationRule %s/%s (%s), which Istio applies there instead of this one: define the subset once",
							s.GetName(), e.DestinationRule().GetHost(), e.Namespace, e.Name, e.Position("spec.host"))
					}
				}
			}
		}
	}
}

// exportSet is a DestinationRule's exportTo as istiod keys it: the values
// as written, or "*" (the mesh's default) when there are none.
func exportSet(dr *manifest.Resource) map[string]bool {
	set := map[string]bool{}
	for _, e := range dr.DestinationRule().GetExportTo() {
		set[e] = true
	}
	if len(set) == 0 {
		set[manifest.ExportAll] = true
	}
	return set
}

func supersetOf(a, b map[string]bool) bool {
	for k := range b {
		if !a[k] {
			return false
		}
	}
	return true
}

// mergedExports reports whether istiod merges two DestinationRules of one
// host, namespace and selector: with enhanced DestinationRule merge (on by
// default since Istio 1.22; mergeDestinationRule in
// pilot/pkg/model/destination_rule.go) only when their exportTo sets are
// equal, or one is a superset of the other (then the wider one is merged
// and kept apart too). Rules exported to disjoint or merely overlapping
// namespaces stay apart, each for its own clients.
func mergedExports(a, b *manifest.Resource) bool {
	ea, eb := exportSet(a), exportSet(b)
	return supersetOf(ea, eb) || supersetOf(eb, ea)
}

// sharesClients reports whether some client namespace sees both
// DestinationRules, by their exportTo.
func sharesClients(a, b *manifest.Resource) bool {
	ea, eb := exportSet(a), exportSet(b)
	if ea[manifest.ExportAll] || eb[manifest.ExportAll] {
		return true
	}
	resolve := func(r *manifest.Resource, set map[string]bool) map[string]bool {
		out := map[string]bool{}
		for e := range set {
			if e == manifest.ExportPrivate {
				e = r.Namespace
			}
			out[e] = true
		}
		return out
	}
	ra, rb := resolve(a, ea), resolve(b, eb)
	for ns := range ra {
		if rb[ns] {
			return true
		}
	}
	return false
}

func selectorKey(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		fmt.Fprintf(&b, "%s=%s,", k, labels[k])
	}
	return b.String()
}
