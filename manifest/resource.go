package manifest

import (
	"hash/crc32"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1"
	networkingv1alpha3 "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1"

	"github.com/meshroll/meshroll/internal/crd"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/yamlfast"
	"github.com/meshroll/meshroll/internal/yamlpath"
)

// Resource is one Kubernetes object from the input, with its position.
type Resource struct {
	APIVersion string
	Kind       string
	// Namespace is metadata.namespace, or the default namespace of the load
	// (LoadOptions.Namespace, "default" unless set) when the object has none.
	Namespace string
	Name      string

	// File is the file the object came from as the user named it (joined
	// under the directory the user gave), or "<stdin>". For an object built
	// by kustomize it is the file that declared the object.
	File string
	// Doc is the 0-based index of the YAML document within File.
	Doc int
	// Item is the index of the object in a kind: List's items, or -1.
	Item int

	// node is the object's mapping node, read through Node. For an object
	// outside Istio's API groups that is not a List item it is nil, and
	// lazy reads it again from the document's text when it is needed.
	node       *yaml.Node
	lazy       *lazyNode
	validation *validation // what Istio's validation said at load
	// Inspected is what LoadOptions.Inspect made of the object's tree as
	// it was read, for the caller that set it; nil otherwise.
	Inspected   any
	Labels      Attrs
	Annotations Attrs

	// Spec is the spec decoded into the istio.io/api type for the kind
	// (*networking.VirtualService and so on; v1alpha3 and v1beta1 objects
	// decode into the same types), or nil for other kinds and for API
	// versions Istio does not serve. It is decoded leniently: unknown fields
	// and values of the wrong type are skipped; Validation says what is
	// wrong with them.
	Spec proto.Message

	// Remap, when set, moves every position reported on this resource, for
	// example from a rendered manifest to the intent line that produced it.
	Remap Remapper

	// posNode is the node positions are looked up in: Node, or for an object
	// built by kustomize the object as written in File.
	posNode *yaml.Node
}

// Node returns the object's mapping node. Rules read data from Spec; they
// need Node only for fields the typed Spec does not carry, and for objects
// of kinds meshroll does not decode, for which policies may ask.
func (r *Resource) Node() *yaml.Node {
	if r.node == nil && r.lazy != nil {
		return r.lazy.get()
	}
	return r.node
}

// lazyNode is the text of a document whose tree is not kept: a million
// tiny documents of other kinds (ConfigMaps, Services) would otherwise keep
// a million trees of about 1.5 KiB each, though no built-in rule reads
// them, and the trees of Istio's objects are several times their text. The
// tree is built again when a policy or a position asks: once and kept
// (keep) for objects that policies read, each time for Istio's, whose
// rules read the typed spec and ask for a tree only to place a finding.
type lazyNode struct {
	once sync.Once
	text []byte // the document, a slice of the file's data, or nil
	// path, off, n and sum say where the document is when text is nil: n
	// bytes at offset off of the file at path, whose CRC-32 is sum.
	path   string
	off, n int
	sum    uint32
	line   int    // the line of the file the document starts on
	lim    Limits // the limits it was first read under, which it met
	keep   bool
	node   *yaml.Node
}

func (l *lazyNode) get() *yaml.Node {
	if !l.keep {
		return l.parse()
	}
	l.once.Do(func() {
		l.node = l.parse()
		l.text = nil
	})
	return l.node
}

func (l *lazyNode) parse() *yaml.Node { return l.parseInto(nil) }

// source returns the document's text: kept, or read again from its file.
// It is nil when the file no longer holds the text that was read.
func (l *lazyNode) source() []byte {
	if l.text != nil || l.path == "" {
		return l.text
	}
	data, err := input.ReadFile(l.path, l.lim.FileBytes)
	if err != nil || l.off+l.n > len(data) {
		return nil
	}
	text := data[l.off : l.off+l.n]
	if crc32.ChecksumIEEE(text) != l.sum {
		return nil
	}
	return text
}

// parseInto builds the tree in s, when not nil: valid until s's next use.
// It returns nil when the text cannot be had again (its file changed).
func (l *lazyNode) parseInto(s *yamlfast.Scratch) *yaml.Node {
	text := l.source()
	if text == nil {
		return nil
	}
	root, err := parseYAMLInto(text, s)
	if err != nil || root == nil || len(root.Content) == 0 {
		return nil // the first reading succeeded: this cannot happen
	}
	g := guard{lim: l.lim, offset: l.line - 1}
	g.walk(root, 0)
	if g.refs {
		resolve(root)
	}
	return root.Content[0]
}

// validation is what Istio's validation (internal/crd) said of an object,
// for one release.
type validation struct {
	version string // the release validated for
	errs    []crd.Error
	ok      bool // validated: the kind and version have a schema
	err     error
}

func validate(n *yaml.Node, version string) *validation {
	if version == "" {
		version = crd.DefaultVersion()
	}
	errs, ok, err := crd.ValidateFor(n, version)
	return &validation{version: version, errs: errs, ok: ok, err: err}
}

// Validation returns what Istio's validation says of the object for the
// release version: from the load when it asked for the same, else now.
func (r *Resource) Validation(version string) ([]crd.Error, bool, error) {
	if version == "" {
		version = crd.DefaultVersion()
	}
	v := r.validation
	if v == nil || v.version != version {
		n := r.Node()
		if n == nil {
			return nil, false, nil
		}
		v = validate(n, version)
	}
	return v.errs, v.ok, v.err
}

// Remapper moves the position of a finding at data path on a resource to
// where the user should fix it. at is the position in the manifest; a
// Remapper that has nothing better returns it unchanged. Rules run in
// parallel, so a Remapper must be safe for concurrent use.
type Remapper func(path string, at Position) Position

// ID is the resource as diagnostics name it: Kind/namespace/name.
func (r *Resource) ID() string { return r.Kind + "/" + r.Namespace + "/" + r.Name }

// Group is the API group of the resource: "networking.istio.io" for
// networking.istio.io/v1, "" for the core group.
func (r *Resource) Group() string {
	if i := strings.LastIndexByte(r.APIVersion, '/'); i >= 0 {
		return r.APIVersion[:i]
	}
	return ""
}

// IsIstio reports whether the resource belongs to one of Istio's API groups.
func (r *Resource) IsIstio() bool { return isIstioAPI(r.APIVersion) }

// VirtualService returns the spec of a VirtualService, or nil.
func (r *Resource) VirtualService() *networking.VirtualService {
	vs, _ := r.Spec.(*networking.VirtualService)
	return vs
}

// DestinationRule returns the spec of a DestinationRule, or nil.
func (r *Resource) DestinationRule() *networking.DestinationRule {
	dr, _ := r.Spec.(*networking.DestinationRule)
	return dr
}

// PeerAuthentication returns the spec of a PeerAuthentication, or nil.
func (r *Resource) PeerAuthentication() *security.PeerAuthentication {
	pa, _ := r.Spec.(*security.PeerAuthentication)
	return pa
}

// Position returns where the field at data path (such as
// spec.http[1].route[0].weight) is written: the value for a scalar, the key
// for a map or list, the nearest enclosing field that exists when the path
// does not exist in full. Remap, when set, has the last word.
func (r *Resource) Position(path string) Position {
	pos, _ := r.Positions(path)
	return pos
}

// Positions returns where the field at data path is reported (Position) and,
// when Remap moved it, where it is written in the manifest.
func (r *Resource) Positions(path string) (pos, origin Position) {
	pos = Position{File: r.File, Line: 1, Column: 1}
	root := r.posNode
	if root == nil {
		root = r.node
	}
	switch {
	case root != nil, r.lazy == nil:
	case r.lazy.keep:
		root = r.lazy.get()
	default:
		// A position needs the tree only for a moment: build it in memory
		// reused from finding to finding.
		s := scratches.Get().(*yamlfast.Scratch)
		defer scratches.Put(s)
		root = r.lazy.parseInto(s)
	}
	if root == nil && r.lazy != nil {
		pos.Line = r.lazy.line // the document, when its text is gone
	}
	if root != nil {
		pos.Line, pos.Column = root.Line, root.Column
		if p, err := yamlpath.Parse(path); err == nil && len(p) > 0 {
			pos.Line, pos.Column, _ = yamlpath.Position(root, p)
		}
		if pos.Line == 0 {
			pos.Line, pos.Column = 1, 1
		}
	}
	if r.Remap != nil {
		if moved := r.Remap(path, pos); moved != pos {
			pos, origin = moved, pos
		}
	}
	return pos, origin
}

// Lookup returns the node at data path in the object, or nil.
func (r *Resource) Lookup(path string) *yaml.Node {
	return yamlpath.Find(r.Node(), path)
}

// kindInfo describes a kind the loader decodes.
type kindInfo struct {
	group    string
	versions []string
	newSpec  func() proto.Message
}

var (
	networkingVersions = []string{"v1alpha3", "v1beta1", "v1"}
	securityVersions   = []string{"v1beta1", "v1"}
)

// istioKinds returns the Istio kinds whose spec the loader decodes, with the
// API versions Istio serves for them. The table is built once and only read.
var istioKinds = sync.OnceValue(buildIstioKinds)

func buildIstioKinds() map[string]kindInfo {
	return map[string]kindInfo{
		"VirtualService":        {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.VirtualService{} }},
		"DestinationRule":       {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.DestinationRule{} }},
		"Gateway":               {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.Gateway{} }},
		"ServiceEntry":          {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.ServiceEntry{} }},
		"Sidecar":               {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.Sidecar{} }},
		"WorkloadEntry":         {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.WorkloadEntry{} }},
		"WorkloadGroup":         {"networking.istio.io", networkingVersions, func() proto.Message { return &networking.WorkloadGroup{} }},
		"EnvoyFilter":           {"networking.istio.io", []string{"v1alpha3"}, func() proto.Message { return &networkingv1alpha3.EnvoyFilter{} }},
		"PeerAuthentication":    {"security.istio.io", securityVersions, func() proto.Message { return &security.PeerAuthentication{} }},
		"AuthorizationPolicy":   {"security.istio.io", securityVersions, func() proto.Message { return &security.AuthorizationPolicy{} }},
		"RequestAuthentication": {"security.istio.io", securityVersions, func() proto.Message { return &security.RequestAuthentication{} }},
	}
}

// Attrs are the labels or annotations of an object: its keys and values in
// turn (k0, v0, k1, v1, ...), in the order of the file. A slice of strings
// cut from one copy of their text, rather than a map: 127,000 objects kept
// two small maps each, about a quarter of what lint kept.
type Attrs []string

// attrs reads a map of strings such as labels; other values are skipped.
func attrs(n *yaml.Node) Attrs {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	size := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Kind == yaml.ScalarNode && v.Kind == yaml.ScalarNode {
			size += len(k.Value) + len(v.Value)
		}
	}
	var b strings.Builder
	b.Grow(size)
	a := make(Attrs, 0, len(n.Content))
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], n.Content[i+1]; k.Kind == yaml.ScalarNode && v.Kind == yaml.ScalarNode {
			at := b.Len()
			b.WriteString(k.Value)
			b.WriteString(v.Value)
			all := b.String() // the text so far: Grow made room for all of it
			a = append(a, all[at:at+len(k.Value)], all[at+len(k.Value):])
		}
	}
	return a
}

// Lookup returns the value of key; the last one when the key repeats, as a
// YAML decoder keeps.
func (a Attrs) Lookup(key string) (string, bool) {
	for i := len(a) - 2; i >= 0; i -= 2 {
		if a[i] == key {
			return a[i+1], true
		}
	}
	return "", false
}

// Get returns the value of key, or "".
func (a Attrs) Get(key string) string {
	v, _ := a.Lookup(key)
	return v
}

// Map returns the keys and values as a map.
func (a Attrs) Map() map[string]string {
	m := make(map[string]string, len(a)/2)
	for i := 0; i+1 < len(a); i += 2 {
		m[a[i]] = a[i+1]
	}
	return m
}

// Without returns a without key.
func (a Attrs) Without(key string) Attrs {
	out := a[:0:0]
	for i := 0; i+1 < len(a); i += 2 {
		if a[i] != key {
			out = append(out, a[i], a[i+1])
		}
	}
	return out
}
