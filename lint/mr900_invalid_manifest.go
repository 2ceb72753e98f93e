package lint

import (
	"fmt"
	"strings"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/internal/yamlpath"
)

// The ID and name of MR900, which the loader also uses for documents that
// do not parse.
const (
	invalidManifestID   = "MR900"
	invalidManifestName = "invalid-manifest"
)

func invalidManifest() *Rule {
	return &Rule{
		ID:          invalidManifestID,
		Name:        invalidManifestName,
		Severity:    Error,
		SeverityWhy: `Error: the API server or Istio's validation webhook rejects the object, so the apply fails and the previous configuration stays in force. A field that only a newer Istio accepts is an error too, because the release the repository targets rejects it.`,
		Summary:     "YAML that does not parse, or an Istio object that Istio would reject",
		Doc: `A manifest that does not parse, or an Istio object that the API server or
Istio's validation refuses, never takes effect: the apply fails, or Argo CD or
Flux stop syncing, and the previous configuration stays in force.

The rule reports YAML and JSON that do not parse (with the line of the error),
files and documents beyond meshroll's size, nesting and alias limits, and Istio
objects that break the CRD schemas shipped in istio.io/api, their CEL rules or
the checks of Istio's validation webhook: unknown fields (a "wieght:" typo),
values of the wrong type or out of range, required fields missing, API versions
Istio does not serve, and cross-field rules such as a port-level mTLS setting
without a workload selector.

Objects are checked against the Istio release the repository targets (istio
in .meshroll.yaml, or --istio-version; the newest meshroll embeds by default):
a field that only a newer release accepts is reported as "needs Istio 1.32;
this repository targets 1.31". The webhook checks are ported from Istio's
pkg/config/validation for every kind meshroll reads: VirtualService,
DestinationRule, PeerAuthentication, Gateway, Sidecar, ServiceEntry,
WorkloadEntry, WorkloadGroup, AuthorizationPolicy, RequestAuthentication,
Telemetry and EnvoyFilter. What Istio only warns about is not reported.

Every invalid field of an object is reported, each once. Fix the field the
message names. Each document is checked on its own: the others in the file are
still linted.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - timeout: soon  # not a duration
    route:
    - destination: {host: reviews}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - timeout: 10s
    route:
    - destination: {host: reviews}
`,
		Since:  since,
		Anchor: "IST0106",
		Run:    runInvalidManifest,
	}
}

// runInvalidManifest reports what Istio's CRD schemas, CEL rules and
// webhook checks reject (internal/crd), every invalid field of an object,
// once per data path. Validity is decided there alone: for an object the
// validator recognises, what the loader could not decode is not reported
// again. Objects it does not recognise keep the loader's findings.
func runInvalidManifest(pass *Pass) {
	for _, r := range pass.Resources {
		var errs []crd.Error
		validated := false
		if r.IsIstio() {
			var err error
			errs, validated, err = r.Validation(pass.IstioVersion)
			if err != nil {
				// Run checked the version; a failure here is a bug.
				panic(err)
			}
		}
		seen := map[string]bool{}
		if !validated {
			for _, e := range r.Invalid {
				if !seen[canonicalPath(e.Path)] {
					seen[canonicalPath(e.Path)] = true
					pass.Reportf(r, e.Path, "%s: %s", e.Path, e.Message)
				}
			}
			continue
		}
		for _, e := range errs {
			if seen[canonicalPath(e.Path)] || ownedElsewhere(e.Path) {
				continue
			}
			seen[canonicalPath(e.Path)] = true
			pass.Reportf(r, e.Path, "%s", e.Message)
		}
	}
}

// ownedElsewhere reports whether a schema error at path is one another rule
// reports with more to say: mirror percentages out of range are MR304's.
func ownedElsewhere(path string) bool {
	return strings.Contains(path, "mirrorPercent") || (strings.Contains(path, ".mirrors[") && strings.HasSuffix(path, ".percentage.value"))
}

// canonicalPath writes a data path one way, whether its keys were written
// spec.a.b or spec["a"].b, so that two checkers' findings compare.
func canonicalPath(path string) string {
	p, err := yamlpath.Parse(path)
	if err != nil {
		return path
	}
	var b strings.Builder
	for _, e := range p {
		if e.IsIndex {
			fmt.Fprintf(&b, "[%d]", e.Index)
		} else {
			b.WriteString("/" + e.Key)
		}
	}
	return b.String()
}
