package policies

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// okPolicy is a valid policy body to vary.
const okPolicy = `name:       "require-route-timeout"
	severity:   "warning"
	message:    "set a timeout"
	kinds:      ["VirtualService"]
	constraint: spec: http?: [...{timeout: string}]`

// TestCompileErrors checks that every kind of bad policy file gives an error
// at the file, line and column to edit, with a sentence that says what is
// wrong.
func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name:  "unknown field",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + okPolicy + "\n\tsevrity: \"error\"\n}\n"},
		want:  []string{"pol/a.cue:9:2: unknown field sevrity in policy ACME001; a policy has name, severity, message, kinds, apiGroups, namespaces and constraint"},
	}, {
		name:  "bad severity",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, `"warning"`, `"fatal"`, 1) + "\n}\n"},
		want:  []string{`pol/a.cue:5:14: policies.ACME001.severity is "fatal"; want "error", "info" or "warning"`},
	}, {
		name:  "bad ID",
		files: map[string]string{"a.cue": "package acme\n\npolicies: acme1: {\n\t" + okPolicy + "\n}\n"},
		want:  []string{`pol/a.cue:3:11: policy ID "acme1" must be capital letters then digits, such as ACME001 (at most 32 characters)`},
	}, {
		name:  "ID without digits",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME: {\n\t" + okPolicy + "\n}\n"},
		want:  []string{`pol/a.cue:3:11: policy ID "ACME" must be capital letters then digits, such as ACME001 (at most 32 characters)`},
	}, {
		name:  "MR namespace",
		files: map[string]string{"a.cue": "package acme\n\npolicies: MR999: {\n\t" + okPolicy + "\n}\n"},
		want:  []string{"pol/a.cue:3:11: policy ID MR999 is in the MR namespace, which is reserved for meshroll's built-in rules; choose your own prefix, such as ACME001"},
	}, {
		name:  "constraint with an undefined reference",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, "timeout: string", "timeout: duration", 1) + "\n}\n"},
		want:  []string{`pol/a.cue:8:41: policies.ACME001.constraint.spec.http.timeout: reference "duration" not found`},
	}, {
		name:  "constraint that conflicts with itself",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, "timeout: string", "timeout: string & 5", 1) + "\n}\n"},
		want:  []string{`pol/a.cue:8:50: policies.ACME001.constraint.spec.http._.timeout: conflicting values string and 5 (mismatched types string and int)`},
	}, {
		name:  "constraint that is not a struct",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, "spec: http?: [...{timeout: string}]", `"x"`, 1) + "\n}\n"},
		want:  []string{"pol/a.cue:8:2: the constraint of policy ACME001 must be a struct: it is unified with whole manifests"},
	}, {
		name:  "missing fields",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\tname: \"x\"\n}\n"},
		want: []string{
			"pol/a.cue:3:11: policy ACME001 has no constraint; add the CUE constraint every manifest must satisfy, such as constraint: spec: http: [...{timeout: string}]",
			"pol/a.cue:3:11: policy ACME001 has no kinds; add the Kubernetes kinds it applies to, such as kinds: [\"VirtualService\"]",
			"pol/a.cue:3:11: policy ACME001 has no message; add a message that says what to do",
			`pol/a.cue:3:11: policy ACME001 has no severity; add severity: "error", "warning" or "info"`,
		},
	}, {
		name:  "bad kinds, name and message",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.NewReplacer(`"require-route-timeout"`, `"Require timeout"`, `"set a timeout"`, `" "`, `["VirtualService"]`, `["virtualservice"]`).Replace(okPolicy) + "\n}\n"},
		want: []string{
			`pol/a.cue:4:14: policies.ACME001.name is "Require timeout"; it must match "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"`,
			`pol/a.cue:6:14: policies.ACME001.message is " "; it must match "[^\\s]"`,
			`pol/a.cue:7:15: policies.ACME001.kinds.0 is "virtualservice"; it must match "^[A-Z][A-Za-z0-9]*$"`,
		},
	}, {
		name:  "empty kinds",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, `["VirtualService"]`, `[]`, 1) + "\n}\n"},
		want:  []string{`pol/a.cue:7:2: policy ACME001 has no kinds; list the Kubernetes kinds it applies to, such as kinds: ["VirtualService"]`},
	}, {
		name:  "import from a module",
		files: map[string]string{"a.cue": "package acme\n\nimport \"example.com/lib\"\n\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n_x: lib.x\n"},
		want:  []string{`pol/a.cue:3:8: import "example.com/lib": policy files may import only the CUE standard library`},
	}, {
		name:  "unknown standard library package",
		files: map[string]string{"a.cue": "package acme\n\nimport \"nosuch\"\n\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n_x: nosuch.x\n"},
		want:  []string{`pol/a.cue:3:8: builtin package "nosuch" undefined`},
	}, {
		name:  "syntax error",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\tname: \n}\n"},
		want:  []string{"pol/a.cue:5:1: expected operand, found '}'"},
	}, {
		name: "two packages in one directory",
		files: map[string]string{
			"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n",
			"b.cue": "package other\n",
		},
		want: []string{`pol/b.cue:1:1: pol/b.cue is package other, but pol/a.cue is package acme: the .cue files of a policy directory form one package`},
	}, {
		name: "a file without a package clause",
		files: map[string]string{
			"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n",
			"b.cue": "_x: 1\n",
		},
		want: []string{`pol/b.cue: pol/b.cue has no package clause, but pol/a.cue is package acme: the .cue files of a policy directory form one package`},
	}, {
		name:  "invalid regular expression",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, "timeout: string", `timeout: =~"^[0-9]+(s"`, 1) + "\n}\n"},
		want:  []string{`pol/a.cue:8:43: invalid regular expression "^[0-9]+(s": missing closing ): ` + "`^[0-9]+(s`" + ` (policies use RE2 syntax)`},
	}, {
		name:  "invalid negated regular expression",
		files: map[string]string{"a.cue": "package acme\n\npolicies: ACME001: {\n\t" + strings.Replace(okPolicy, "timeout: string", `timeout: !~"a**"`, 1) + "\n}\n"},
		want:  []string{`pol/a.cue:8:43: invalid regular expression "a**": invalid nested repetition operator: ` + "`**`" + ` (policies use RE2 syntax)`},
	}, {
		name:  "embedding a file",
		files: map[string]string{"a.cue": "@extern(embed)\npackage acme\n\n_x: _ @embed(file=\"/etc/passwd\", type=text)\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n"},
		want: []string{
			"pol/a.cue:1:1: @extern(embed): policy files may not embed other files; write the value into the policy",
			`pol/a.cue:4:7: @embed(file="/etc/passwd", type=text): policy files may not embed other files; write the value into the policy`,
		},
	}, {
		name:  "no policies",
		files: map[string]string{"a.cue": "package acme\n\nx: 1\n"},
		want:  []string{"pol: no policies: a policy package declares policies: <ID>: {name, severity, message, kinds, constraint}"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []File
			for _, name := range []string{"a.cue", "b.cue"} {
				if src, ok := tt.files[name]; ok {
					files = append(files, File{Name: "pol/" + name, Data: []byte(src)})
				}
			}
			_, err := Compile(Package{Dir: "pol", Files: files})
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got error %v (%T), want Errors", err, err)
			}
			got := strings.Split(errs.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestDuplicateIDs checks that one ID in two policy directories is an error.
func TestDuplicateIDs(t *testing.T) {
	pkg := func(dir string) Package {
		return Package{Dir: dir, Files: []File{{Name: dir + "/a.cue", Data: []byte("package acme\n\npolicies: ACME001: {\n\t" + okPolicy + "\n}\n")}}}
	}
	_, err := Compile(pkg("one"), pkg("two"))
	want := "two/a.cue:3:11: policy ACME001 is defined twice; the other one is at one/a.cue:3:11: here"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestLoad checks reading policy directories from disk.
func TestLoad(t *testing.T) {
	e, err := Load("../fixtures/policies/acme")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range e.Policies() {
		ids = append(ids, p.ID)
		if p.Doc == "" || p.Line == 0 {
			t.Errorf("%s: no doc or position: %+v", p.ID, p)
		}
	}
	if got, want := strings.Join(ids, " "), "ACME001 ACME002 ACME003 ACME004 MR303 MR401"; got != want {
		t.Errorf("policies %s, want %s", got, want)
	}
	if !e.Applies("DestinationRule") || e.Applies("Service") {
		t.Error("Applies: want DestinationRule and not Service")
	}
	only := e.Filter(func(p Policy) bool { return p.Builtin })
	if n := len(only.Policies()); n != 2 || only.Applies("DestinationRule") {
		t.Errorf("Filter(Builtin): %d policies, applies to DestinationRule %v", n, only.Applies("DestinationRule"))
	}

	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "has no .cue files") {
		t.Errorf("empty directory: got %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "reading policy directory") {
		t.Errorf("missing directory: got %v", err)
	}
	// Files CUE ignores are ignored; a broken one is reported with its path.
	if err := os.WriteFile(filepath.Join(dir, "_ignored.cue"), []byte("not cue {"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p.cue"), []byte("package p\npolicies: {"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(dir)
	if want := filepath.Join(dir, "p.cue") + ":2:12: expected '}', found 'EOF'"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestLoadOneDirectoryOnce checks that a directory named twice, as
// .meshroll.yaml and --policy may both name it, is loaded once rather than
// reported as defining its policies twice.
func TestLoadOneDirectoryOnce(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.cue"), []byte("package acme\n\npolicies: ACME001: {\n\t"+okPolicy+"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Load(dir, dir+"/", filepath.Join(dir, "."))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range e.Policies() {
		if p.ID == "ACME001" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("ACME001 loaded %d times, want once", n)
	}
}
