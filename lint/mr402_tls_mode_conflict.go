package lint

import (
	"fmt"

	networking "istio.io/api/networking/v1"
	security "istio.io/api/security/v1"
)

func tlsModeConflict() *Rule {
	return &Rule{
		ID:       "MR402",
		Name:     "tls-mode-conflict",
		Severity: Error,
		Summary:  "a DestinationRule disables TLS toward a host whose namespace or mesh requires STRICT mTLS",
		Doc: `A DestinationRule with tls mode DISABLE makes clients send plain text to the
host. When a PeerAuthentication requires STRICT mutual TLS for the host's
namespace, or for the whole mesh, the server side refuses plain text: every
request fails with a connection reset (HTTP 503).

Remove tls.mode: DISABLE (Istio then uses mutual TLS automatically) or set it
to ISTIO_MUTUAL. The rule checks the DestinationRule's traffic policy, its
port-level settings and those of its subsets, against namespace-wide and
mesh-wide PeerAuthentications.`,
		Bad: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: DISABLE}
`,
		Good: `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec:
  mtls: {mode: STRICT}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
`,
		Since:  since,
		Anchor: "KIA0207, KIA0208",
		Run:    runTLSModeConflict,
	}
}

func runTLSModeConflict(pass *Pass) {
	ix := pass.Index
	for _, r := range ix.DestinationRules {
		dr := r.DestinationRule()
		h := ix.DestinationRuleHost(r)
		if h == "" {
			continue // no host: MR900
		}
		var ns string
		switch _, n, ok := h.Service(ix.ClusterDomain); {
		case ok:
			ns = n
		case h == "*" || h == Host("*."+ix.ClusterDomain) || h == Host("*.svc."+ix.ClusterDomain):
			ns = ix.RootNamespace // in-mesh hosts in every namespace: the mesh-wide policy decides
		default:
			continue // an external host: not in the mesh
		}
		mode, pa := ix.MTLSMode(ns)
		if mode != security.PeerAuthentication_MutualTLS_STRICT {
			continue
		}
		for _, p := range disabledTLS(dr) {
			pass.Reportf(r, p, "TLS is disabled toward %s, but PeerAuthentication %s/%s (%s) requires STRICT mTLS there, so the requests are refused: remove tls.mode DISABLE or use ISTIO_MUTUAL",
				dr.GetHost(), pa.Namespace, pa.Name, pa.Position("spec.mtls.mode"))
		}
	}
}

// disabledTLS returns the data paths of every tls.mode DISABLE in dr.
func disabledTLS(dr *networking.DestinationRule) []string {
	var out []string
	check := func(tp *networking.TrafficPolicy, path string) {
		if tp.GetTls() != nil && tp.GetTls().GetMode() == networking.ClientTLSSettings_DISABLE {
			out = append(out, path+".tls.mode")
		}
		for i, p := range tp.GetPortLevelSettings() {
			if p.GetTls() != nil && p.GetTls().GetMode() == networking.ClientTLSSettings_DISABLE {
				out = append(out, fmt.Sprintf("%s.portLevelSettings[%d].tls.mode", path, i))
			}
		}
	}
	check(dr.GetTrafficPolicy(), "spec.trafficPolicy")
	for i, s := range dr.GetSubsets() {
		check(s.GetTrafficPolicy(), fmt.Sprintf("spec.subsets[%d].trafficPolicy", i))
	}
	return out
}
