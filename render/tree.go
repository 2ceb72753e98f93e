package render

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/meshroll/meshroll/internal/pool"
	"github.com/meshroll/meshroll/schema"
)

// File is one file of the rendered tree.
type File struct {
	// Path is slash-separated and relative to the output directory.
	Path    string
	Content []byte
}

// File names meshroll gives the files that are not a rollout's.
const (
	KustomizationFile      = "kustomization.yaml"
	PeerAuthenticationFile = "peerauthentication.yaml"
)

// Mode chooses what Tree renders.
type Mode int

const (
	// Live renders the live phase of every rollout: DIR/<namespace>/<rollout>.yaml,
	// with a kustomization at the root, for Argo CD or Flux to sync.
	Live Mode = iota
	// AllPhases renders every phase of every rollout for review:
	// DIR/<phase>/<namespace>/<rollout>.yaml, each phase directory a
	// complete tree with its own kustomization.
	AllPhases
)

// Tree renders in into the files of the output tree, sorted by path.
func Tree(in *schema.Intent, mode Mode) ([]File, error) {
	type job struct {
		r     *schema.Rollout
		phase string
		dir   string
	}
	var jobs []job
	for _, r := range in.Rollouts {
		if mode == Live {
			jobs = append(jobs, job{r, r.Phase, ""})
			continue
		}
		for _, p := range Phases(r) {
			jobs = append(jobs, job{r, p, p})
		}
	}
	// Rendering is independent per rollout and phase: spread it over the
	// processors, writing each result into its own slot so that the
	// output does not depend on scheduling.
	contents := make([][]byte, len(jobs))
	err := pool.Run(len(jobs), 0, func(i int) error {
		objs, err := Rollout(jobs[i].r, jobs[i].phase)
		if err != nil {
			return err
		}
		var b bytes.Buffer
		writeFile(&b, objs)
		contents[i] = b.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}

	t := newTreeBuilder()
	for i, j := range jobs {
		if err := t.add(path.Join(j.dir, j.r.Namespace, j.r.Name+".yaml"), contents[i]); err != nil {
			return nil, err
		}
	}
	// One PeerAuthentication per namespace that holds rollouts, and the
	// mesh-wide one in the root namespace, in every tree.
	modes := map[string]string{}
	for _, r := range in.Rollouts {
		modes[r.Namespace] = r.MTLS
	}
	if m := in.Mesh; m != nil {
		modes[m.RootNamespace] = m.MTLS
	}
	dirs := []string{""}
	if mode == AllPhases {
		dirs = t.topDirs()
		if len(in.Rollouts) == 0 && in.Mesh != nil {
			dirs = nil
		}
	}
	for _, d := range dirs {
		for ns, m := range modes {
			if mode == AllPhases && !t.has(path.Join(d, ns)) && (in.Mesh == nil || ns != in.Mesh.RootNamespace) {
				continue
			}
			var b bytes.Buffer
			writeFile(&b, []Object{PeerAuthentication(ns, m)})
			if err := t.add(path.Join(d, ns, PeerAuthenticationFile), b.Bytes()); err != nil {
				return nil, err
			}
		}
	}
	if err := t.kustomizations(mode == Live); err != nil {
		return nil, err
	}
	return t.files(), nil
}

// writeFile writes objects as one multi-document YAML file with the header.
func writeFile(b *bytes.Buffer, objs []Object) {
	b.WriteString(Header)
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		AppendYAML(b, o)
	}
}

// segment is what a path element of the tree may be: a DNS-1123 label
// (namespaces, rollouts and phases are validated as such), with .yaml for
// files.
var segment = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.yaml)?$`)

// treeBuilder collects files and the directories that hold them.
type treeBuilder struct {
	byPath   map[string][]byte
	children map[string]map[string]bool // directory → entries
}

func newTreeBuilder() *treeBuilder {
	return &treeBuilder{byPath: map[string][]byte{}, children: map[string]map[string]bool{}}
}

func (t *treeBuilder) add(p string, content []byte) error {
	// Names become paths: refuse anything that could leave the tree, even
	// though the schema has validated them.
	for _, s := range splitPath(p) {
		if !segment.MatchString(s) {
			return fmt.Errorf("refusing to write %q: %q is not a DNS-1123 label", p, s)
		}
	}
	if _, dup := t.byPath[p]; dup {
		return fmt.Errorf("two objects render to %s", p)
	}
	t.byPath[p] = content
	for d := p; d != "" && d != "."; {
		parent := path.Dir(d)
		if parent == "." {
			parent = ""
		}
		if t.children[parent] == nil {
			t.children[parent] = map[string]bool{}
		}
		t.children[parent][path.Base(d)] = true
		d = parent
	}
	return nil
}

func splitPath(p string) []string {
	var out []string
	for p != "" && p != "." {
		out = append(out, path.Base(p))
		p = path.Dir(p)
		if p == "." {
			break
		}
	}
	return out
}

func (t *treeBuilder) has(dir string) bool { return t.children[dir] != nil }

// topDirs returns the directories at the root of the tree.
func (t *treeBuilder) topDirs() []string {
	var out []string
	for name := range t.children[""] {
		if _, isFile := t.byPath[name]; !isFile {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// kustomizations adds a kustomization.yaml to every directory, listing its
// files and subdirectories; withRoot includes the root directory.
func (t *treeBuilder) kustomizations(withRoot bool) error {
	dirs := make([]string, 0, len(t.children))
	for d := range t.children {
		if d == "" && !withRoot {
			continue
		}
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		var res []string
		for name := range t.children[d] {
			res = append(res, name)
		}
		sort.Strings(res)
		k := types.Kustomization{Resources: res}
		k.FixKustomization()
		y, err := yaml.Marshal(&k)
		if err != nil {
			return fmt.Errorf("writing %s: %w", path.Join(d, KustomizationFile), err)
		}
		if err := t.add(path.Join(d, KustomizationFile), append([]byte(Header), y...)); err != nil {
			return err
		}
	}
	return nil
}

func (t *treeBuilder) files() []File {
	out := make([]File, 0, len(t.byPath))
	for p, c := range t.byPath {
		out = append(out, File{Path: p, Content: c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
