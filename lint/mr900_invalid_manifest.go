package lint

import (
	"github.com/meshroll/meshroll/internal/crd"
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

Every invalid field of an object is reported, each once. A few rejections
are reported by the rule that explains them at more length instead of by
this one: a negative weight (MR202), weights that add up to 0 (MR201), a
regex that is not RE2 (MR205), a mirror percentage outside 0..100 (MR304) and
a subset name used twice (MR103). Fix the field the message names. Each
document is checked on its own: the others in the file are still linted.`,
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
// webhook checks reject, as internal/crd judges it: every invalid field of
// an object, once per data path. The faults of the classes in explainedBy
// are left to the rules that explain them.
func runInvalidManifest(pass *Pass) {
	for _, r := range pass.Resources {
		if !r.IsIstio() {
			continue
		}
		errs, _, err := r.Validation(pass.IstioVersion)
		if err != nil {
			// Run checked the version; a failure here is a bug.
			panic(err)
		}
		var seen map[string]bool
		for _, e := range errs {
			if _, explained := explainedBy[e.Class]; explained || seen[e.Path] {
				continue
			}
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[e.Path] = true
			pass.Reportf(r, e.Path, "%s", e.Message)
		}
	}
}

// explainedBy names, for each class of validation error that has one, the
// rule that reports the fault with more to say (what the value does to
// traffic, what to write instead). The validator decides that the object is
// rejected; that rule reports it, from the same typed spec every rule
// reads, and MR900 does not say it again. A test holds every class to this
// table.
var explainedBy = map[crd.Class]string{
	crd.NegativeWeight:   "MR202",
	crd.ZeroTotalWeight:  "MR201",
	crd.BadRegex:         "MR205",
	crd.MirrorPercentage: "MR304",
	crd.DuplicateSubset:  "MR103",
}
