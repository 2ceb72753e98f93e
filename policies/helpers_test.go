package policies

import (
	"errors"
	"io"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/manifest"
)

// decodeAll parses every document of a YAML stream as package manifest
// hands them to the lint engine: aliases and merge keys resolved.
func decodeAll(tb testing.TB, src string) []*yaml.Node {
	tb.Helper()
	docs, err := tryDecodeAll(src, 0)
	if err != nil {
		tb.Fatalf("parsing YAML: %v", err)
	}
	return docs
}

// tryDecodeAll parses up to max documents (0: all).
func tryDecodeAll(src string, max int) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(src))
	var docs []*yaml.Node
	for max == 0 || len(docs) < max {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			err = manifest.ResolveYAML(&n)
		}
		if err != nil {
			return docs, err
		}
		docs = append(docs, &n)
	}
	return docs, nil
}

// kindOf reads a document's kind.
func kindOf(doc *yaml.Node) string {
	if _, v, ok := lookup(documentBody(doc), "kind"); ok {
		if v.Kind == yaml.ScalarNode {
			return v.Value
		}
	}
	return ""
}

// evalAll evaluates every document of src.
func evalAll(tb testing.TB, e *Engine, file, src string) []Violation {
	tb.Helper()
	var out []Violation
	for _, d := range decodeAll(tb, src) {
		out = append(out, e.Evaluate(d, file, kindOf(d))...)
	}
	return out
}

// compileUser compiles the built-ins and one user package from sources.
func compileUser(tb testing.TB, files ...File) *Engine {
	tb.Helper()
	var pkgs []Package
	if len(files) > 0 {
		pkgs = append(pkgs, Package{Dir: "pol", Files: files})
	}
	e, err := Compile(pkgs...)
	if err != nil {
		tb.Fatalf("compiling policies: %v", err)
	}
	return e
}

// policyFile wraps constraint text into a one-policy file, importing the
// standard library packages it uses.
func policyFile(id, kinds, constraint string) File {
	imports := ""
	for _, pkg := range []string{"list", "strings", "struct"} {
		if strings.Contains(constraint, pkg+".") {
			imports += "import \"" + pkg + "\"\n"
		}
	}
	return File{Name: "pol/p.cue", Data: []byte("package p\n\n" + imports + "policies: " + id + ": {\n\tname: \"p\"\n\tseverity: \"warning\"\n\tmessage: \"m\"\n\tkinds: " + kinds + "\n\tconstraint: " + constraint + "\n}\n")}
}
