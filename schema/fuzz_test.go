package schema

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzLoad loads data as an intent file, in memory: whatever the input,
// Load must return rollouts or Errors naming the file, never panic.
func fuzzLoad(t *testing.T, name string, data []byte) {
	in, err := LoadFiles([]File{{Path: name, Data: data}})
	if err != nil {
		var errs Errors
		if !errors.As(err, &errs) || len(errs) == 0 {
			t.Fatalf("Load returned %T %v, want Errors", err, err)
		}
		for _, e := range errs {
			if e.Msg == "" {
				t.Fatalf("error without a message: %+v", e)
			}
		}
		return
	}
	for _, r := range in.Rollouts {
		if !isDNSLabel(r.Name) || !isDNSLabel(r.Namespace) {
			t.Fatalf("accepted rollout %q in namespace %q: both become paths", r.Name, r.Namespace)
		}
		if _, _, ok := phaseWeights(r); !ok {
			t.Fatalf("accepted rollout %s with live phase %q", r.Name, r.Phase)
		}
	}
}

func phaseWeights(r *Rollout) (int, int, bool) {
	if r.Phase == PhaseRollback {
		return 100, 0, true
	}
	p, ok := r.LivePhase()
	return 100 - p.CanaryWeight, p.CanaryWeight, ok
}

func FuzzLoadCUE(f *testing.F) {
	for _, seed := range seedFiles(f, "*.cue") {
		f.Add(seed)
	}
	f.Add([]byte(`rollouts: a: {stable: subset: "v1", phase: "x"}`))
	f.Add([]byte("rollouts: \"a\": stable: host: \"b\"\nmesh: mtls: \"STRICT\""))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "intent.cue", data) })
}

func FuzzLoadYAML(f *testing.F) {
	for _, seed := range seedFiles(f, "*.yaml") {
		f.Add(seed)
	}
	f.Add([]byte("rollouts:\n  a:\n    stable: {subset: v1}\n"))
	f.Add([]byte("a: &a [*a, *a]\nb: &b [*a, *a, *a]\nrollouts: {}\n"))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzLoad(t, "intent.yaml", data) })
}

// seedFiles returns the fixture intents, good and bad, matching pattern.
func seedFiles(f *testing.F, pattern string) [][]byte {
	var out [][]byte
	for _, dir := range []string{"../fixtures/intents/*/", "../fixtures/bad/"} {
		paths, _ := filepath.Glob(dir + pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// TestYAMLLineBreaks loads YAML intent written with CRLF and with lone
// carriage returns, both line breaks to YAML: the intent and the positions
// of errors are those of the same file written with newlines.
func TestYAMLLineBreaks(t *testing.T) {
	lf, err := os.ReadFile("../fixtures/intents/shop/app.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadFiles([]File{{Path: "app.yaml", Data: lf}})
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte("rollouts:\n  cart:\n    namespace: Shop_Floor\n")
	_, wantErr := LoadFiles([]File{{Path: "bad.yaml", Data: bad}})
	if wantErr == nil {
		t.Fatal("the bad intent loads")
	}
	for name, lb := range map[string]string{"CRLF": "\r\n", "CR": "\r"} {
		got, err := LoadFiles([]File{{Path: "app.yaml", Data: bytes.ReplaceAll(lf, []byte("\n"), []byte(lb))}})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the intent differs from the same file with newlines", name)
		}
		_, gotErr := LoadFiles([]File{{Path: "bad.yaml", Data: bytes.ReplaceAll(bad, []byte("\n"), []byte(lb))}})
		if gotErr == nil || gotErr.Error() != wantErr.Error() {
			t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
		}
	}
}
