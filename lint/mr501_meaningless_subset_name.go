package lint

import (
	"fmt"
	"strings"
)

func meaninglessSubsetName() *Rule {
	return &Rule{
		ID:       "MR501",
		Name:     "meaningless-subset-name",
		Severity: Info,
		Summary:  "a subset name that neither equals its version label nor names a purpose (stable, canary, primary, beta, ...)",
		Doc: `Routes name subsets, and people read routes: "route 10% to canary" or "route
jason to v2" says what happens, "route 10% to subset-b" does not. A subset
name should be the version it selects (the value of its version label) or the
role it plays in the rollout: stable, canary, primary, baseline, beta,
preview, blue, green, shadow and the like.

Rename the subset, and the routes that name it.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: subset-a, labels: {version: v1}}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: canary, labels: {version: v2}}
`,
		Since:  since,
		Anchor: "best practice: meaningful subset names",
		Run:    runMeaninglessSubsetName,
	}
}

// purposeWords are words that say what a subset is for.
func purposeWords() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`stable canary primary secondary baseline candidate control experiment
		experimental beta alpha preview blue green main current next previous prev old legacy latest
		prod production staging stage dev test testing internal debug rollback shadow mirror default
		release nightly edge lts fallback backup premium vip`) {
		m[w] = true
	}
	return m
}

func runMeaninglessSubsetName(pass *Pass) {
	words := purposeWords()
	for _, r := range pass.Index.DestinationRules {
		for i, s := range r.DestinationRule().GetSubsets() {
			name, labels := s.GetName(), s.GetLabels()
			if name == "" || meaningfulSubsetName(name, labels, words) {
				continue
			}
			hint := "a role such as stable or canary"
			if v := versionLabel(labels); v != "" {
				hint = fmt.Sprintf("its version (%s) or %s", v, hint)
			}
			pass.Reportf(r, fmt.Sprintf("spec.subsets[%d].name", i), "subset name %q says neither which version it selects nor what it is for: name it after %s", name, hint)
		}
	}
}

func versionLabel(labels map[string]string) string {
	if v := labels["version"]; v != "" {
		return v
	}
	return labels["app.kubernetes.io/version"]
}

func meaningfulSubsetName(name string, labels map[string]string, words map[string]bool) bool {
	if v := versionLabel(labels); v != "" {
		if name == v {
			return true
		}
	} else {
		// Without a version label the subset is named after what selects it.
		for _, v := range labels {
			if name == v {
				return true
			}
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if words[w] {
			return true
		}
	}
	return false
}
