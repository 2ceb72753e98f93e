package mcpserver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// maxLine bounds one JSON-RPC message, as the SDK's stdio transport does.
const maxLine = mcp.DefaultMaxLineLength

// Transport returns the transport of a session on r and w: newline-delimited
// JSON-RPC, as the SDK's stdio transport speaks it, except that a line that
// is not a JSON-RPC message (not JSON, a batch, not a request or response,
// too long) is answered with a JSON-RPC error and skipped. The SDK's own
// transport ends the session on such a line; a client that sent one by
// mistake would lose its server.
func Transport(r io.Reader, w io.Writer) mcp.Transport {
	pr, pw := io.Pipe()
	sw := &lineWriter{w: w}
	go filter(r, pw, sw)
	return &mcp.IOTransport{Reader: pr, Writer: sw}
}

// lineWriter serialises whole lines: the SDK's messages and the filter's
// errors never interleave.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Close leaves the underlying stream open: it is the process's standard
// output, which outlives the session.
func (l *lineWriter) Close() error { return nil }

// filter copies the JSON-RPC messages of r, one a line, to pw, answering
// the lines that are not with an error on w. It closes pw at the end of r.
func filter(r io.Reader, pw *io.PipeWriter, w io.Writer) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, tooLong, err := readLine(br)
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			if msg := check(line, tooLong); msg != nil {
				if _, werr := w.Write(msg); werr != nil {
					pw.CloseWithError(werr)
					return
				}
			} else if _, werr := pw.Write(append(line, '\n')); werr != nil {
				return // the session is closed
			}
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				pw.Close()
			} else {
				pw.CloseWithError(err)
			}
			return
		}
	}
}

// readLine reads one line without its end; a line longer than maxLine is
// read to its end and dropped, and tooLong is set.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > maxLine {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

// check returns the JSON-RPC error that answers line, or nil when line is
// a message to pass on.
func check(line []byte, tooLong bool) []byte {
	switch {
	case tooLong:
		return rpcError(nil, jsonrpc.CodeInvalidRequest, fmt.Sprintf("invalid request: a message is at most %d bytes", maxLine))
	case !json.Valid(line):
		return rpcError(nil, jsonrpc.CodeParseError, "parse error: the line is not JSON; send one JSON-RPC message a line")
	}
	if t := bytes.TrimLeft(line, " \t"); len(t) > 0 && t[0] == '[' {
		return rpcError(nil, jsonrpc.CodeInvalidRequest, "invalid request: JSON-RPC batches are not supported (MCP removed them in 2025-06-18); send one message a line")
	}
	if _, err := jsonrpc.DecodeMessage(line); err != nil {
		return rpcError(idOf(line), jsonrpc.CodeInvalidRequest, "invalid request: "+err.Error())
	}
	return nil
}

// idOf returns the id of a message that is JSON but not JSON-RPC, when it
// has one a response can carry.
func idOf(line []byte) json.RawMessage {
	var m struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal(line, &m) != nil || len(m.ID) == 0 {
		return nil
	}
	switch m.ID[0] {
	case '"', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return m.ID
	}
	return nil
}

// rpcError is the line of a JSON-RPC error response.
func rpcError(id json.RawMessage, code int64, msg string) []byte {
	if id == nil {
		id = json.RawMessage("null")
	}
	b, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int64  `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int64  `json:"code"`
		Message string `json:"message"`
	}{code, msg}})
	return append(b, '\n')
}
