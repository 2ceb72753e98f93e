package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

// Name is the server's name in the MCP handshake (serverInfo.name).
const Name = "meshroll"

// Options configure a server.
type Options struct {
	// Version is the server's version in the handshake.
	Version string
	// Config is the configuration file; "" finds .meshroll.yaml at the
	// root of the repository that holds the working directory.
	Config string
	// Getenv reads the environment (the Prometheus token); nil is
	// os.Getenv.
	Getenv func(string) string
	// Now is the clock: since is written at it and holds are judged at
	// it; nil is the system clock.
	Now func() time.Time
	// Log receives notices, such as a wait for another meshroll's lock;
	// nil discards them. It must not be the protocol's stream.
	Log io.Writer
}

// server holds what the tools share.
type server struct {
	opts Options
	// writes serialises the tools that write intent files, within this
	// process; the lock of package shift serialises them with other
	// meshroll processes.
	writes sync.Mutex
}

// instructions tell a client what the server is for.
const instructions = `meshroll works on a GitOps repository of Istio rollout intent (CUE, YAML or JSON), never on a cluster: every change is an edit of an intent file that a person reviews as a pull request, and Argo CD or Flux applies the rendered manifests after the merge.
To shift traffic: list_rollouts, get_rollout (the intent and the rendered VirtualService and DestinationRule), route (verify who reaches what), gate (metrics, when Prometheus is configured), set_phase with dryRun, then set_phase; then check and diff for the pull request. Holds are obeyed unless force is given with a reason. rollback sends all traffic to stable at once.`

// New returns the server with its tools and prompts.
func New(o Options) *mcp.Server {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &server{opts: o}
	srv := mcp.NewServer(&mcp.Implementation{Name: Name, Title: "meshroll", Version: o.Version}, &mcp.ServerOptions{Instructions: instructions})
	s.addListRollouts(srv)
	s.addGetRollout(srv)
	s.addRoute(srv)
	s.addSetPhase(srv)
	s.addRollback(srv)
	s.addDiff(srv)
	s.addLint(srv)
	s.addCheck(srv)
	s.addGate(srv)
	addPrompts(srv)
	return srv
}

// Serve runs a session on r and w (the process's standard input and
// output) until r ends or ctx is done.
func Serve(ctx context.Context, o Options, r io.Reader, w io.Writer) error {
	err := New(o).Run(ctx, Transport(r, w))
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// now is the time of a call: UTC, whole seconds, as since is written.
func (s *server) now() time.Time { return s.opts.Now().UTC().Truncate(time.Second) }

// env is the repository as one call sees it: the configuration is read
// again on every call, so that the server follows the working tree.
type env struct {
	cfg  *config.Config
	root string
	ex   *input.Exclude
}

func (s *server) env() (*env, error) {
	cfg, err := repo.LoadConfig(s.opts.Config)
	if err != nil {
		return nil, err
	}
	root, err := repo.Root(cfg)
	if err != nil {
		return nil, err
	}
	ex, err := repo.Excludes(cfg, nil)
	if err != nil {
		return nil, err
	}
	return &env{cfg: cfg, root: root, ex: ex}, nil
}

// intents are the intent paths of the configuration.
func (e *env) intents() []string { return repo.IntentPaths(e.cfg) }

// load reads the intents under the repository's path policy.
func (e *env) load() (*schema.Intent, error) { return repo.Load(e.intents(), e.ex) }

// find loads the intents and finds the rollout ref.
func (e *env) find(ref string) (*schema.Rollout, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, errors.New("name a rollout: its name, or namespace/name")
	}
	in, err := e.load()
	if err != nil {
		return nil, err
	}
	return in.Find(ref)
}

// inside resolves a path a client gave, relative to the repository root,
// and refuses one that leads outside it (through .., an absolute path or
// a symbolic link) or standard input.
func (e *env) inside(p string) (string, error) {
	if p == "-" {
		return "", errors.New(`"-" reads standard input, which carries the protocol here: name files or directories of the repository`)
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(e.root, p)
	}
	real := input.ResolveExisting(abs)
	if !input.Within(real, e.root) {
		return "", fmt.Errorf("%s is outside the repository at %s; meshroll reads only inside the repository", p, e.root)
	}
	return repo.Relative(real), nil
}

// toolError words err as the CLI prints it: the problems of invalid intent
// one a line, with the count, or the error's sentence.
func toolError(err error) error {
	var se schema.Errors
	if errors.As(err, &se) {
		lines := make([]string, 0, len(se)+1)
		for _, e := range se {
			lines = append(lines, e.Error())
		}
		n := "1 problem"
		if len(se) != 1 {
			n = fmt.Sprintf("%d problems", len(se))
		}
		lines = append(lines, n+" in the intent; nothing was written")
		return errors.New(strings.Join(lines, "\n"))
	}
	return err
}

// result is a tool's answer: text for a person and data for a program.
func result(text string, data any) *mcp.CallToolResult {
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: data}
}

// rawJSON is structured content that a formatter of the CLI already wrote
// as JSON, passed on as it is.
func rawJSON(b []byte) (json.RawMessage, error) {
	if !json.Valid(b) {
		return nil, errors.New("internal error: a formatter wrote JSON that does not parse")
	}
	return json.RawMessage(b), nil
}

func boolPtr(b bool) *bool { return &b }

// readOnly are the annotations of a tool that changes nothing.
func readOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: boolPtr(false)}
}
