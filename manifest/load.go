package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/pool"
	"github.com/meshroll/meshroll/internal/rawfile"
)

// LoadOptions control Load and Parse.
type LoadOptions struct {
	// Namespace is the namespace of objects that name none; "default" when
	// empty.
	Namespace string
	// Stdin is read for the path "-".
	Stdin io.Reader
	// Limits bound what one file or document may cost; zero fields take
	// the values of DefaultLimits.
	Limits Limits
	// Exclude leaves out the files and directories it matches in walks.
	Exclude *input.Exclude
	// IstioVersion is the Istio release objects are validated for as they
	// are read ("" for the newest); Resource.Validation validates again for
	// another.
	IstioVersion string
	// Inspect, when set, is called with each object and its tree while the
	// tree is at hand, from the loader's workers (concurrently). The tree is
	// not kept (see Resource.Node): whatever a caller wants from every
	// object's tree, such as the built-in policies' verdict, it takes here.
	Inspect func(r *Resource, n *yaml.Node)
}

// Limits bound the work hostile input can cause. A file or document beyond
// them is reported as MR900 and skipped; the rest of the input is linted.
type Limits struct {
	FileBytes     int64 // size of one file
	DocumentBytes int   // size of one YAML document
	Depth         int   // nesting of maps and lists in one document
	Nodes         int   // values in one document, counting aliases at every use
	// AliasValues bounds the values one document repeats through aliases
	// and merge keys: a resolved tree shares them, but every reader that
	// walks it (Istio's validation, CUE policies) visits them at each use.
	AliasValues int
}

// DefaultLimits are generous for real manifests (the largest CRD manifests
// are a few MiB and nest about 40 levels) and small enough that an alias bomb
// or a huge file fails in milliseconds.
func DefaultLimits() Limits {
	return Limits{FileBytes: 64 << 20, DocumentBytes: 16 << 20, Depth: 200, Nodes: 1 << 20, AliasValues: 10_000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.FileBytes <= 0 {
		l.FileBytes = d.FileBytes
	}
	if l.DocumentBytes <= 0 {
		l.DocumentBytes = d.DocumentBytes
	}
	if l.Depth <= 0 {
		l.Depth = d.Depth
	}
	if l.Nodes <= 0 {
		l.Nodes = d.Nodes
	}
	if l.AliasValues <= 0 {
		l.AliasValues = d.AliasValues
	}
	return l
}

func (o LoadOptions) namespace() string {
	if o.Namespace == "" {
		return "default"
	}
	return o.Namespace
}

// Manifests is what Load read.
type Manifests struct {
	// Resources are the objects, in the order of the input: paths in the
	// order given, files of a directory in lexical order, documents in file
	// order.
	Resources []*Resource
	// Problems are the input that could not be read as manifests: documents
	// that do not parse, limits exceeded, unreadable files, kustomizations
	// that cannot be built, Helm charts skipped. The other documents and
	// files are still in Resources.
	Problems []Problem
	// Files are the files read, in order, each once.
	Files []string
}

// StdinName is the file name of what was read from standard input.
const StdinName = "<stdin>"

// Load reads the manifests at paths: files (any name), directories (their
// *.yaml, *.yml and *.json files, recursively, under the path policy of
// package input: hidden entries and excluded paths skipped, symbolic links
// followed inside the repository), "-" for standard input, and kustomize
// directories (a directory holding a kustomization.yaml, kustomization.yml
// or Kustomization file, wherever it is met, or such a file named directly).
//
// A path that does not exist, a link the policy refuses, or input that
// holds no manifest at all is an error. What cannot be linted is a
// diagnostic in the result, and the rest is still read: a document that
// does not parse (MR900), a kustomization that cannot be built (MR902), a
// Helm template or a kustomize Component on its own (MR903).
func Load(paths []string, opts LoadOptions) (*Manifests, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("reading input: %w", err)
	}
	l := &loader{opts: opts, cwd: cwd, seen: map[string]bool{}}
	if len(paths) == 0 {
		return nil, errors.New("no input: name files, directories or - for standard input")
	}
	var walk []string
	for _, p := range paths {
		if p != "-" {
			walk = append(walk, p)
		}
	}
	entries, err := input.Walk(walk, input.Options{Extensions: manifestExtensions, Exclude: opts.Exclude, Unit: isUnit})
	if err != nil {
		return nil, err
	}
	byArg := map[string][]input.Entry{}
	for _, e := range entries {
		byArg[e.Arg] = append(byArg[e.Arg], e)
	}
	for _, p := range paths {
		if p == "-" {
			if err := l.addStdin(); err != nil {
				return nil, err
			}
			continue
		}
		for _, e := range byArg[p] {
			l.addEntry(e)
		}
		delete(byArg, p) // a path named twice is read once
	}
	if len(l.sources) == 0 {
		return nil, fmt.Errorf("no manifests in %s: nothing to lint (meshroll reads *.yaml, *.yml and *.json files, and kustomizations)", strings.Join(walk, ", "))
	}
	return l.run()
}

// manifestExtensions are the extensions of manifest files in directories.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// isUnit reports whether dir is read as a whole rather than file by file:
// a kustomization, or a Helm chart.
func isUnit(dir string) bool { return kustomizationFile(dir) != "" || helmChart(dir) != "" }

// helmChart returns the Chart.yaml of a Helm chart in dir, or "".
func helmChart(dir string) string {
	p := filepath.Join(dir, "Chart.yaml")
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}

// source is one unit of input: a file to parse, or objects kustomize built.
type source struct {
	path    string // path to read; "" for stdin or built
	display string // file name in diagnostics
	stdin   bool
	built   *Manifests
}

type loader struct {
	opts    LoadOptions
	cwd     string
	sources []source
	seen    map[string]bool // absolute paths of files already queued
	stdin   bool
}

func (l *loader) addStdin() error {
	if l.stdin {
		return errors.New("standard input (-) named twice")
	}
	if l.opts.Stdin == nil {
		return errors.New("no standard input to read for -")
	}
	l.stdin = true
	l.sources = append(l.sources, source{display: StdinName, stdin: true})
	return nil
}

// addEntry queues what the walk found: a file, a kustomization (a
// kustomization file named directly stands for its directory), or a Helm
// chart, which is skipped with a note.
func (l *loader) addEntry(e input.Entry) {
	switch {
	case !e.Unit && e.Path == e.Arg && isKustomizationName(filepath.Base(e.Path)):
		l.addKustomization(filepath.Dir(e.Path))
	case !e.Unit:
		l.addFile(e.Path, e.Path)
	case kustomizationFile(e.Path) != "":
		l.addKustomization(e.Path)
	default:
		chart := helmChart(e.Path)
		l.skipped(Position{File: chart, Line: 1, Column: 1}, "the directory is a Helm chart, whose templates are not manifests until rendered: lint the output of helm template instead")
	}
}

// notLinted reports input that cannot be linted (MR902).
func (l *loader) notLinted(pos Position, format string, args ...any) {
	l.note(Problem{Kind: Unreadable, Position: pos, Message: fmt.Sprintf(format, args...)}, true)
}

// skipped reports input that meshroll leaves alone on purpose (MR903).
func (l *loader) skipped(pos Position, format string, args ...any) {
	l.note(Problem{Kind: Skipped, Position: pos, Message: fmt.Sprintf(format, args...)}, false)
}

// note queues a finding of the loader as a source of its own; read says
// whether its file counts as read.
func (l *loader) note(d Problem, read bool) {
	m := &Manifests{Problems: []Problem{d}}
	if read {
		m.Files = []string{d.File}
	}
	l.sources = append(l.sources, source{built: m})
}

func (l *loader) addFile(path, display string) {
	abs := path
	if !filepath.IsAbs(path) {
		abs = filepath.Join(l.cwd, path)
	}
	if l.seen[abs] {
		return
	}
	l.seen[abs] = true
	l.sources = append(l.sources, source{path: path, display: display})
}

// run parses the queued files in parallel, a fixed number of workers taking
// files in turn, and assembles the results in input order.
func (l *loader) run() (*Manifests, error) {
	results := make([]*Manifests, len(l.sources))
	// More workers than processors: opening a file waits on the disk,
	// and the other workers parse meanwhile.
	if err := pool.Run(len(l.sources), 4*runtime.GOMAXPROCS(0), func(i int) error {
		var err error
		results[i], err = l.read(l.sources[i])
		return err
	}); err != nil {
		return nil, err
	}

	out := &Manifests{}
	for _, r := range results {
		out.Resources = append(out.Resources, r.Resources...)
		out.Problems = append(out.Problems, r.Problems...)
		out.Files = append(out.Files, r.Files...)
	}
	return out, nil
}

// openFile opens a file to lint; tests replace it to fail.
var openFile = rawfile.Open

func (l *loader) read(s source) (*Manifests, error) {
	if s.built != nil {
		return s.built, nil
	}
	lim := l.opts.Limits.withDefaults()
	var r io.Reader
	size := int64(-1)
	// A file that cannot be read is a finding on it: the rest of the
	// input is still linted.
	unreadable := func(err error) *Manifests {
		return &Manifests{Files: []string{s.display}, Problems: []Problem{{
			Kind:     Unreadable,
			Position: Position{File: s.display, Line: 1, Column: 1},
			Message:  "the file cannot be read: " + input.Describe(err),
		}}}
	}
	if s.stdin {
		r = l.opts.Stdin
	} else {
		f, n, err := openFile(s.path)
		if err != nil {
			return unreadable(err), nil
		}
		defer f.Close()
		r, size = f, n
	}
	data, err := input.ReadLimited(r, size, lim.FileBytes+1)
	if err != nil {
		if s.stdin {
			return nil, fmt.Errorf("reading %s: %w", s.display, err)
		}
		return unreadable(err), nil
	}
	if s.stdin {
		return Parse(s.display, data, l.opts), nil
	}
	return parseFrom(s.display, s.path, data, l.opts), nil
}
