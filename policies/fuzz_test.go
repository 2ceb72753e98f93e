package policies

import (
	"os"
	"path/filepath"
	"testing"
)

// fuzzEngine compiles the built-ins, the example policies and the
// differential constraints once for the fuzz targets.
func fuzzEngine(tb testing.TB) *Engine {
	tb.Helper()
	var files []File
	for i, c := range differentialConstraints {
		f := policyFile(diffID(i), `["VirtualService", "DestinationRule", "PeerAuthentication"]`, c)
		f.Name = "pol/" + diffID(i) + ".cue"
		files = append(files, f)
	}
	acme, err := ReadDir("../fixtures/policies/acme")
	if err != nil {
		tb.Fatal(err)
	}
	e, err := Compile(Package{Dir: "pol", Files: files}, acme)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// FuzzEvaluate evaluates arbitrary YAML: no panic, every violation placed in
// the manifest, and for every planned policy the plan agrees with CUE.
func FuzzEvaluate(f *testing.F) {
	for _, d := range differentialDocs {
		f.Add(d)
	}
	manifests, _ := filepath.Glob("../fixtures/policies/manifests/*.yaml")
	for _, m := range manifests {
		data, err := os.ReadFile(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("kind: VirtualService\nspec: {http: &a [*a]}\n")
	f.Add("kind: VirtualService\n<<: {spec: {http: [{fault: 1}]}}\n")
	e := fuzzEngine(f)
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 {
			return
		}
		docs, _ := tryDecodeAll(src, 8)
		for di, d := range docs {
			body := documentBody(d)
			for _, kind := range []string{kindOf(d), "VirtualService"} {
				for _, v := range e.Evaluate(d, "m.yaml", kind) {
					if v.Line == 0 || v.Message == "" || v.Reason == "" {
						t.Errorf("violation without position or text: %+v", v)
					}
				}
			}
			for _, c := range e.policies {
				checkPlanMatchesCUE(t, e, c, body, di)
			}
		}
	})
}

// FuzzCompile compiles arbitrary policy files: no panic, and a compiled
// engine evaluates a manifest.
func FuzzCompile(f *testing.F) {
	f.Add("package p\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n")
	f.Add("package p\npolicies: ACME001: {name: \"a\", severity: \"info\", message: \"m\", kinds: [\"VirtualService\"], constraint: spec: {a: string, b: a}}\n")
	f.Add("package p\nimport \"strings\"\n#R: {timeout: strings.MinRunes(2), ...}\npolicies: X1: {name: \"a\", severity: \"error\", message: \"{path} {value}\", kinds: [\"VirtualService\"], constraint: spec: http?: [...#R]}\n")
	f.Add("package p\npolicies: X1: constraint: [...]\n")
	f.Add("package p\npolicies: X1: {constraint: spec: _|_, kinds: [\"A\"], name: \"a\", severity: \"info\", message: \"m\"}\n")
	for _, name := range []string{"routes.cue", "resilience.cue"} {
		data, err := os.ReadFile(filepath.Join("../fixtures/policies/acme", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	doc := decodeAll(f, differentialDocs[0])[0]
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1024 {
			return
		}
		e, err := Compile(Package{Dir: "pol", Files: []File{{Name: "pol/p.cue", Data: []byte(src)}}})
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error")
			}
			return
		}
		for _, c := range e.policies {
			for _, k := range c.Kinds {
				e.Evaluate(doc, "m.yaml", k)
			}
			checkPlanMatchesCUE(t, e, c, documentBody(doc), 0)
		}
	})
}
