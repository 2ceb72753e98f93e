package manifest

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/yamlfast"

	"github.com/meshroll/meshroll/internal/yamlproto"
)

// Parse reads the YAML or JSON manifests in data, named file in diagnostics.
// It never fails: what cannot be read becomes an MR900 diagnostic.
func Parse(file string, data []byte, opts LoadOptions) *Manifests {
	return parseFrom(file, "", data, opts)
}

// parseFrom is Parse of data read from the file at path, when path is not
// "": the text of Istio's objects is not kept, but read again from the file
// when a position is asked for (see lazyNode).
func parseFrom(file, path string, data []byte, opts LoadOptions) *Manifests {
	s := scratches.Get().(*yamlfast.Scratch)
	defer scratches.Put(s)
	p := &parser{file: file, path: path, opts: opts, lim: opts.Limits.withDefaults(), kinds: istioKinds(), scratch: s}
	p.out.Files = []string{file}
	p.parse(data)
	return &p.out
}

// scratches are the memory documents are parsed into, reused from file to
// file: no tree parsed into it outlives the Parse that parsed it (see
// lazyNode), and a slab of nodes for each of thousands of files was most of
// what loading allocated.
var scratches = sync.Pool{New: func() any { return new(yamlfast.Scratch) }}

type parser struct {
	file    string
	path    string // the file to read a document's text again from, or ""
	base    int    // the offset in the file of the data parsed (after a BOM)
	opts    LoadOptions
	lim     Limits
	kinds   map[string]kindInfo
	out     Manifests
	scratch *yamlfast.Scratch
}

func (p *parser) invalid(line int, format string, args ...any) {
	p.invalidAt(line, 1, format, args...)
}

func (p *parser) invalidAt(line, column int, format string, args ...any) {
	p.out.Problems = append(p.out.Problems, Problem{
		Kind:     Invalid,
		Position: Position{File: p.file, Line: max(line, 1), Column: max(column, 1)},
		Message:  fmt.Sprintf(format, args...),
	})
}

func (p *parser) parse(data []byte) {
	if int64(len(data)) > p.lim.FileBytes {
		p.invalid(1, "file is larger than %d bytes: split it", p.lim.FileBytes)
		return
	}
	orig := data
	data, err := toUTF8(data)
	if err != nil {
		p.invalid(1, "%v", err)
		return
	}
	switch {
	case len(data) == len(orig):
	case len(data) == len(orig)-3 && (len(data) == 0 || &data[0] == &orig[3]):
		p.base = 3 // a byte order mark
	default:
		p.path = "" // converted from UTF-16: offsets are not the file's
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		p.invalid(lineAt(data, i), "file holds a NUL byte: it is binary, not YAML or JSON")
		return
	}
	if !utf8.Valid(data) {
		p.invalid(lineAt(data, invalidUTF8At(data)), "file is not UTF-8 text: save it as UTF-8")
		return
	}
	doc := 0
	for _, c := range splitDocuments(data) {
		if c.content && p.document(c, doc) {
			doc++
		}
	}
}

// toUTF8 drops a UTF-8 byte order mark and converts UTF-16 text that starts
// with one, which YAML allows.
func toUTF8(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if len(data)%2 != 0 {
			return nil, fmt.Errorf("file has a UTF-16 byte order mark but an odd length")
		}
		be := data[0] == 0xFE
		u := make([]uint16, 0, len(data)/2-1)
		for i := 2; i+1 < len(data); i += 2 {
			if be {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			} else {
				u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
			}
		}
		return []byte(string(utf16.Decode(u))), nil
	}
	return data, nil
}

func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(data)
}

func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:offset], []byte{'\n'}) + 1
}

// chunk is the text of one YAML document and the line it starts on.
type chunk struct {
	text    []byte
	off     int // the offset of text in the data
	line    int
	content bool // more than markers, comments, directives and blank lines
}

// splitDocuments cuts a YAML stream into documents at the lines that start
// with the markers "---" or "..." followed by a blank or the end of the line,
// which YAML forbids inside any scalar; so each document can be parsed, and
// fail, on its own. Comments and directives before a "---" stay with the
// document it starts.
func splitDocuments(data []byte) []chunk {
	var chunks []chunk
	start, startLine, line := 0, 1, 1
	content := false // the current chunk holds more than comments, directives and blanks
	started := false // the current chunk has its "---"
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += off + 1
		}
		l := data[off:end]
		switch {
		case isMarker(l, "---"):
			if content || started {
				chunks = append(chunks, chunk{data[start:off], start, startLine, content})
				start, startLine = off, line
			}
			content = len(bytes.TrimSpace(stripComment(l[3:]))) > 0
			started = true
		case isMarker(l, "..."):
			chunks = append(chunks, chunk{data[start:end], start, startLine, content})
			start, startLine, content, started = end, line+1, false, false
		default:
			t := bytes.TrimSpace(l)
			if len(t) > 0 && t[0] != '#' && !(t[0] == '%' && l[0] == '%') {
				content = true
			}
		}
		off = end
	}
	if start < len(data) {
		chunks = append(chunks, chunk{data[start:], start, startLine, content})
	}
	return chunks
}

func isMarker(line []byte, m string) bool {
	if !bytes.HasPrefix(line, []byte(m)) {
		return false
	}
	rest := line[len(m):]
	return len(rest) == 0 || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\r' || rest[0] == '\n'
}

func stripComment(b []byte) []byte {
	if i := bytes.IndexByte(b, '#'); i >= 0 {
		return b[:i]
	}
	return b
}

// template reports a document that is a template (Helm's, or any Go
// template), which is not YAML until rendered: it does not parse (err), or
// an action where a value starts, {{ .x }}, reads as a map with a map for a
// key (root), which no manifest has. It says so, as MR903, rather than
// report the template's syntax as broken, and returns whether it did.
func (p *parser) template(c chunk, root *yaml.Node, err error) bool {
	if !bytes.Contains(c.text, []byte("{{")) || (err == nil && !mapKeyed(root)) {
		return false
	}
	loc := templateAction.FindIndex(c.text)
	if loc == nil {
		return false
	}
	p.out.Problems = append(p.out.Problems, Problem{
		Kind:     Skipped,
		Position: Position{File: p.file, Line: c.line + bytes.Count(c.text[:loc[0]], []byte{'\n'}), Column: 1},
		Message:  "this document is a template ({{ ... }}), not YAML until it is rendered: lint the rendered output instead, such as helm template ... | meshroll lint -",
	})
	return true
}

// mapKeyed reports whether a mapping below n has a mapping for a key.
func mapKeyed(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Kind == yaml.MappingNode {
				return true
			}
		}
	}
	for _, c := range n.Content {
		if mapKeyed(c) {
			return true
		}
	}
	return false
}

// templateAction matches the start of a Go template action, as Helm charts
// hold: {{ .Values.x }}, {{- include "a" . }}, {{ $x }}.
var templateAction = regexp.MustCompile(`\{\{-?\s*[\w.$("/]`)

var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): `)

// parserProblems start the messages of yaml.v3's parser (as opposed to its
// scanner), whose line numbers are 0-based.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected key", "did not find expected node content",
	"found duplicate %YAML directive", "found incompatible YAML document", "found undefined tag handle",
	"found duplicate %TAG directive", "did not find expected <stream-start>",
}

// errorLine returns the file line and message of a yaml.v3 error in a chunk
// that starts on line start.
func errorLine(err error, start int) (int, string) {
	msg := err.Error()
	line := start
	if m := yamlErrLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		msg = strings.TrimPrefix(msg, m[0])
		for _, p := range parserProblems {
			if strings.HasPrefix(msg, p) {
				n++
				break
			}
		}
		line = start + n - 1
	}
	return line, strings.TrimPrefix(msg, "yaml: ")
}

// document parses one chunk and adds its objects; it reports whether the
// chunk held a document (rather than only comments).
func (p *parser) document(c chunk, index int) bool {
	if len(c.text) > p.lim.DocumentBytes {
		p.invalid(c.line, "YAML document is larger than %d bytes: split it", p.lim.DocumentBytes)
		return true
	}
	// A document is parsed into reused memory: its tree is not kept (see
	// lazyNode). Should it turn out to be a List, whose items keep their
	// trees, it is parsed again to be kept.
	root, ok := p.tree(c, true)
	if !ok || p.template(c, root, nil) {
		return true
	}
	if root == nil || len(root.Content) == 0 || root.Content[0].ShortTag() == "!!null" {
		return false
	}
	obj := root.Content[0]
	if obj.Kind != yaml.MappingNode {
		return true // not a Kubernetes object: nothing to lint
	}
	kind := scalar(field(obj, "kind"))
	list := kind == "List" || strings.HasSuffix(kind, "List")
	if list {
		root, _ = p.tree(c, false)
		obj = root.Content[0]
	}
	if list {
		if items := field(obj, "items"); items != nil && items.Kind == yaml.SequenceNode {
			for i, it := range items.Content {
				if it.Kind != yaml.MappingNode {
					continue
				}
				if r := p.object(it, index, i); r != nil && p.opts.Inspect != nil {
					p.opts.Inspect(r, it)
				}
			}
			return true
		}
	}
	if r := p.object(obj, index, -1); r != nil {
		// The tree is not kept: an Istio object is read into its typed
		// spec and validated now, and the tree of any object is built again
		// from the document's text when a policy or a finding's position
		// asks (see lazyNode). What lint keeps is in proportion to the
		// input's text, not to its trees.
		if r.IsIstio() {
			r.validation = validate(r.node, p.opts.IstioVersion)
		}
		if p.opts.Inspect != nil {
			p.opts.Inspect(r, r.node)
		}
		r.lazy = p.lazy(c, !r.IsIstio())
		r.node = nil
	}
	return true
}

// lazy keeps what builds the tree of a document again: its text, or for an
// Istio object read from a file, where the text is in the file. Istio's
// objects are read through their typed spec, and their trees are built again
// only to place a finding, so their text need not stay in memory: the file
// is read again then, and checked to hold the same text.
func (p *parser) lazy(c chunk, keep bool) *lazyNode {
	l := &lazyNode{text: c.text, line: c.line, lim: p.lim, keep: keep}
	if !keep && p.path != "" {
		l.text, l.path, l.off, l.n, l.sum = nil, p.path, p.base+c.off, len(c.text), crc32.ChecksumIEEE(c.text)
	}
	return l
}

// tree parses a document, into the parser's reused memory when disposable,
// checks it against the limits and moves its lines to the file's. ok is
// false when it failed, reported.
func (p *parser) tree(c chunk, disposable bool) (root *yaml.Node, ok bool) {
	var err error
	if disposable {
		root, err = parseYAMLInto(c.text, p.scratch)
	} else {
		root, err = parseYAML(c.text)
	}
	if err != nil {
		if p.template(c, nil, err) {
			return nil, false
		}
		line, msg := errorLine(err, c.line)
		p.invalid(line, "YAML does not parse: %s", msg)
		return nil, false
	}
	if root == nil {
		return nil, true
	}
	g := guard{lim: p.lim, offset: c.line - 1}
	if _, err := g.walk(root, 0); err != nil {
		p.invalid(g.errLine, "%v", err)
		return nil, false
	}
	if g.refs {
		if at, err := resolve(root); err != nil {
			p.invalidAt(at.Line, at.Column, "%v", err)
			return nil, false
		}
	}
	return root, true
}

// isIstioAPI reports whether an apiVersion is in one of Istio's API groups.
func isIstioAPI(apiVersion string) bool {
	g := (&Resource{APIVersion: apiVersion}).Group()
	return g == "istio.io" || strings.HasSuffix(g, ".istio.io")
}

// parseYAML parses one document: the plain block shape of most manifests
// with internal/yamlfast, which builds yaml.v3's tree several times faster,
// anything else with yaml.v3. yaml.v3 recovers its own panics; the recover
// here guards against any it does not, since no input may crash the linter.
func parseYAML(text []byte) (root *yaml.Node, err error) {
	return parseYAMLInto(text, nil)
}

// parseYAMLInto is parseYAML into reused memory, when s is not nil (see
// yamlfast.Scratch).
func parseYAMLInto(text []byte, s *yamlfast.Scratch) (root *yaml.Node, err error) {
	if n, ok := yamlfast.ParseScratch(text, s); ok {
		return n, nil
	}
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	var n yaml.Node
	if err := yaml.Unmarshal(text, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// field returns the value of key in mapping n, a resolved tree, or nil.
func field(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// stringMap reads a map of strings such as labels; other values are skipped.
func stringMap(n *yaml.Node) map[string]string { return attrs(n).Map() }

// object adds the object at n, when it is a Kubernetes object, and returns
// it.
func (p *parser) object(n *yaml.Node, doc, item int) *Resource {
	apiVersion, kind := scalar(field(n, "apiVersion")), scalar(field(n, "kind"))
	if apiVersion == "" || kind == "" {
		return nil
	}
	meta := field(n, "metadata")
	// The strings a Resource keeps are copies: the tree's share the file's
	// text, which is not kept (see lazyNode).
	r := &Resource{
		APIVersion:  strings.Clone(apiVersion),
		Kind:        strings.Clone(kind),
		Name:        strings.Clone(scalar(field(meta, "name"))),
		Namespace:   strings.Clone(scalar(field(meta, "namespace"))),
		File:        p.file,
		Doc:         doc,
		Item:        item,
		node:        n,
		Labels:      attrs(field(meta, "labels")),
		Annotations: attrs(field(meta, "annotations")),
	}
	if r.Namespace == "" {
		r.Namespace = p.opts.namespace()
	}
	decodeSpec(r, p.kinds)
	p.out.Resources = append(p.out.Resources, r)
	return r
}

// decodeSpec fills r.Spec for the Istio kinds the loader knows, in the API
// versions Istio serves. It only decodes: what is invalid, the version
// included, is internal/crd's to say (MR900).
func decodeSpec(r *Resource, kinds map[string]kindInfo) {
	info, ok := kinds[r.Kind]
	group, version, _ := strings.Cut(r.APIVersion, "/")
	if !ok || group != info.group {
		return
	}
	served := false
	for _, v := range info.versions {
		served = served || v == version
	}
	if !served {
		return
	}
	msg := info.newSpec()
	if spec := field(r.node, "spec"); spec != nil {
		yamlproto.Decode(spec, msg.ProtoReflect())
	}
	r.Spec = msg
}
