// Package intentgen writes intents of many rollouts, for benchmarks and
// tests of meshroll diff at scale.
package intentgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Namespaces is how many namespaces the rollouts are spread over.
const Namespaces = 20

// Rollout writes the intent of rollout i in phase, in CUE: a subset canary
// with two A/B routes, a timeout, retries and a circuit breaker, the shape
// of a typical service. withBeta adds a third A/B route.
func Rollout(i int, phase string, withBeta bool) string {
	var b strings.Builder
	name := fmt.Sprintf("svc-%04d", i)
	fmt.Fprintf(&b, "rollouts: %q: {\n", name)
	fmt.Fprintf(&b, "\tnamespace: %q\n", Namespace(i))
	b.WriteString("\tstable: {subset: \"v1\", labels: version: \"v1\"}\n")
	b.WriteString("\tcanary: {subset: \"v2\", labels: version: \"v2\"}\n")
	fmt.Fprintf(&b, "\tphase: %q\n", phase)
	b.WriteString("\troutes: [{\n\t\tname: \"testers\"\n\t\tmatch: headers: \"x-tester\": exact: \"yes\"\n\t\tto: \"canary\"\n\t}")
	if withBeta {
		b.WriteString(", {\n\t\tname: \"beta-users\"\n\t\tmatch: cookie: {name: \"user\", value: \"beta\"}\n\t\tto: \"canary\"\n\t}")
	}
	b.WriteString(", {\n\t\tname: \"ops\"\n\t\tmatch: sourceLabels: app: \"ops\"\n\t\tto: \"stable\"\n\t}]\n")
	b.WriteString("\ttimeout: \"10s\"\n")
	b.WriteString("\tretries: {attempts: 3, perTryTimeout: \"3s\", retryOn: \"5xx,reset\"}\n")
	b.WriteString("\ttrafficPolicy: outlierDetection: {consecutive5xxErrors: 5, interval: \"30s\", baseEjectionTime: \"1m\"}\n")
	b.WriteString("}\n")
	return b.String()
}

// Namespace returns the namespace of rollout i.
func Namespace(i int) string { return fmt.Sprintf("team-%02d", i%Namespaces) }

// Path returns the file of rollout i, relative to the intents directory.
func Path(i int) string {
	return filepath.Join(Namespace(i), fmt.Sprintf("svc-%04d.cue", i))
}

// Write writes n rollouts into dir, one file each, in the phase phase(i),
// with a third A/B route where beta(i).
func Write(dir string, n int, phase func(int) string, beta func(int) bool) error {
	for i := range n {
		p := filepath.Join(dir, Path(i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(Rollout(i, phase(i), beta(i))), 0o644); err != nil {
			return err
		}
	}
	return nil
}
