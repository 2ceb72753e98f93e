package lint

// The ID and name of MR900, which the loader also uses for documents that
// do not parse.
const (
	invalidManifestID   = "MR900"
	invalidManifestName = "invalid-manifest"
)

func invalidManifest() *Rule {
	return &Rule{
		ID:       invalidManifestID,
		Name:     invalidManifestName,
		Severity: Error,
		Summary:  "YAML that does not parse, or an Istio object that Istio would reject",
		Doc: `A manifest that does not parse, or an Istio object that the API server or
Istio's validation refuses, never takes effect: the apply fails, or Argo CD or
Flux stop syncing, and the previous configuration stays in force.

The rule reports YAML and JSON that do not parse (with the line of the error),
files and documents beyond meshroll's size, nesting and alias limits, Istio
objects of an API version Istio does not serve, objects without a name, and
spec values of the wrong type (a string where Istio wants a number, an unknown
enum value, a malformed duration).

Fix the field the message names. Each document is checked on its own: the
others in the file are still linted.`,
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

// runInvalidManifest reports what the loader found wrong with each object.
// Schema validation against Istio's CRDs (internal/crd) adds its findings
// here, once per path, next to these.
func runInvalidManifest(pass *Pass) {
	for _, r := range pass.Resources {
		for _, e := range r.Invalid {
			pass.Reportf(r, e.Path, "%s: %s", e.Path, e.Message)
		}
	}
}
