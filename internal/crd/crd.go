package crd

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Error is one reason the API server or Istio's validation webhook would
// reject an object.
type Error struct {
	// Path is the data path of the offending field, such as
	// spec.http[0].route[1].weight or spec.portLevelMtls["80"].mode.
	Path string
	// Line and Column locate the offending node: the key of an unknown
	// field, the value otherwise, and for a missing required field the key of
	// its nearest existing parent.
	Line, Column int
	// Message is a sentence that says what is wrong and what to do.
	Message string
	// Newer is set when the targeted Istio release rejects the field but a
	// newer one accepts it: the oldest such release, such as "1.32".
	Newer string
	// Class names the check that failed, for the checks a caller may leave
	// to a rule of its own; Other for the rest.
	Class Class
}

// Error implements error.
func (e Error) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Message)
}

// Validate checks one Kubernetes object, a yaml.v3 document or mapping node,
// against the Istio CRD schema of its apiVersion and kind, the CRD's CEL
// rules, and the checks of Istio's validation webhook. ok is false when the
// object is not of an Istio API group (nothing was checked). An Istio group
// with an unknown kind or an unserved version is reported as an error.
//
// Every rejection is reported, each once, including faults that meshroll's
// lint explains in rules of their own (negative weights, weights that add up
// to 0, regexes, mirror percentages, duplicate subset names): those carry a
// Class, so that a caller can leave them to such a rule without comparing
// paths or messages.
//
// Validate never panics and is safe for concurrent use. Errors are sorted by
// position. It validates against the newest embedded Istio release; see
// ValidateFor.
func Validate(doc *yaml.Node) (errs []Error, ok bool) {
	return validate(doc, releases().newest(), &celRules)
}

// ValidateFor is Validate against the schemas of an Istio minor release
// ("1.31"), one of Versions. What that release rejects but a newer embedded
// release accepts (a field, a kind or an enum value added since) is reported
// as "spec.x needs Istio 1.32; this repository targets 1.31". An unknown
// release is an error.
func ValidateFor(doc *yaml.Node, version string) (errs []Error, ok bool, err error) {
	rs := releases()
	target := rs.get(version)
	if target == nil {
		return nil, false, fmt.Errorf("meshroll has no schemas of Istio %s; it knows %s", quote(version), strings.Join(rs.versions, ", "))
	}
	errs, ok = validate(doc, target, &celRules)
	if !ok || len(errs) == 0 || target == rs.newest() {
		return errs, ok, nil
	}
	// needs is the oldest newer release that accepts each rejected path.
	needs := make([]string, len(errs))
	pending := len(errs)
	for _, newer := range rs.newerThan(version) {
		if pending == 0 {
			break
		}
		newErrs, _ := validate(doc, rs.get(newer), &celRules)
		rejected := make(map[string]bool, len(newErrs))
		for _, e := range newErrs {
			rejected[e.Path] = true
		}
		for i, e := range errs {
			if needs[i] == "" && !rejected[e.Path] {
				needs[i] = newer
				pending--
			}
		}
	}
	for i, v := range needs {
		if v != "" {
			errs[i].Message = fmt.Sprintf("%s needs Istio %s; this repository targets %s: remove it, or upgrade the clusters and the target release", errs[i].Path, v, version)
			errs[i].Newer = v
		}
	}
	return errs, ok, nil
}

// Versions lists the Istio minor releases whose schemas are embedded, oldest
// first, such as ["1.30", "1.31", "1.32"].
func Versions() []string { return slices.Clone(releases().versions) }

// DefaultVersion is the newest embedded Istio minor release, the one
// Validate uses: the istio.io/api version in go.mod.
func DefaultVersion() string { rs := releases(); return rs.versions[len(rs.versions)-1] }

// validate is Validate with the schema registry and rule cache given, so
// that a benchmark can measure a cold start.
func validate(doc *yaml.Node, reg *registry, rules *ruleCache) (errs []Error, ok bool) {

	root := doc
	if root != nil && root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, false
		}
		root = root.Content[0]
	}
	w := walker{}
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, false
	}
	_, apiVersionNode := lookup(root, "apiVersion")
	kindKey, kindNode := lookup(root, "kind")
	if apiVersionNode == nil || apiVersionNode.Kind != yaml.ScalarNode {
		return nil, false
	}
	group, version, found := strings.Cut(apiVersionNode.Value, "/")
	if !strings.HasSuffix(group, ".istio.io") {
		return nil, false
	}
	idx, err := reg.loadIndex()
	if err != nil {
		return []Error{internalError(root, err)}, true
	}
	kinds, known := idx.groups[group]
	if !known {
		return nil, false
	}
	if !found {
		return []Error{{Path: "apiVersion", Line: apiVersionNode.Line, Column: apiVersionNode.Column,
			Message: fmt.Sprintf("apiVersion %s lacks a version; write it as %s/%s", quote(group), group, idx.preferredVersion(group))}}, true
	}
	if kindNode == nil || kindNode.Kind != yaml.ScalarNode || kindNode.Value == "" {
		at := root
		if kindKey != nil {
			at = kindNode
		}
		return []Error{{Path: "kind", Line: at.Line, Column: at.Column,
			Message: fmt.Sprintf("kind is required; %s serves %s", group, strings.Join(idx.kindNames[group], ", "))}}, true
	}
	kind := kindNode.Value
	versions, known := kinds[kind]
	if !known {
		msg := fmt.Sprintf("%s has no kind %q", group, kind)
		if s := closest(kind, idx.kindNames[group]); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else {
			msg += "; it serves " + strings.Join(idx.kindNames[group], ", ")
		}
		return []Error{{Path: "kind", Line: kindNode.Line, Column: kindNode.Column, Message: msg}}, true
	}
	file, served := versions[version]
	if !served {
		names := make([]string, 0, len(versions))
		for v := range versions {
			names = append(names, group+"/"+v)
		}
		sort.Strings(names)
		return []Error{{Path: "apiVersion", Line: apiVersionNode.Line, Column: apiVersionNode.Column,
			Message: fmt.Sprintf("%s is not a served version of %s; use one of %s", apiVersionNode.Value, kind, strings.Join(names, ", "))}}, true
	}
	s, err := reg.loadSchema(file, kind)
	if err != nil {
		return []Error{internalError(root, err)}, true
	}
	w.init(kind)
	w.cel = rules
	if _, meta := w.present(root, "metadata"); meta != nil && meta.Kind == yaml.MappingNode {
		if _, labels := w.present(meta, "labels"); labels != nil && labels.Kind == yaml.MappingNode {
			if _, v := w.present(labels, "istio.io/use-waypoint"); v != nil && v.Kind == yaml.ScalarNode {
				w.usesWaypoint = v.Value != "" && !strings.EqualFold(v.Value, "none")
			}
		}
	}
	switch kind {
	case "VirtualService":
		w.vs = w.virtualServiceContext(root)
	case "AuthorizationPolicy":
		if _, spec := w.present(root, "spec"); spec != nil && spec.Kind == yaml.MappingNode {
			if _, a := w.present(spec, "action"); a != nil && a.Kind == yaml.ScalarNode {
				w.authzAction = a.Value
			}
		}
	}
	w.value(root, nil, s)
	sortErrors(w.errs)
	return w.errs, true
}

func internalError(at *yaml.Node, err error) Error {
	return Error{Line: at.Line, Column: at.Column, Message: "internal error: the embedded Istio schemas are unusable: " + err.Error()}
}

func sortErrors(errs []Error) {
	slices.SortStableFunc(errs, func(a, b Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Message, b.Message)
	})
}

// lookup returns the key and value nodes of a field of a mapping node,
// without following merge keys; nil when the field is absent.
func lookup(m *yaml.Node, name string) (key, value *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == name {
			return k, m.Content[i+1]
		}
	}
	return nil, nil
}

//go:embed schemas
var schemaFiles embed.FS

// releaseSet is the embedded Istio releases, each with the schemas loaded so
// far. A registry starts empty: nothing is read until a document of an Istio
// group is validated against its release.
type releaseSet struct {
	versions []string // oldest first
	regs     map[string]*registry
}

// releases lists the release directories of the embedded schemas once.
var releases = sync.OnceValue(func() *releaseSet {
	rs := &releaseSet{regs: map[string]*registry{}}
	entries, err := schemaFiles.ReadDir("schemas")
	if err != nil {
		panic("crd: the embedded schemas are missing: " + err.Error())
	}
	for _, e := range entries {
		if e.IsDir() {
			rs.versions = append(rs.versions, e.Name())
			rs.regs[e.Name()] = &registry{dir: path.Join("schemas", e.Name())}
		}
	}
	if len(rs.versions) == 0 {
		panic("crd: no release directory among the embedded schemas")
	}
	slices.SortFunc(rs.versions, compareVersions)
	return rs
})

func (rs *releaseSet) get(version string) *registry { return rs.regs[version] }
func (rs *releaseSet) newest() *registry            { return rs.regs[rs.versions[len(rs.versions)-1]] }

// newerThan lists the releases after version, oldest first.
func (rs *releaseSet) newerThan(version string) []string {
	i := slices.Index(rs.versions, version)
	return rs.versions[i+1:]
}

// compareVersions orders "1.9" before "1.30" by number.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, _ := strconv.Atoi(pa[i])
		nb, _ := strconv.Atoi(pb[i])
		if na != nb {
			return na - nb
		}
	}
	return len(pa) - len(pb)
}

type registry struct {
	// dir is the directory of the release's files in schemaFiles.
	dir string

	indexOnce sync.Once
	index     *schemaIndex
	indexErr  error

	mu      sync.Mutex
	schemas map[schemaKey]*loadedSchema
}

// schemaKey identifies a prepared schema: the webhook checks attached to a
// schema depend on the kind, so the kind is part of the key.
type schemaKey struct{ file, kind string }

// schemaIndex is the decoded index.json.
type schemaIndex struct {
	// groups maps group → kind → served version → schema file.
	groups map[string]map[string]map[string]string
	// kindNames lists the kinds of each group, sorted.
	kindNames map[string][]string
}

// preferredVersion names the version to suggest for a group: v1 when it
// is served, the first served version in sort order otherwise.
func (idx *schemaIndex) preferredVersion(group string) string {
	var versions []string
	for _, served := range idx.groups[group] {
		for v := range served {
			if v == "v1" {
				return v
			}
			versions = append(versions, v)
		}
	}
	sort.Strings(versions)
	if len(versions) == 0 {
		return "v1"
	}
	return versions[0]
}

type loadedSchema struct {
	once sync.Once
	s    *schema
	err  error
}

func (r *registry) loadIndex() (*schemaIndex, error) {
	r.indexOnce.Do(func() {
		r.index, r.indexErr = readIndex(r.dir)
	})
	return r.index, r.indexErr
}

func readIndex(dir string) (*schemaIndex, error) {
	b, err := schemaFiles.ReadFile(path.Join(dir, "index.json"))
	if err != nil {
		return nil, fmt.Errorf("reading index.json: %w", err)
	}
	var raw struct {
		Kinds []struct {
			Group, Kind string
			Versions    []struct{ Name, Schema string }
		}
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decoding index.json: %w", err)
	}
	idx := &schemaIndex{groups: map[string]map[string]map[string]string{}, kindNames: map[string][]string{}}
	for _, k := range raw.Kinds {
		if idx.groups[k.Group] == nil {
			idx.groups[k.Group] = map[string]map[string]string{}
		}
		versions := map[string]string{}
		for _, v := range k.Versions {
			versions[v.Name] = v.Schema
		}
		idx.groups[k.Group][k.Kind] = versions
		idx.kindNames[k.Group] = append(idx.kindNames[k.Group], k.Kind)
	}
	for _, names := range idx.kindNames {
		sort.Strings(names)
	}
	return idx, nil
}

// loadSchema decodes and prepares a schema file for a kind on first use.
func (r *registry) loadSchema(file, kind string) (*schema, error) {
	r.mu.Lock()
	if r.schemas == nil {
		r.schemas = map[schemaKey]*loadedSchema{}
	}
	key := schemaKey{file, kind}
	l := r.schemas[key]
	if l == nil {
		l = &loadedSchema{}
		r.schemas[key] = l
	}
	r.mu.Unlock()
	l.once.Do(func() {
		l.s, l.err = readSchema(path.Join(r.dir, file), kind)
	})
	return l.s, l.err
}

func readSchema(file, kind string) (*schema, error) {
	b, err := schemaFiles.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	s, err := decodeSchema(b)
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", file, err)
	}
	// The API server validates these fields of every object itself; a CRD's
	// schema does not list them.
	if s.Properties == nil {
		s.Properties = map[string]*schema{}
	}
	s.Properties["apiVersion"] = &schema{Type: "string"}
	s.Properties["kind"] = &schema{Type: "string"}
	s.Properties["metadata"] = metaSchema()
	s.Required = append(s.Required, "metadata")
	s.prepare(kind, "")
	return s, nil
}

// metaSchema is the schema of ObjectMeta as the API server applies it to a
// custom resource: unknown fields are rejected under strict field
// validation, labels and annotations are maps of strings.
func metaSchema() *schema {
	str := func() *schema { return &schema{Type: "string"} }
	strMap := func() *schema { return &schema{Type: "object", AdditionalProperties: str()} }
	return &schema{Type: "object", Properties: map[string]*schema{
		"name":                       str(),
		"generateName":               str(),
		"namespace":                  str(),
		"uid":                        str(),
		"resourceVersion":            str(),
		"selfLink":                   str(),
		"generation":                 {Type: "integer", Format: "int64"},
		"creationTimestamp":          {Type: "string", Format: "date-time", Nullable: true},
		"deletionTimestamp":          {Type: "string", Format: "date-time", Nullable: true},
		"deletionGracePeriodSeconds": {Type: "integer", Format: "int64"},
		"labels":                     strMap(),
		"annotations":                strMap(),
		"finalizers":                 {Type: "array", Items: str()},
		"ownerReferences":            {Type: "array", Items: &schema{Type: "object", PreserveUnknownFields: true}},
		"managedFields":              {Type: "array", Items: &schema{Type: "object", PreserveUnknownFields: true}},
	}}
}
