package edit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshroll/meshroll/schema"
)

var update = flag.Bool("update", false, "rewrite the want files of fixtures/edit with the actual output")

// TestSetPhase runs the cases in fixtures/edit. Each case is a txtar archive
// whose comment holds directives:
//
//	set ROLLOUT PHASE SINCE [REASON...]   the edit to make (Move)
//	crlf                      run it with CRLF line endings in every file
//	error REGEXP              the edit fails with a matching error
//
// and whose files are in/... (the intent directory) and want/... (the
// expected bytes of each file the edit changes; files without one must not
// change).
func TestSetPhase(t *testing.T) {
	cases, err := filepath.Glob("../fixtures/edit/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in fixtures/edit: %v", err)
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c := parseCase(t, ar)
			dir := t.TempDir()
			for _, f := range ar.Files {
				if name, ok := strings.CutPrefix(f.Name, "in/"); ok {
					p := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, c.eol(f.Data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			in, err := schema.Load([]string{dir})
			if err != nil {
				t.Fatalf("the input does not load: %v", err)
			}
			r, err := in.Find(c.rollout)
			if err != nil {
				t.Fatal(err)
			}
			e, err := Move(r, c.phase, c.since, c.reason)
			if c.err != nil {
				if err == nil {
					t.Fatalf("SetPhase succeeded, want an error matching %q", c.err)
				}
				if !c.err.MatchString(err.Error()) {
					t.Fatalf("SetPhase error:\n%v\nwant one matching %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetPhase: %v", err)
			}
			if *update {
				updateCase(t, path, ar, dir, e)
				return
			}
			got := map[string][]byte{}
			for _, f := range e.Files {
				rel, _ := filepath.Rel(dir, f.Path)
				got[filepath.ToSlash(rel)] = f.New
				unchangedOutside(t, rel, f.Old, f.New, 3)
			}
			for _, f := range ar.Files {
				name, ok := strings.CutPrefix(f.Name, "want/")
				if !ok {
					continue
				}
				want := c.eol(f.Data)
				if g, ok := got[name]; !ok {
					t.Errorf("%s did not change; want\n%s", name, want)
				} else if !bytes.Equal(g, want) {
					t.Errorf("%s:\ngot:\n%s\nwant:\n%s", name, g, want)
				}
				delete(got, name)
			}
			for name := range got {
				t.Errorf("%s changed, but the case has no want/%s", name, name)
			}
			if err := e.Apply(); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			for _, f := range e.Files {
				disk, err := os.ReadFile(f.Path)
				if err != nil || !bytes.Equal(disk, f.New) {
					t.Errorf("after Apply, %s holds\n%s\nwant\n%s", f.Path, disk, f.New)
				}
			}
			after, err := schema.Load([]string{dir})
			if err != nil {
				t.Fatalf("after Apply, the intent does not load: %v", err)
			}
			nr, err := after.Find(c.rollout)
			if err != nil || nr.Phase != c.phase || !nr.Since.Equal(c.since) || nr.Reason != c.reason {
				t.Errorf("after Apply, %s is at %v since %v (reason %q), want %s since %v (reason %q) (%v)", c.rollout, nr.Phase, nr.Since, nr.Reason, c.phase, c.since, c.reason, err)
			}
		})
	}
}

type editCase struct {
	rollout, phase string
	since          time.Time
	reason         string
	crlf           bool
	err            *regexp.Regexp
}

func (c editCase) eol(b []byte) []byte {
	if !c.crlf {
		return b
	}
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

func parseCase(t *testing.T, ar *txtar.Archive) editCase {
	t.Helper()
	var c editCase
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] == "set" && len(f) >= 4:
			since, err := time.Parse(time.RFC3339, f[3])
			if err != nil {
				t.Fatal(err)
			}
			c.rollout, c.phase, c.since = f[1], f[2], since
			c.reason = strings.Join(f[4:], " ")
		case f[0] == "crlf":
			c.crlf = true
		case f[0] == "error" && len(f) > 1:
			c.err = regexp.MustCompile(strings.TrimSpace(strings.TrimPrefix(line, "error")))
		default:
			t.Fatalf("unknown directive %q", line)
		}
	}
	if c.rollout == "" {
		t.Fatal("the case has no set directive")
	}
	return c
}

// unchangedOutside checks that an edit rewrote at most maxRemoved lines
// (the lines of the values it replaced, the line it inserted on, the line a
// comma was added to) and that every line it added holds phase or since or
// is a line it removed with a comma or a line break added.
func unchangedOutside(t *testing.T, name string, old, new []byte, maxRemoved int) {
	t.Helper()
	removed, added := lineDiff(old, new)
	if len(removed) > maxRemoved {
		t.Errorf("%s: the edit changed %d lines, want at most %d: %q", name, len(removed), maxRemoved, removed)
	}
	was := map[string]bool{}
	for _, l := range removed {
		l = strings.TrimRight(l, "\r\n")
		was[l], was[l+","] = true, true
	}
	for _, l := range added {
		if !strings.Contains(l, "phase") && !strings.Contains(l, "since") && !strings.Contains(l, "reason") && !was[strings.TrimRight(l, "\r\n")] {
			t.Errorf("%s: the edit added the line %q, which holds neither phase, since nor reason", name, l)
		}
	}
}

// lineDiff returns the lines of old not in a longest common subsequence with
// new, and the lines of new not in it.
func lineDiff(old, new []byte) (removed, added []string) {
	a, b := lines(old), lines(new)
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, b[j])
			j++
		default:
			removed = append(removed, a[i])
			i++
		}
	}
	return removed, added
}

func lines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			i = len(b) - 1
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// updateCase rewrites the want files of a case with the edit's output.
func updateCase(t *testing.T, path string, ar *txtar.Archive, dir string, e Edit) {
	t.Helper()
	var files []txtar.File
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			files = append(files, f)
		}
	}
	c := parseCase(t, ar)
	for _, f := range e.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		data := f.New
		if c.crlf {
			data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		}
		files = append(files, txtar.File{Name: "want/" + filepath.ToSlash(rel), Data: data})
	}
	ar.Files = files
	if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
