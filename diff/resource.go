package diff

import (
	"bytes"
	"errors"
	"strings"

	"github.com/meshroll/meshroll/internal/pool"
	"github.com/meshroll/meshroll/manifest"
	"go.yaml.in/yaml/v3"
)

// File is one manifest file: YAML (or JSON), one or more documents.
type File struct {
	// Path is slash-separated, relative to the root of its tree; it names
	// the file in the output and tells apart resources that share an ID.
	Path    string
	Content []byte
}

// doc is one Kubernetes object of a file.
type doc struct {
	file  string
	index int // the object's place among the file's objects
	v     *value
	res   *manifest.Resource // the object as every command reads it
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

// parseFile reads the objects of f through package manifest, as every
// command reads manifests: the same documents, the same objects (a List
// stands for its items; documents that are not Kubernetes objects, and
// templates, are not compared), the same limits, and trees whose aliases and
// merge keys are resolved. A document that does not parse is an error at its
// line.
func parseFile(f File) ([]*doc, error) {
	var docs []*doc
	values := map[*manifest.Resource]*value{}
	m := manifest.Parse(f.Path, f.Content, manifest.LoadOptions{Inspect: func(r *manifest.Resource, n *yaml.Node) {
		values[r] = convert(n)
	}})
	for _, p := range m.Problems {
		if p.Kind == manifest.Invalid {
			return nil, errors.New(p.String())
		}
	}
	for _, r := range m.Resources {
		v := values[r]
		if v == nil {
			continue // Inspect sees every object; this is a guard
		}
		group, _, versioned := strings.Cut(r.APIVersion, "/")
		if !versioned {
			group = "" // the core group: apiVersion v1
		}
		docs = append(docs, &doc{
			file:       f.Path,
			index:      len(docs),
			v:          v,
			res:        r,
			group:      group,
			kind:       r.Kind,
			apiVersion: r.APIVersion,
			namespace:  v.at("metadata", "namespace").str(),
			name:       r.Name,
		})
	}
	return docs, nil
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
