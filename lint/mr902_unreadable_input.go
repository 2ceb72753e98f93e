package lint

import "github.com/meshroll/meshroll/manifest"

// The IDs and names of the rules whose findings come from loading the input
// rather than from its objects.
const (
	unreadableInputID   = "MR902"
	unreadableInputName = "unreadable-input"
	skippedInputID      = "MR903"
	skippedInputName    = "input-skipped"
)

func unreadableInput() *Rule {
	return &Rule{
		ID:          unreadableInputID,
		Name:        unreadableInputName,
		Severity:    Error,
		SeverityWhy: "Error: kustomize refuses the directory, so Argo CD or Flux cannot sync it and nothing in it reaches the cluster; and meshroll could not check any of it.",
		Summary:     "a kustomization that cannot be read or built, so what it holds is not linted",
		Doc: `meshroll builds kustomizations in-process, as kustomize does, with remote
bases, Helm charts and plugins off. One that kustomize would refuse is reported
here, at the entry that breaks it, and the rest of the input is linted:

- a reference to a remote base or file (a URL, a git address): meshroll never
  fetches anything, and a GitOps repository should hold what it deploys;
- a cycle: a kustomization that includes itself, directly or through others;
- a file outside the kustomization's directory, which kustomize's default load
  restrictor refuses (a directory with its own kustomization may be anywhere
  in the repository), or a path that does not exist;
- anything else kustomize reports when it builds the directory.

Argo CD and Flux fail to sync such a directory, so what it holds never reaches
the cluster. Fix the entry the finding points at; to lint a base on its own,
name its directory.`,
		Bad: `-- overlay/kustomization.yaml --
resources:
- ../overlay
`,
		Good: `-- overlay/kustomization.yaml --
resources:
- vs.yaml
-- overlay/vs.yaml --
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    route:
    - destination: {host: reviews}
`,
		Since:  since,
		Anchor: "kustomize build; Argo CD sync",
		Input:  true,
	}
}

func skippedInput() *Rule {
	return &Rule{
		ID:          skippedInputID,
		Name:        skippedInputName,
		Severity:    Info,
		SeverityWhy: "Info: nothing is wrong with a chart or a Component; the note says what was not linted, and how to lint it.",
		Summary:     "a Helm chart or a kustomize Component, which is not linted on its own",
		Doc: `Some directories hold configuration that is not manifests until another tool
makes them so. meshroll leaves them alone, and says so, rather than report the
template syntax as broken YAML:

- a Helm chart (a directory with a Chart.yaml): its templates become manifests
  only when rendered. Lint the output instead:
  helm template my-release ./chart | meshroll lint -
- a kustomize Component (kind: Component), which kustomize builds only as part
  of a kustomization that lists it under components: its objects are linted
  there.`,
		Bad: `-- chart/Chart.yaml --
apiVersion: v2
name: reviews
version: 0.1.0
-- chart/templates/vs.yaml --
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ .Release.Name }}
`,
		Good: `-- rendered/vs.yaml --
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    route:
    - destination: {host: reviews}
`,
		Since:  since,
		Anchor: "helm template; kustomize components",
		Input:  true,
	}
}

// problemDiagnostic reports input the loader could not read as manifests
// under the rule for its kind: MR900 for a document that does not parse,
// MR902 for input that cannot be read or built, MR903 for input skipped.
func problemDiagnostic(p manifest.Problem) Diagnostic {
	d := Diagnostic{Position: p.Position, Message: p.Message}
	switch p.Kind {
	case manifest.Invalid:
		d.Rule, d.Name, d.Severity = invalidManifestID, invalidManifestName, Error
	case manifest.Skipped:
		d.Rule, d.Name, d.Severity = skippedInputID, skippedInputName, Info
	default:
		d.Rule, d.Name, d.Severity = unreadableInputID, unreadableInputName, Error
	}
	return d
}
