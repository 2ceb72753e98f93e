package schema

import (
	"errors"
	"strings"
	"testing"
)

// TestSyntaxErrorPositions holds the syntax errors of YAML and JSON intent
// to the line and column of the mistake, with a reason.
func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		name, data string
		want       Pos // the file is the name
		msg        string
	}{
		{"tab.yaml", "rollouts:\n  web:\n    stable: {subset: v1}\n\tphase: start\n", Pos{Line: 4, Col: 1}, "YAML indents with spaces, not tabs"},
		{"indent.yaml", "rollouts:\n  web:\n    stable:\n      subset: v1\n     phase: start\n", Pos{Line: 5, Col: 6}, "indented 5 spaces, but the keys above it are at 0, 2, 4 or 6"},
		{"colon.yaml", "rollouts:\n  web:\n    phase: a: b\n", Pos{Line: 3, Col: 12}, `quote the value`},
		{"flow.yaml", "rollouts:\n  web:\n    hosts: [a, b\n    phase: x\n", Pos{Line: 4, Col: 5}, "close the [ list with ]"},
		{"syntax.json", "{\"rollouts\": {\"web\": {\"stable\": {\"subset\": \"v1\"},\n  \"phase\": }}}", Pos{Line: 2, Col: 12}, "invalid JSON: invalid character '}' looking for beginning of value"},
		{"trailing.json", "{\"rollouts\": {}", Pos{Line: 1, Col: 15}, "invalid JSON: unexpected end of JSON input"},
		{"nul.json", "{\"rollouts\": {\"web\": {\"host\": \"a\x00\x00\x00\"}}}", Pos{Line: 1, Col: 33}, `invalid character '\x00' in string literal`},
		{"latin1.json", "{\"rollouts\": {\"web\": {\"host\": \"caf\xe9\"}}}", Pos{Line: 1, Col: 35}, "byte 0xe9 is not UTF-8"},
		{"bom.json", "\xEF\xBB\xBF{\"rollouts\": {\"web\": {\"stable\": {\"subset\": \"v1\"}, \"phase\": \"nope\"}}}", Pos{Line: 1, Col: 63}, `phase "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFiles([]File{{Path: tt.name, Data: []byte(tt.data)}})
			var errs Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, want one error", err)
			}
			tt.want.File = tt.name
			if errs[0].Pos != tt.want || !strings.Contains(errs[0].Msg, tt.msg) {
				t.Errorf("got %v\nwant %v: ...%s...", errs[0], tt.want, tt.msg)
			}
		})
	}
}
