package schema

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wantComment is an expectation in a bad-intent fixture: the line it stands
// on must get an error matching the regular expression.
var wantComment = regexp.MustCompile("(?://|#) want `([^`]*)`")

// TestBadIntents loads each file of fixtures/bad on its own and checks that
// the errors are exactly those its want comments expect, line by line.
func TestBadIntents(t *testing.T) {
	files, err := filepath.Glob("../fixtures/bad/*")
	if err != nil || len(files) < 10 {
		t.Fatalf("bad-intent fixtures missing: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wants := map[int][]*regexp.Regexp{}
			for i, line := range strings.Split(string(data), "\n") {
				for _, m := range wantComment.FindAllStringSubmatch(line, -1) {
					wants[i+1] = append(wants[i+1], regexp.MustCompile(m[1]))
				}
			}
			if len(wants) == 0 {
				t.Fatal("fixture has no want comments")
			}
			_, err = Load([]string{file})
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Load returned %v, want Errors", err)
			}
			matched := map[*regexp.Regexp]bool{}
			for _, e := range errs {
				if e.Pos.File != file {
					t.Errorf("error names file %q, want %q: %v", e.Pos.File, file, e)
				}
				ok := false
				for _, re := range wants[e.Pos.Line] {
					if re.MatchString(e.Msg) {
						matched[re] = true
						ok = true
					}
				}
				if !ok {
					t.Errorf("unexpected error at line %d: %s", e.Pos.Line, e.Msg)
				}
			}
			for line, res := range wants {
				for _, re := range res {
					if !matched[re] {
						t.Errorf("line %d: no error matching %q", line, re)
					}
				}
			}
		})
	}
}
