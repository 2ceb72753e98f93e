package lint

import (
	"fmt"
	"regexp"
	"strings"
)

func meaninglessSubsetName() *Rule {
	return &Rule{
		ID:          "MR501",
		Name:        "meaningless-subset-name",
		Severity:    Info,
		SeverityWhy: `Info: a naming practice; nothing is rejected and nothing breaks.`,
		Summary:     "a subset name that neither equals its version label nor names a purpose (stable, canary, primary, beta, ...)",
		Doc: `Routes name subsets, and people read routes: "route 10% to canary" or "route
jason to v2" says what happens, "route 10% to subset-b" does not. A subset
name should say the version it selects (the value of its version label, or
any of its labels, alone or as a part such as version-v1 or reviews-v2) or the
role it plays: stable, canary, primary, baseline, beta, preview, blue, green,
shadow, tls-origination, tls-passthrough, a region or zone, and the like. A
suggested name is always one the intent schema accepts (v1.2 becomes v1-2).

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
		release nightly edge lts fallback backup premium vip
		tls mtls plaintext origination passthrough termination egress ingress gateway external local remote
		locality region zone failover east west north south central`) {
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
			if v := subsetNameFor(versionLabel(labels)); v != "" {
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

// meaningfulSubsetName reports whether a subset name says its version or
// its role: it is, or holds as a part between '-', '_' or '.', the value of
// one of its labels (version-v1 for version: v1, us-west for a region
// label), or a word for a role (canary, tls-origination, region-a).
func meaningfulSubsetName(name string, labels map[string]string, words map[string]bool) bool {
	lower := strings.ToLower(name)
	parts := strings.FieldsFunc(lower, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	for k, v := range labels {
		v = strings.ToLower(v)
		if v == "" {
			continue
		}
		if lower == v {
			return true
		}
		// The app label names the service, not the subset: reviews-a says
		// no more than a.
		if k == "app" || k == "app.kubernetes.io/name" {
			continue
		}
		if len(v) > 1 && containsPart(lower, v) {
			return true
		}
		// A version written with dots becomes dashes in a DNS label:
		// v1-2 for version v1.2.
		if d := strings.ReplaceAll(v, ".", "-"); d != v && containsPart(lower, d) {
			return true
		}
	}
	for _, w := range parts {
		if words[w] {
			return true
		}
	}
	return false
}

// containsPart reports whether v appears in name as whole parts: at its
// ends or between separators.
func containsPart(name, v string) bool {
	for i := 0; ; {
		j := strings.Index(name[i:], v)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(v)
		sep := func(k int) bool { return name[k] == '-' || name[k] == '_' || name[k] == '.' }
		if (start == 0 || sep(start-1)) && (end == len(name) || sep(end)) {
			return true
		}
		i = start + 1
	}
}

// subsetNameRE is the intent schema's #Name, which subset names must meet.
var subsetNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// subsetNameFor turns a version label value into a subset name the intent
// schema accepts (v1.2 → v1-2), or "" when it cannot: the rule never
// suggests a name that meshroll would then reject.
func subsetNameFor(version string) string {
	n := strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		case r == '.' || r == '_':
			return '-'
		}
		return r
	}, version), "-")
	if len(n) > 63 || !subsetNameRE.MatchString(n) {
		return ""
	}
	return n
}
