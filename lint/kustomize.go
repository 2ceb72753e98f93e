package lint

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizationNames are the file names kustomize looks for, in its order.
var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomizationFile returns the kustomization file of dir, or "".
func kustomizationFile(dir string) string {
	for _, n := range kustomizationNames {
		p := filepath.Join(dir, n)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// kustomization is the part of a kustomization file meshroll reads itself.
type kustomization struct {
	path string         // the kustomization file
	dir  string         // its directory
	raw  map[string]any // every field
	node *yaml.Node
}

func readKustomization(dir string) (*kustomization, error) {
	p := kustomizationFile(dir)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading kustomization: %w", err)
	}
	k := &kustomization{path: p, dir: dir, node: &yaml.Node{}}
	if err := yaml.Unmarshal(data, k.node); err != nil {
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
// position and is fast; any other is built in-process with krusty.
func (l *loader) addKustomization(dir string) error {
	s := &kscan{seen: map[string]bool{}, simple: true}
	if err := s.scan(dir); err != nil {
		return err
	}
	if s.simple {
		for _, f := range s.files {
			l.addFile(f, f)
		}
		return nil
	}
	m, err := buildKustomization(dir, l.opts)
	if err != nil {
		return err
	}
	l.sources = append(l.sources, source{display: dir, built: m})
	return nil
}

// kscan walks a kustomization tree once: it refuses anything remote and
// tells whether the tree only lists local resources, collecting their files.
type kscan struct {
	seen   map[string]bool
	simple bool
	files  []string
}

// remoteRef matches what kustomize would fetch over the network: URLs,
// scp-style git addresses (user@host:repo) and github.com paths.
var remoteRef = regexp.MustCompile(`(?i)^(git::)?([a-z][a-z0-9+.-]*://|[a-z][a-z0-9-]*@|github\.com[/:])`)

// scan checks the kustomization in dir and those it refers to. It refuses
// remote references and helm charts: kustomize would clone with git, fetch
// over HTTP or run helm, and meshroll never fetches or executes anything.
// Every path a kustomization names must exist locally; kustomize would
// otherwise try to read it as a remote address.
func (s *kscan) scan(dir string) error {
	if s.seen[dir] {
		return nil
	}
	s.seen[dir] = true
	k, err := readKustomization(dir)
	if err != nil {
		return err
	}
	for _, f := range []string{"helmCharts", "helmChartInflationGenerator", "helmGlobals"} {
		if _, ok := k.raw[f]; ok {
			return fmt.Errorf("%s: %s needs helm, and meshroll never runs programs: render the chart first and lint its output", k.path, f)
		}
	}
	for f := range k.raw {
		if !fastFields[f] {
			s.simple = false
		}
	}
	resources := append(k.strings("resources"), k.strings("bases")...)
	var refs []string
	for _, f := range []string{"components", "crds", "configurations", "patchesStrategicMerge", "generators", "transformers", "validators"} {
		refs = append(refs, k.strings(f)...)
	}
	for _, f := range []string{"patches", "patchesJson6902", "replacements"} {
		list, _ := k.raw[f].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if p, ok := m["path"].(string); ok {
					refs = append(refs, p)
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
						refs = append(refs, str)
					}
				}
			}
			if str, ok := m["env"].(string); ok {
				refs = append(refs, str)
			}
		}
	}
	if o, ok := k.raw["openapi"].(map[string]any); ok {
		if p, ok := o["path"].(string); ok {
			refs = append(refs, p)
		}
	}
	for i, r := range append(resources, refs...) {
		isResource := i < len(resources)
		if strings.Contains(r, "\n") {
			continue // an inline patch or plugin configuration, not a path
		}
		if remoteRef.MatchString(strings.TrimSpace(r)) {
			return fmt.Errorf("%s: remote reference %q refused: meshroll never fetches anything; vendor it into the repository", k.path, r)
		}
		p := filepath.Join(dir, r)
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("%s: %q: %w", k.path, r, errors.Unwrap(err))
		}
		switch {
		case fi.IsDir() && kustomizationFile(p) != "":
			if err := s.scan(p); err != nil {
				return err
			}
		case fi.IsDir():
			s.simple = false // kustomize explains what is wrong with it
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
	o := krusty.MakeDefaultOptions()
	o.LoadRestrictions = types.LoadRestrictionsRootOnly
	o.PluginConfig = types.DisabledPluginConfig()
	fs := originFS{FileSystem: filesys.MakeFsOnDisk()}
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
	kfile := kustomizationFile(dir)
	m := Parse(kfile, out, opts)
	m.Files = nil
	sources := map[string]*Manifests{}
	seenFiles := map[string]bool{}
	for _, r := range m.Resources {
		r.posNode = &yaml.Node{Kind: yaml.MappingNode, Line: 1, Column: 1}
		r.Doc = 0
		origin := r.Annotations[originAnnotation]
		delete(r.Annotations, originAnnotation)
		var o struct {
			Path string `yaml:"path"`
		}
		if origin == "" || yaml.Unmarshal([]byte(origin), &o) != nil || o.Path == "" {
			continue
		}
		file := filepath.Join(dir, o.Path)
		src, ok := sources[file]
		if !ok {
			data, err := os.ReadFile(file)
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
		if orig := matchOrigin(r, src.Resources); orig != nil {
			r.posNode, r.Doc, r.Item = orig.Node(), orig.Doc, orig.Item
		}
	}
	if len(m.Files) == 0 {
		m.Files = []string{kfile}
	}
	return m, nil
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
	for _, n := range kustomizationNames {
		if n == name {
			return true
		}
	}
	return false
}
