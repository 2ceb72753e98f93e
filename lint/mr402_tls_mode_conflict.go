package lint

import (
	"fmt"
	"slices"

	networking "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/manifest"
)

func tlsModeConflict() *Rule {
	return &Rule{
		ID:          "MR402",
		Name:        "tls-mode-conflict",
		Severity:    Error,
		SeverityWhy: `Error: traffic breaks. The client sends plain text and the server side, which requires mutual TLS, resets the connection, so every request fails.`,
		Summary:     "a DestinationRule disables TLS toward a host whose namespace or mesh requires STRICT mTLS",
		Doc: `A DestinationRule with tls mode DISABLE makes clients send plain text to the
host. When a PeerAuthentication requires STRICT mutual TLS for the host's
namespace, or for the whole mesh, the server side refuses plain text: every
request fails with a connection reset (HTTP 503).

Remove tls.mode: DISABLE (Istio then uses mutual TLS automatically) or set it
to ISTIO_MUTUAL. The rule checks the DestinationRule's traffic policy, its
port-level settings and those of its subsets, against namespace-wide and
mesh-wide PeerAuthentications; a wildcard host such as *.local is checked
against the mesh-wide one.

It stays silent where plain text is accepted after all: a workload-level
PeerAuthentication (with a selector) that makes the workloads behind the host,
or the port concerned, PERMISSIVE or DISABLE (when the host's Service is in the
input, its selector and target ports decide; without it, any such policy in
the namespace does); port-level settings that take every port of the Service
off the DISABLE; a host that no sidecar answers — outside the cluster, covered
by a MESH_EXTERNAL ServiceEntry, in a namespace whose Namespace object in the
input has no sidecar injection, or served by pods whose templates in the input
opt out of the sidecar (sidecar.istio.io/inject: "false").`,
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
		// ns is the namespace whose policy the host's workloads follow; ""
		// for a wildcard over services of every namespace, where the
		// mesh-wide policy decides.
		var ns string
		switch _, n, ok := h.Service(ix.ClusterDomain); {
		case ok:
			ns = n
		case h.IsWildcard() && h.Matches(manifest.Host("a.b.svc."+ix.ClusterDomain)):
		default:
			continue // an external host: no sidecar answers it
		}
		if !h.IsWildcard() && ix.ExternalServiceEntry(h, r.Namespace) != nil {
			continue // a MESH_EXTERNAL ServiceEntry: outside the mesh
		}
		if ns != "" && !ix.InMesh(ns) {
			continue // no sidecars there to require mTLS
		}
		policyNS := ns
		if policyNS == "" {
			policyNS = ix.RootNamespace
		}
		pa := ix.StrictFor(policyNS)
		if pa == nil {
			continue
		}
		var svc *manifest.Service
		var relaxed manifest.RelaxedPorts
		if ns != "" {
			svc = ix.Service(h)
			relaxed = ix.Relaxed(ns, svc)
			if ix.WithoutSidecars(svc) {
				continue // its pods opt out of the sidecar: no mTLS to require
			}
		}
		for _, d := range disabledTLS(dr, svc) {
			if relaxed.Accepts(svc, d.port) != nil {
				continue // the workload or its port accepts plain text
			}
			clients := "clients in namespace " + r.Namespace
			if exported := dr.GetExportTo(); len(exported) == 0 || slices.Contains(exported, manifest.ExportAll) {
				clients = "clients in every namespace without a DestinationRule of their own for it"
			}
			pass.Reportf(r, d.path, "TLS is disabled toward %s, but PeerAuthentication %s/%s (%s) requires STRICT mTLS there, so the requests of %s are refused: remove tls.mode DISABLE or use ISTIO_MUTUAL",
				dr.GetHost(), pa.Namespace, pa.Name, pa.Position("spec.mtls.mode"), clients)
		}
	}
}

// disabled is a tls.mode DISABLE and the service port it applies to, 0
// for every port.
type disabled struct {
	path string
	port uint32
}

// disabledTLS returns every tls.mode DISABLE in dr that some traffic
// follows: a policy-wide DISABLE counts only while a port of the Service
// (when known) is left to it by the port-level settings, or, without the
// Service, while no port-level setting overrides TLS.
func disabledTLS(dr *networking.DestinationRule, svc *manifest.Service) []disabled {
	var out []disabled
	check := func(tp *networking.TrafficPolicy, path string) {
		overridden := map[uint32]bool{}
		for i, p := range tp.GetPortLevelSettings() {
			if p.GetTls() == nil {
				continue
			}
			overridden[p.GetPort().GetNumber()] = true
			if p.GetTls().GetMode() == networking.ClientTLSSettings_DISABLE {
				out = append(out, disabled{fmt.Sprintf("%s.portLevelSettings[%d].tls.mode", path, i), p.GetPort().GetNumber()})
			}
		}
		if tp.GetTls() == nil || tp.GetTls().GetMode() != networking.ClientTLSSettings_DISABLE {
			return
		}
		left := len(overridden) == 0
		if svc != nil {
			left = false
			for _, port := range svc.Ports() {
				left = left || !overridden[port]
			}
			if len(svc.Ports()) == 0 {
				left = len(overridden) == 0
			}
		}
		if left {
			out = append(out, disabled{path + ".tls.mode", 0})
		}
	}
	check(dr.GetTrafficPolicy(), "spec.trafficPolicy")
	for i, s := range dr.GetSubsets() {
		check(s.GetTrafficPolicy(), fmt.Sprintf("spec.subsets[%d].trafficPolicy", i))
	}
	return out
}
