package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshroll/meshroll/internal/input"
)

// KustomizationNames are the file names kustomize looks for, in its order.
var KustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomizationFile returns the kustomization file of dir, or "".
func kustomizationFile(dir string) string {
	for _, n := range KustomizationNames {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// kind is the kustomization's kind: Kustomization, Component, or "".
func (k *kustomization) kind() string {
	s, _ := k.raw["kind"].(string)
	return s
}

// keyPos is the position of a top-level key of the kustomization file.
func (k *kustomization) keyPos(field string) Position {
	pos := Position{File: k.path, Line: 1, Column: 1}
	if root := k.root(); root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == field {
				pos.Line, pos.Column = root.Content[i].Line, root.Content[i].Column
			}
		}
	}
	return pos
}

// valuePos is the position of the entry value of a field (a string in its
// list, or the path of an entry that is a map), else of the field.
func (k *kustomization) valuePos(field, value string) Position {
	pos := k.keyPos(field)
	root := k.root()
	if root == nil {
		return pos
	}
	var find func(n *yaml.Node) *yaml.Node
	find = func(n *yaml.Node) *yaml.Node {
		if n.Kind == yaml.ScalarNode && (n.Value == value || strings.HasSuffix(n.Value, "="+value)) {
			return n
		}
		for _, c := range n.Content {
			if f := find(c); f != nil {
				return f
			}
		}
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == field {
			if n := find(root.Content[i+1]); n != nil {
				pos.Line, pos.Column = n.Line, n.Column
			}
		}
	}
	return pos
}

func (k *kustomization) root() *yaml.Node {
	if k.node == nil || len(k.node.Content) == 0 || k.node.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	return k.node.Content[0]
}

// kustomization is the part of a kustomization file meshroll reads itself.
type kustomization struct {
	path string         // the kustomization file
	dir  string         // its directory
	raw  map[string]any // every field
	node *yaml.Node
	data []byte // the file's text
}

// maxKustomizeFile bounds a kustomization file or a patch it names: they
// are a few KiB, and hostile input cannot exhaust memory through them.
const maxKustomizeFile = 16 << 20

func readKustomization(dir string) (*kustomization, error) {
	p := kustomizationFile(dir)
	data, err := input.ReadFile(p, maxKustomizeFile)
	if err != nil {
		return nil, fmt.Errorf("reading kustomization: %w", err)
	}
	k := &kustomization{path: p, dir: dir, node: &yaml.Node{}, data: data}
	if err := yaml.Unmarshal(data, k.node); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := ResolveYAML(k.node); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := k.node.Decode(&k.raw); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return k, nil
}

// fastFields are the fields a kustomization may have for meshroll to read
// its resources directly instead of building it: nothing in them changes
// the objects.
var fastFields = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "resources": true, "bases": true, "sortOptions": true}

// strings returns the string entries of a list field.
func (k *kustomization) strings(field string) []string {
	list, _ := k.raw[field].([]any)
	var out []string
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// addKustomization queues the resources of the kustomization in dir. A
// kustomization that only lists local resources, directly or through
// kustomizations that do the same, is read file by file, which keeps every
// position and is fast; any other is built in-process with krusty. One that
// cannot be read or built is a finding (MR902) on its file, and a Component,
// which kustomize builds only as part of another kustomization, is skipped
// with a note (MR903): the rest of the input is linted either way.
func (l *loader) addKustomization(dir string) {
	real, err := input.RealPath(dir)
	if err != nil {
		l.notLinted(Position{File: dir, Line: 1, Column: 1}, "%s: %s", dir, input.Describe(err))
		return
	}
	// Inside a repository no base may lead out of it; outside any, bases
	// may be anywhere, as kustomize allows.
	s := &kscan{simple: true, boundary: input.RepositoryRoot(real), done: map[string]bool{}}
	if k, err := readKustomization(dir); err == nil && k.kind() == "Component" {
		l.skipped(Position{File: k.path, Line: 1, Column: 1}, "the directory is a kustomize Component, which is built only as part of a kustomization that lists it under components: it is linted there")
		return
	}
	if err := s.scan(dir, nil); err != nil {
		l.kustomizeFailed(dir, err)
		return
	}
	if s.simple {
		for _, f := range s.files {
			l.addFile(f, f)
		}
		return
	}
	m, err := buildKustomization(dir, l.opts)
	if err != nil {
		l.kustomizeFailed(dir, err)
		return
	}
	l.sources = append(l.sources, source{display: dir, built: m})
}

// kustomizeError is a problem with one entry of a kustomization file.
type kustomizeError struct {
	pos Position
	msg string
}

func (e *kustomizeError) Error() string { return e.pos.String() + ": " + e.msg }

// kustomizeFailed reports a kustomization that cannot be linted.
func (l *loader) kustomizeFailed(dir string, err error) {
	var ke *kustomizeError
	if errors.As(err, &ke) {
		l.notLinted(ke.pos, "%s", ke.msg)
		return
	}
	pos := Position{File: dir, Line: 1, Column: 1}
	if k := kustomizationFile(dir); k != "" {
		pos.File = k
	}
	l.notLinted(pos, "%v", err)
}

// kscan walks a kustomization tree once: it refuses anything remote, applies
// kustomize's load restrictor, finds cycles, and tells whether the tree
// only lists local resources, collecting their files.
type kscan struct {
	simple   bool
	files    []string
	boundary string          // the repository no kustomization may leave; "" outside any
	done     map[string]bool // real paths of kustomizations scanned
}

// remoteRef matches what kustomize would fetch over the network: URLs,
// scp-style git addresses (user@host:repo) and github.com paths.
var remoteRef = regexp.MustCompile(`(?i)^(git::)?([a-z][a-z0-9+.-]*://|[a-z][a-z0-9-]*@|github\.com[/:])`)

// scan checks the kustomization in dir and those it refers to; stack holds
// the real paths of the kustomizations that led here. It refuses remote
// references and helm charts: kustomize would clone with git, fetch over
// HTTP or run helm, and meshroll never fetches or executes anything. Every
// path a kustomization names must exist locally (kustomize would otherwise
// try it as a remote address); a file must lie inside the kustomization's
// directory, as kustomize's default load restrictor demands, and another
// kustomization inside the repository.
func (s *kscan) scan(dir string, stack []string) error {
	real, err := input.RealPath(dir)
	if err != nil {
		return err
	}
	k, err := readKustomization(dir)
	if err != nil {
		return err
	}
	if s.done[real] {
		return nil
	}
	s.done[real] = true
	stack = append(stack, real)
	for _, f := range []string{"helmCharts", "helmChartInflationGenerator", "helmGlobals"} {
		if _, ok := k.raw[f]; ok {
			return &kustomizeError{pos: k.keyPos(f), msg: fmt.Sprintf("%s needs helm, and meshroll never runs programs: render the chart first and lint its output", f)}
		}
	}
	for f := range k.raw {
		if !fastFields[f] {
			s.simple = false
		}
	}
	type ref struct {
		field, value string
	}
	var refs []ref
	for _, f := range []string{"resources", "bases"} {
		for _, v := range k.strings(f) {
			refs = append(refs, ref{f, v})
		}
	}
	nres := len(refs)
	for _, f := range []string{"components", "crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators"} {
		for _, v := range k.strings(f) {
			refs = append(refs, ref{f, v})
		}
	}
	for _, f := range []string{"patches", "patchesJson6902", "replacements"} {
		list, _ := k.raw[f].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if p, ok := m["path"].(string); ok {
					refs = append(refs, ref{f, p})
				}
			}
		}
	}
	for _, f := range []string{"configMapGenerator", "secretGenerator"} {
		list, _ := k.raw[f].([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			for _, key := range []string{"files", "envs"} {
				fs, _ := m[key].([]any)
				for _, v := range fs {
					if str, ok := v.(string); ok {
						// files entries may be key=path.
						if _, p, found := strings.Cut(str, "="); found {
							str = p
						}
						refs = append(refs, ref{f, str})
					}
				}
			}
			if str, ok := m["env"].(string); ok {
				refs = append(refs, ref{f, str})
			}
		}
	}
	if o, ok := k.raw["openapi"].(map[string]any); ok {
		if p, ok := o["path"].(string); ok {
			refs = append(refs, ref{"openapi", p})
		}
	}
	for i, r := range refs {
		isResource := i < nres
		if strings.Contains(r.value, "\n") {
			continue // an inline patch or plugin configuration, not a path
		}
		at := k.valuePos(r.field, r.value)
		if remoteRef.MatchString(strings.TrimSpace(r.value)) {
			return &kustomizeError{pos: at, msg: fmt.Sprintf("remote reference %q refused: meshroll never fetches anything; vendor it into the repository", r.value)}
		}
		p := r.value
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q: %s", r.field, r.value, input.Describe(err))}
		}
		// A plain name in the directory is there, as it is; anything else
		// (a link, a path through other directories) is resolved.
		target := filepath.Join(real, r.value)
		if fi.Mode()&fs.ModeSymlink != 0 || strings.ContainsAny(r.value, `/\`) || filepath.IsAbs(r.value) {
			if target, err = input.RealPath(p); err != nil {
				return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q: %s", r.field, r.value, input.Describe(err))}
			}
			if fi, err = os.Stat(p); err != nil {
				return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q: %s", r.field, r.value, input.Describe(err))}
			}
		}
		switch {
		case fi.IsDir() && kustomizationFile(p) != "":
			if slices.Contains(stack, target) {
				return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q closes a kustomization cycle: it leads back to %s, which includes this one; kustomize refuses cycles", r.field, r.value, p)}
			}
			if s.boundary != "" && !input.Within(target, s.boundary) {
				return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q leads to %s, outside %s: meshroll reads only inside the repository", r.field, r.value, target, s.boundary)}
			}
			if err := s.scan(p, stack); err != nil {
				return err
			}
		case fi.IsDir():
			s.simple = false // kustomize explains what is wrong with it
		case !input.Within(target, real):
			return &kustomizeError{pos: at, msg: fmt.Sprintf("%s entry %q is the file %s, outside the kustomization's directory %s: kustomize's load restrictor refuses it; move the file into the directory, or make its directory a kustomization and list that", r.field, r.value, target, dir)}
		case isResource:
			s.files = append(s.files, p)
		}
	}
	return nil
}

// originAnnotation is where kustomize records the file an object came from,
// when the kustomization asks for buildMetadata: [originAnnotations].
const originAnnotation = "config.kubernetes.io/origin"

// buildKustomization builds the kustomization in dir with krusty: plugins
// off, files restricted to the kustomization's root. Each object is mapped
// back to the file and object it came from through origin annotations, so
// that positions point into the user's files.
func buildKustomization(dir string, opts LoadOptions) (*Manifests, error) {
	out, err := kustomize(dir, originFS{FileSystem: filesys.MakeFsOnDisk()})
	if err != nil {
		return nil, err
	}
	kfile := kustomizationFile(dir)
	patches := collectPatches(dir)
	m := Parse(kfile, out, opts)
	m.Files = nil
	sources := map[string]*Manifests{}
	seenFiles := map[string]bool{}
	for _, r := range m.Resources {
		r.posNode = &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}
		r.Doc = 0
		origin := r.Annotations.Get(originAnnotation)
		r.Annotations = r.Annotations.Without(originAnnotation)
		var o struct {
			Path string `yaml:"path"`
		}
		if origin == "" || yaml.Unmarshal([]byte(origin), &o) != nil || o.Path == "" {
			continue
		}
		file := filepath.Join(dir, o.Path)
		src, ok := sources[file]
		if !ok {
			data, err := input.ReadFile(file, opts.Limits.withDefaults().FileBytes)
			if err == nil {
				src = Parse(file, data, opts)
			}
			sources[file] = src
		}
		if src == nil {
			continue
		}
		if !seenFiles[file] {
			seenFiles[file] = true
			m.Files = append(m.Files, file)
		}
		r.File = file
		origName, origNS := r.Name, r.Namespace
		if orig := matchOrigin(r, src.Resources); orig != nil {
			r.posNode, r.Doc, r.Item = orig.Node(), orig.Doc, orig.Item
			origName, origNS = orig.Name, orig.Namespace
		}
		// Values a patch set are reported at the patch.
		var applied []kpatch
		for _, p := range patches {
			if p.targets(r.Kind, r.Namespace, origName, r.Name) || p.targets(r.Kind, origNS, origName) {
				applied = append(applied, p)
			}
		}
		if len(applied) > 0 {
			r.Remap = patchRemap(applied)
		}
	}
	if len(m.Files) == 0 {
		m.Files = []string{kfile}
	}
	return m, nil
}

// kustomize builds the kustomization in dir with krusty on fs: plugins off,
// files restricted to the kustomization's root.
func kustomize(dir string, fs filesys.FileSystem) ([]byte, error) {
	o := krusty.MakeDefaultOptions()
	o.LoadRestrictions = types.LoadRestrictionsRootOnly
	o.PluginConfig = types.DisabledPluginConfig()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	rm, err := krusty.MakeKustomizer(o).Run(fs, abs)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	out, err := rm.AsYaml()
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return out, nil
}

// matchOrigin finds the object in its source file that kustomize turned into
// r: same kind, and the same name or one that a name prefix or suffix
// extended.
func matchOrigin(r *Resource, candidates []*Resource) *Resource {
	var loose *Resource
	for _, c := range candidates {
		if c.Kind != r.Kind || c.Group() != r.Group() {
			continue
		}
		if c.Name == r.Name {
			return c
		}
		if loose == nil && c.Name != "" && strings.Contains(r.Name, c.Name) {
			loose = c
		}
	}
	return loose
}

// originFS is the disk, except that every kustomization file read through it
// asks for origin annotations, so that built objects name their source file.
type originFS struct {
	filesys.FileSystem
}

func (f originFS) ReadFile(path string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(path)
	if err != nil || !isKustomizationName(filepath.Base(path)) {
		return data, err
	}
	var n yaml.Node
	if yaml.Unmarshal(data, &n) != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.MappingNode {
		return data, nil // let kustomize report it
	}
	root := n.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "buildMetadata" {
			v := root.Content[i+1]
			if v.Kind == yaml.SequenceNode {
				v.Content = append(v.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: types.OriginAnnotations})
			}
			return encodeYAML(&n, data)
		}
	}
	root.Content = append(root.Content,
		&yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"},
		&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: types.OriginAnnotations}}})
	return encodeYAML(&n, data)
}

func encodeYAML(n *yaml.Node, orig []byte) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(n); err != nil {
		return orig, nil
	}
	return b.Bytes(), nil
}

func isKustomizationName(name string) bool {
	for _, n := range KustomizationNames {
		if n == name {
			return true
		}
	}
	return false
}
