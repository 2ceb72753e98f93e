package diff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/internal/pool"
	"go.yaml.in/yaml/v3"
)

// File is one manifest file: YAML (or JSON), one or more documents.
type File struct {
	// Path is slash-separated, relative to the root of its tree; it names
	// the file in the output and tells apart resources that share an ID.
	Path    string
	Content []byte
}

// MaxFileSize bounds a manifest file, so that hostile input cannot
// exhaust memory.
const MaxFileSize = 32 << 20

// doc is one Kubernetes object of a file.
type doc struct {
	file  string
	index int // the object's place among the file's objects
	v     *value
	// Identity: API group (without version), kind, namespace, name.
	group, kind, namespace, name, apiVersion string
}

func (d *doc) key() string {
	return d.group + "\x00" + d.kind + "\x00" + d.namespace + "\x00" + d.name
}

// parseTrees parses the files of two trees concurrently into their
// objects, keeping the order of the files. A file with the same path and
// content in both trees is parsed once and its objects shared, so that
// the common case — a change to a few files of a large tree — costs one
// parse of the tree, and comparing the shared objects costs nothing.
// Errors name the file and line.
func parseTrees(old, new []File) (oldDocs, newDocs []*doc, err error) {
	oldAt := make(map[string]int, len(old))
	for i, f := range old {
		oldAt[f.Path] = i
	}
	jobs := append([]File(nil), old...)
	// slot[j] is the job that parses new file j.
	slot := make([]int, len(new))
	for j, f := range new {
		if i, ok := oldAt[f.Path]; ok && bytes.Equal(old[i].Content, f.Content) {
			slot[j] = i
			continue
		}
		slot[j] = len(jobs)
		jobs = append(jobs, f)
	}
	out := make([][]*doc, len(jobs))
	if err := pool.Run(len(jobs), 0, func(i int) error {
		var err error
		out[i], err = parseFile(jobs[i])
		return err
	}); err != nil {
		return nil, nil, err
	}
	for i := range old {
		oldDocs = append(oldDocs, out[i]...)
	}
	for _, i := range slot {
		newDocs = append(newDocs, out[i]...)
	}
	return oldDocs, newDocs, nil
}

// parseFile splits f into YAML documents and keeps those that are
// Kubernetes objects: a map with a kind. Lists (kind: List, or any kind
// ending in List with items) stand for their items. Other documents —
// empty ones, comments, values files — are not objects and are skipped.
func parseFile(f File) (docs []*doc, err error) {
	if len(f.Content) > MaxFileSize {
		return nil, fmt.Errorf("%s: is %d bytes; manifest files are at most %d", f.Path, len(f.Content), MaxFileSize)
	}
	// yaml.v3 is fuzzed upstream, but a parser bug must not take the
	// whole command down: report it as the file's error instead.
	defer func() {
		if r := recover(); r != nil {
			docs, err = nil, fmt.Errorf("%s: the YAML parser failed: %v", f.Path, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(f.Content))
	conv := newConverter(len(f.Content))
	for n := 0; ; n++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s", f.Path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		v, err := conv.convert(&node)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", f.Path, n+1, err)
		}
		docs = appendObjects(docs, f.Path, v)
	}
	for i, d := range docs {
		d.index = i
	}
	return docs, nil
}

func appendObjects(docs []*doc, file string, v *value) []*doc {
	kind := v.get("kind").str()
	if kind == "" {
		return docs
	}
	if items := v.get("items"); strings.HasSuffix(kind, "List") && items != nil && items.kind == listKind {
		for _, item := range items.vals {
			docs = appendObjects(docs, file, item)
		}
		return docs
	}
	apiVersion := v.get("apiVersion").str()
	group := ""
	if g, _, ok := strings.Cut(apiVersion, "/"); ok {
		group = g
	}
	return append(docs, &doc{
		file:       file,
		v:          v,
		group:      group,
		kind:       kind,
		apiVersion: apiVersion,
		namespace:  v.at("metadata", "namespace").str(),
		name:       v.at("metadata", "name").str(),
	})
}

// pair is one resource in the old tree, the new one, or both.
type pair struct {
	old, new *doc
	// ambiguous is set when other resources share the ID, so that only
	// the file tells them apart.
	ambiguous bool
}

// pairDocs matches the objects of two trees by API group, kind, namespace
// and name, wherever they are filed. When several objects share an
// identity (the phase directories of an --all-phases tree, or files
// without names such as kustomizations), those in the same file match,
// and a single one left on each side matches the other.
func pairDocs(old, new []*doc) []pair {
	type group struct{ old, new []*doc }
	groups := map[string]*group{}
	var order []string
	get := func(k string) *group {
		g, ok := groups[k]
		if !ok {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		return g
	}
	for _, d := range old {
		g := get(d.key())
		g.old = append(g.old, d)
	}
	for _, d := range new {
		g := get(d.key())
		g.new = append(g.new, d)
	}
	var out []pair
	for _, k := range order {
		g := groups[k]
		if len(g.old) <= 1 && len(g.new) <= 1 {
			p := pair{}
			if len(g.old) == 1 {
				p.old = g.old[0]
			}
			if len(g.new) == 1 {
				p.new = g.new[0]
			}
			out = append(out, p)
			continue
		}
		type place struct {
			file string
			nth  int
		}
		nth := func(ds []*doc) map[place]*doc {
			m := map[place]*doc{}
			count := map[string]int{}
			for _, d := range ds {
				m[place{d.file, count[d.file]}] = d
				count[d.file]++
			}
			return m
		}
		oldAt := nth(g.old)
		used := map[*doc]bool{}
		var restNew []*doc
		count := map[string]int{}
		for _, d := range g.new {
			if o, ok := oldAt[place{d.file, count[d.file]}]; ok {
				out = append(out, pair{old: o, new: d, ambiguous: true})
				used[o] = true
			} else {
				restNew = append(restNew, d)
			}
			count[d.file]++
		}
		var restOld []*doc
		for _, d := range g.old {
			if !used[d] {
				restOld = append(restOld, d)
			}
		}
		if len(restOld) == 1 && len(restNew) == 1 {
			out = append(out, pair{old: restOld[0], new: restNew[0], ambiguous: true})
			continue
		}
		for _, d := range restOld {
			out = append(out, pair{old: d, ambiguous: true})
		}
		for _, d := range restNew {
			out = append(out, pair{new: d, ambiguous: true})
		}
	}
	return out
}

// dir returns the directory of a slash path, "" at the root.
func dir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
