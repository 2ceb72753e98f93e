package mcpserver

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// FuzzFilter feeds arbitrary input to the transport's filter: every line
// it passes on is a JSON-RPC message the SDK decodes, every line it
// answers gets one JSON-RPC error response, and nothing panics.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"`,
		`[{"jsonrpc":"2.0","id":1,"method":"ping"}]`,
		`{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`,
		`{"jsonrpc":"1.0","id":"x"}` + "\r\n\n  \n" + `"just a string"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		pr, pw := io.Pipe()
		var answers bytes.Buffer
		done := make(chan []byte)
		go func() {
			b, _ := io.ReadAll(pr)
			done <- b
		}()
		filter(bytes.NewReader(in), pw, &answers)
		passed := <-done
		for _, line := range strings.Split(strings.TrimSuffix(string(passed), "\n"), "\n") {
			if line == "" {
				continue
			}
			if _, err := jsonrpc.DecodeMessage([]byte(line)); err != nil {
				t.Errorf("passed on %q, which the SDK does not decode: %v", line, err)
			}
		}
		for _, line := range strings.Split(strings.TrimSuffix(answers.String(), "\n"), "\n") {
			if line == "" {
				continue
			}
			var r struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   *struct {
					Code int64 `json:"code"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil || r.JSONRPC != "2.0" || r.Error == nil || len(r.ID) == 0 {
				t.Errorf("answered with %q, not a JSON-RPC error response", line)
			}
		}
	})
}
