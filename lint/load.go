package lint

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

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
}

// Limits bound the work hostile input can cause. A file or document beyond
// them is reported as MR900 and skipped; the rest of the input is linted.
type Limits struct {
	FileBytes     int64 // size of one file
	DocumentBytes int   // size of one YAML document
	Depth         int   // nesting of maps and lists in one document
	Nodes         int   // values in one document, counting aliases at every use
}

// DefaultLimits are generous for real manifests (the largest CRD manifests
// are a few MiB and nest about 40 levels) and small enough that an alias bomb
// or a huge file fails in milliseconds.
func DefaultLimits() Limits {
	return Limits{FileBytes: 64 << 20, DocumentBytes: 16 << 20, Depth: 200, Nodes: 1 << 20}
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
	// Diagnostics are MR900 findings on documents that could not be read
	// (YAML that does not parse, limits exceeded); the other documents and
	// files are still in Resources.
	Diagnostics []Diagnostic
	// Files are the files read, in order, each once.
	Files []string
}

// StdinName is the file name of what was read from standard input.
const StdinName = "<stdin>"

// Load reads the manifests at paths: files (any name), directories (their
// *.yaml, *.yml and *.json files, recursively, skipping hidden directories),
// "-" for standard input, and kustomize directories (a directory holding a
// kustomization.yaml, kustomization.yml or Kustomization file, wherever it is
// met, or such a file named directly). A path that does not exist or cannot be read is an error; a document
// that cannot be parsed is a diagnostic in the result.
func Load(paths []string, opts LoadOptions) (*Manifests, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("reading input: %w", err)
	}
	l := &loader{opts: opts, cwd: cwd, seen: map[string]bool{}}
	if len(paths) == 0 {
		return nil, errors.New("no input: name files, directories or - for standard input")
	}
	for _, p := range paths {
		if err := l.add(p); err != nil {
			return nil, err
		}
	}
	return l.run()
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

func (l *loader) add(p string) error {
	if p == "-" {
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
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("reading input: %w", err)
	}
	if !fi.IsDir() {
		if isKustomizationName(filepath.Base(p)) {
			return l.addKustomization(filepath.Dir(p)) // what it describes, not the file itself
		}
		l.addFile(p, p)
		return nil
	}
	if k := kustomizationFile(p); k != "" {
		return l.addKustomization(p)
	}
	return filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading input: %w", err)
		}
		if d.IsDir() {
			if path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if path != p && kustomizationFile(path) != "" {
				if err := l.addKustomization(path); err != nil {
					return err
				}
				return filepath.SkipDir
			}
			return nil
		}
		if !isManifestName(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A link to a manifest counts; a link to a directory is not
			// followed, so links cannot make the walk loop.
			if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		l.addFile(path, path)
		return nil
	})
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

func isManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
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
		out.Diagnostics = append(out.Diagnostics, r.Diagnostics...)
		out.Files = append(out.Files, r.Files...)
	}
	return out, nil
}

func (l *loader) read(s source) (*Manifests, error) {
	if s.built != nil {
		return s.built, nil
	}
	lim := l.opts.Limits.withDefaults()
	var r io.Reader
	size := int64(-1)
	if s.stdin {
		r = l.opts.Stdin
	} else {
		f, n, err := rawfile.Open(s.path)
		if err != nil {
			return nil, fmt.Errorf("reading input: %w", err)
		}
		defer f.Close()
		r, size = f, n
	}
	data, err := readLimited(r, size, lim.FileBytes+1)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.display, err)
	}
	return Parse(s.display, data, l.opts), nil
}

// readLimited reads at most limit bytes, in one allocation when the size
// is known (-1 when not).
func readLimited(r io.Reader, size, limit int64) ([]byte, error) {
	if size < 0 {
		size = 512
	} else {
		size++ // one more to see the end
	}
	buf := make([]byte, 0, min(size, limit))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}
