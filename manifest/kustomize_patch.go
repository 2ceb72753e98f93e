package manifest

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/yamlpath"
)

// A kustomize build changes objects with patches, and a finding on a value a
// patch set belongs at the patch, where a person would change it, not at the
// base the object came from. The patches of a build are read here with
// their positions — JSON 6902 operations and strategic-merge documents,
// inline or in files, at every kustomization of the build — and each built
// object's positions are remapped through those that target it.

// patchSite is a field a patch sets, and where the patch says so.
type patchSite struct {
	path yamlpath.Path
	pos  Position
}

// kpatch is one patch of a build, with what it targets.
type kpatch struct {
	kind, name, namespace string // target; name is a regular expression, "" matches all
	sites                 []patchSite
}

// collectPatches reads the patches of the kustomization in dir and of the
// kustomizations it includes.
func collectPatches(dir string) []kpatch {
	var out []kpatch
	seen := map[string]bool{}
	var visit func(dir string)
	visit = func(dir string) {
		real, err := input.RealPath(dir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		k, err := readKustomization(dir)
		if err != nil || k.root() == nil {
			return
		}
		root := k.root()
		for _, r := range append(k.strings("resources"), append(k.strings("bases"), k.strings("components")...)...) {
			p := filepath.Join(dir, r)
			if kustomizationFile(p) != "" {
				visit(p)
			}
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, val := root.Content[i].Value, root.Content[i+1]
			if val.Kind != yaml.SequenceNode {
				continue
			}
			for _, e := range val.Content {
				switch key {
				case "patchesStrategicMerge":
					if e.Kind == yaml.ScalarNode {
						out = append(out, patchesOf(k, e, nil)...)
					}
				case "patches", "patchesJson6902":
					if e.Kind != yaml.MappingNode {
						continue
					}
					var tgt *yaml.Node
					var body *yaml.Node
					for j := 0; j+1 < len(e.Content); j += 2 {
						switch e.Content[j].Value {
						case "target":
							tgt = e.Content[j+1]
						case "path", "patch":
							body = e.Content[j+1]
						}
					}
					if body != nil && body.Kind == yaml.ScalarNode {
						out = append(out, patchesOf(k, body, tgt)...)
					}
				}
			}
		}
	}
	visit(dir)
	return out
}

// patchesOf reads a patch given by node of kustomization k: a file name,
// or inline text (a multi-line value) at node's position in k's file.
func patchesOf(k *kustomization, node, target *yaml.Node) []kpatch {
	var data []byte
	file, lineOffset, colOffset := k.path, 0, 0
	if strings.Contains(node.Value, "\n") {
		data = []byte(node.Value)
		if node.Style == yaml.LiteralStyle || node.Style == yaml.FoldedStyle {
			// The text starts on the line after the indicator, indented.
			lineOffset = node.Line
			lines := strings.Split(string(k.data), "\n")
			if node.Line < len(lines) {
				l := lines[node.Line]
				colOffset = len(l) - len(strings.TrimLeft(l, " "))
			}
		} else {
			lineOffset = node.Line - 1
		}
	} else {
		file = filepath.Join(k.dir, node.Value)
		d, err := input.ReadFile(file, maxKustomizeFile)
		if err != nil {
			return nil
		}
		data = d
	}
	var out []kpatch
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if dec.Decode(&doc) != nil || ResolveYAML(&doc) != nil {
			break
		}
		if len(doc.Content) == 0 {
			continue
		}
		body := doc.Content[0]
		at := func(n *yaml.Node) Position {
			return Position{File: file, Line: n.Line + lineOffset, Column: n.Column + colOffset}
		}
		p := kpatch{}
		if target != nil {
			p.kind = scalar(field(target, "kind"))
			p.name = scalar(field(target, "name"))
			p.namespace = scalar(field(target, "namespace"))
		}
		switch body.Kind {
		case yaml.SequenceNode: // JSON 6902 operations
			for _, op := range body.Content {
				ptr := field(op, "path")
				if ptr == nil || ptr.Kind != yaml.ScalarNode {
					continue
				}
				where := ptr
				if v := field(op, "value"); v != nil {
					where = v
				}
				if path, ok := fromPointer(ptr.Value); ok {
					p.sites = append(p.sites, patchSite{path: path, pos: at(where)})
				}
			}
		case yaml.MappingNode: // a strategic-merge patch: an object
			if target == nil {
				p.kind = scalar(field(body, "kind"))
				p.name = regexp.QuoteMeta(scalar(field(field(body, "metadata"), "name")))
				p.namespace = scalar(field(field(body, "metadata"), "namespace"))
			}
			leaves(body, nil, func(path yamlpath.Path, n *yaml.Node) {
				if len(path) > 0 && (path[0].Key == "apiVersion" || path[0].Key == "kind" ||
					len(path) == 2 && path[0].Key == "metadata" && (path[1].Key == "name" || path[1].Key == "namespace")) {
					return
				}
				p.sites = append(p.sites, patchSite{path: path, pos: at(n)})
			})
		}
		if len(p.sites) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// leaves calls f with the path of every scalar below n.
func leaves(n *yaml.Node, path yamlpath.Path, f func(yamlpath.Path, *yaml.Node)) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			leaves(n.Content[i+1], append(path[:len(path):len(path)], yamlpath.Elem{Key: n.Content[i].Value}), f)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			leaves(c, append(path[:len(path):len(path)], yamlpath.Elem{Index: i, IsIndex: true}), f)
		}
	default:
		f(path, n)
	}
}

// fromPointer converts a JSON pointer (/spec/http/0/timeout) to a data
// path; "-" (the end of a list) cannot be placed and is not.
func fromPointer(ptr string) (yamlpath.Path, bool) {
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	var out yamlpath.Path
	for _, s := range strings.Split(ptr[1:], "/") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		if s == "-" {
			return nil, false
		}
		if i, err := strconv.Atoi(s); err == nil && i >= 0 && strconv.Itoa(i) == s {
			out = append(out, yamlpath.Elem{Index: i, IsIndex: true})
			continue
		}
		out = append(out, yamlpath.Elem{Key: s})
	}
	return out, true
}

// targets reports whether p applies to the object of kind named name (as
// its base declares it, or as built) in namespace ns.
func (p kpatch) targets(kind, ns string, names ...string) bool {
	if p.kind != "" && p.kind != kind {
		return false
	}
	if p.namespace != "" && p.namespace != ns {
		return false
	}
	if p.name == "" {
		return true
	}
	re, err := regexp.Compile("^(?:" + p.name + ")$")
	if err != nil {
		return false
	}
	for _, n := range names {
		if re.MatchString(n) {
			return true
		}
	}
	return false
}

// patchRemap returns a Remap that places a path a patch set at the patch:
// the last patch (in build order) that set the path or one of its parents.
func patchRemap(ps []kpatch) func(string, Position) Position {
	return func(path string, pos Position) Position {
		want, err := yamlpath.Parse(path)
		if err != nil {
			return pos
		}
		best := -1
		for _, p := range ps {
			for _, s := range p.sites {
				if len(s.path) >= best && len(s.path) <= len(want) && prefix(s.path, want) {
					best, pos = len(s.path), s.pos
				}
			}
		}
		return pos
	}
}

func prefix(p, of yamlpath.Path) bool {
	for i := range p {
		if p[i] != of[i] {
			return false
		}
	}
	return true
}
