package gen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PerNamespace is how many rollouts share a namespace (and a CUE package
// directory).
const PerNamespace = 50

// Options vary the generated intent, for benchmarks that compare two
// versions of it.
type Options struct {
	// Phase gives rollout i's live phase; nil cycles through the ladder and
	// rollback.
	Phase func(i int) string
	// ExtraRoute gives rollout i a further A/B route (beta-users).
	ExtraRoute func(i int) bool
	// Expect gives every rollout a routing test: testers reach the canary
	// in every phase.
	Expect bool
}

// Intents writes n rollouts under dir with the default options.
func Intents(dir string, n int) error { return Write(dir, n, Options{}) }

// Write writes n rollouts under dir: one directory per namespace, one CUE
// file per rollout (Path), every file of a directory in one package. The
// output depends only on n and o.
func Write(dir string, n int, o Options) error {
	for i := range n {
		p := filepath.Join(dir, Path(i))
		if i%PerNamespace == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(p, []byte(Rollout(i, o)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Namespace returns the namespace of rollout i.
func Namespace(i int) string { return fmt.Sprintf("team-%03d", i/PerNamespace) }

// Path returns the file of rollout i, relative to the intents directory.
func Path(i int) string {
	return filepath.Join(Namespace(i), fmt.Sprintf("svc-%05d.cue", i))
}

var phases = []string{"start", "canary", "expand", "half", "promote", "rollback"}

// Rollout returns the CUE intent of the i-th generated rollout.
func Rollout(i int, o Options) string {
	var b strings.Builder
	ns := Namespace(i)
	name := fmt.Sprintf("svc-%05d", i)
	pkg := strings.ReplaceAll(ns, "-", "_")
	phase := phases[i%len(phases)]
	if o.Phase != nil {
		phase = o.Phase(i)
	}
	fmt.Fprintf(&b, "package %s\n\nrollouts: %q: {\n\tnamespace: %q\n", pkg, name, ns)
	if i%10 == 9 {
		// Every tenth rollout splits between two services.
		fmt.Fprintf(&b, "\thost: \"%s.example.com\"\n\tstable: host: \"%s-primary\"\n\tcanary: host: \"%s-canary\"\n", name, name, name)
	} else {
		b.WriteString("\tstable: {subset: \"v1\", labels: version: \"v1\"}\n\tcanary: {subset: \"v2\", labels: version: \"v2\"}\n")
	}
	fmt.Fprintf(&b, "\tphase: %q\n", phase)
	if i%7 == 3 {
		b.WriteString("\tphases: [{name: \"start\", canaryWeight: 0}, {name: \"canary\", canaryWeight: 5, hold: \"30m\"}, {name: \"expand\", canaryWeight: 20, hold: \"1h\"}, {name: \"half\", canaryWeight: 50, hold: \"2h\"}, {name: \"promote\", canaryWeight: 100}]\n")
	}
	if i%10 != 9 {
		b.WriteString("\troutes: [{\n\t\tname: \"testers\"\n\t\tmatch: headers: \"x-user-type\": exact: \"tester\"\n\t\tto: \"canary\"\n\t}")
		if i%2 == 0 {
			b.WriteString(", {\n\t\tname: \"beta-cookie\"\n\t\tmatch: cookie: {name: \"beta\", value: \"1\"}\n\t\tto: \"canary\"\n\t}")
		}
		if i%3 == 0 {
			b.WriteString(", {\n\t\tname: \"frontend-v2\"\n\t\tmatch: sourceLabels: {app: \"frontend\", version: \"v2\"}\n\t\tto: \"canary\"\n\t}")
		}
		if o.ExtraRoute != nil && o.ExtraRoute(i) {
			b.WriteString(", {\n\t\tname: \"beta-users\"\n\t\tmatch: headers: \"x-beta\": exact: \"yes\"\n\t\tto: \"canary\"\n\t}")
		}
		b.WriteString("]\n")
	}
	if i%5 == 0 {
		b.WriteString("\tmirror: {to: \"canary\", percent: 20}\n")
	}
	if i%11 == 0 {
		b.WriteString("\tfault: delay: {percent: 1, fixedDelay: \"2s\"}\n")
	}
	if o.Expect && i%10 != 9 {
		b.WriteString("\texpect: [{name: \"testers see the canary\", request: headers: \"x-user-type\": \"tester\", reaches: canary: 100}]\n")
	}
	b.WriteString("\ttimeout: \"10s\"\n\tretries: {attempts: 3, perTryTimeout: \"3s\", retryOn: \"5xx,reset\"}\n")
	b.WriteString("\ttrafficPolicy: {\n\t\tconnectionPool: http: http1MaxPendingRequests: 100\n\t\toutlierDetection: {consecutive5xxErrors: 5, interval: \"30s\", baseEjectionTime: \"30s\"}\n\t}\n")
	b.WriteString("}\n")
	return b.String()
}
