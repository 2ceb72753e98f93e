package lint

import (
	"fmt"
	"maps"
	"slices"

	security "istio.io/api/security/v1"
)

func nonStrictMTLS() *Rule {
	return &Rule{
		ID:       "MR401",
		Name:     "non-strict-mtls",
		Severity: Error,
		Summary:  "a PeerAuthentication (or a port of it) whose mode is PERMISSIVE or DISABLE",
		Doc: `STRICT mutual TLS makes every workload prove its identity and encrypts all
traffic between sidecars: the zero-trust default the team relies on. PERMISSIVE
also accepts plain-text requests, from anything that can reach the pod; DISABLE
accepts only plain text. Both are meant for a migration, and are easy to forget
once it is over.

Set mode: STRICT, for the policy and for each of its portLevelMtls entries.
Where a port must stay open to plain text for a while, suppress the finding on
that PeerAuthentication with an annotation that says why and until when.`,
		Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: bookinfo}
spec:
  mtls:
    mode: PERMISSIVE
`,
		Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: bookinfo}
spec:
  mtls:
    mode: STRICT
`,
		Since:  since,
		Anchor: "seeds",
		Run:    runNonStrictMTLS,
	}
}

func runNonStrictMTLS(pass *Pass) {
	for _, r := range pass.Index.PeerAuthentications {
		pa := r.PeerAuthentication()
		if m := pa.GetMtls().GetMode(); weakMode(m) {
			pass.Reportf(r, "spec.mtls.mode", "mode %s accepts plain-text traffic%s: set mode: STRICT", m, scope(r, pass.Index))
		}
		ports := pa.GetPortLevelMtls()
		for _, port := range slices.Sorted(maps.Keys(ports)) {
			if m := ports[port].GetMode(); weakMode(m) {
				pass.Reportf(r, fmt.Sprintf("spec.portLevelMtls.%d.mode", port), "mode %s on port %d accepts plain-text traffic: set mode: STRICT", m, port)
			}
		}
	}
}

func weakMode(m security.PeerAuthentication_MutualTLS_Mode) bool {
	return m == security.PeerAuthentication_MutualTLS_PERMISSIVE || m == security.PeerAuthentication_MutualTLS_DISABLE
}

// scope says which workloads a PeerAuthentication covers.
func scope(r *Resource, ix *Index) string {
	switch {
	case r.PeerAuthentication().GetSelector() != nil:
		return " for the selected workloads"
	case r.Namespace == ix.RootNamespace:
		return " in the whole mesh"
	}
	return " in namespace " + r.Namespace
}
