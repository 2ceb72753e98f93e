package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	cuejson "cuelang.org/go/encoding/json"
	cueyaml "cuelang.org/go/encoding/yaml"
	"github.com/meshroll/meshroll/internal/bound"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/pool"
)

// Source is the CUE schema of intent files, embedded in the binary.
//
//go:embed intent.cue
var Source []byte

// SchemaFile is the name positions in Source are reported under.
const SchemaFile = "meshroll/schema/intent.cue"

// maxFileSize bounds an intent file; intent for thousands of rollouts fits
// well within it, and hostile input cannot exhaust memory through it.
const maxFileSize = 32 << 20

var compiled = sync.OnceValues(func() (*Checker, error) { return Compile(SchemaFile, Source) })

// Schema returns the compiled intent schema.
func Schema() (*Checker, error) { return compiled() }

// Extensions lists the file name extensions of intent files.
var Extensions = []string{".cue", ".json", ".yaml", ".yml"}

// IsIntentFile reports whether name ends in an intent file's extension.
func IsIntentFile(name string) bool {
	return indexOf(Extensions, strings.ToLower(filepath.Ext(name))) >= 0
}

// LoadOptions control Load.
type LoadOptions struct {
	// Exclude leaves out the files and directories it matches in walks.
	Exclude *input.Exclude
}

// Load reads the intent files in paths (files, or directories searched
// recursively under the policy of package input: hidden entries and cue.mod
// skipped, symbolic links followed inside the repository), validates them,
// and returns the rollouts. Any problem yields an Errors holding every
// problem found, each at the position of the offending value. A directory
// that holds no intent file is an error: an empty source is never read as
// "no rollouts".
func Load(paths []string) (*Intent, error) { return LoadWith(paths, LoadOptions{}) }

// LoadWith is Load with options.
func LoadWith(paths []string, opts LoadOptions) (*Intent, error) {
	files, errs := collect(paths, opts)
	if len(errs) > 0 {
		return nil, errs
	}
	return load(readAll(files))
}

// File is an intent file given by its content.
type File struct {
	// Path names the file in positions; its directory and extension group
	// and parse it as on disk.
	Path string
	Data []byte
}

// LoadFiles is Load of files held in memory, as they would be on disk at
// their paths: for intent at a git revision, or checking an edit before it
// is written.
func LoadFiles(files []File) (*Intent, error) {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	srcs := make([]*source, len(sorted))
	for i, f := range sorted {
		if !IsIntentFile(f.Path) {
			return nil, Errors{{Pos: Pos{File: f.Path}, Msg: "is not an intent file; intent files end in " + orList(Extensions)}}
		}
		srcs[i] = parseData(f.Path, f.Data)
	}
	return load(srcs)
}

// load validates parsed intent files and decodes their rollouts.
func load(srcs []*source) (*Intent, error) {
	chk, err := Schema()
	if err != nil {
		return nil, fmt.Errorf("meshroll's intent schema does not compile: %w", err)
	}
	var errs Errors
	for _, s := range srcs {
		if s.err != nil {
			errs = append(errs, s.err...)
		}
	}
	l := &loader{chk: chk, dec: &decoder{ladder: chk.Data("#DefaultLadder")}}
	l.loadGroups(group(srcs), bound.Default())
	errs = append(errs, l.dec.errs...)
	in := &Intent{Rollouts: l.rollouts, Mesh: l.mesh}
	errs = append(errs, crossCheck(in)...)
	if len(errs) > 0 {
		errs.sort()
		return nil, errs.dedupe()
	}
	sort.Slice(in.Rollouts, func(i, j int) bool {
		a, b := in.Rollouts[i], in.Rollouts[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return in, nil
}

// WalkOptions are the options of a walk for intent files: the same for the
// working tree and for a git revision.
func WalkOptions(exclude *input.Exclude) input.Options {
	return input.Options{Extensions: Extensions, SkipDirs: []string{"cue.mod"}, Exclude: exclude}
}

// collect expands paths into the list of intent files to read.
func collect(paths []string, opts LoadOptions) ([]string, Errors) {
	if len(paths) == 0 {
		return nil, Errors{{Msg: "no intent files or directories given"}}
	}
	entries, err := input.Walk(paths, WalkOptions(opts.Exclude))
	var errs Errors
	for _, p := range input.Problems(err) {
		errs = append(errs, Error{Pos: Pos{File: p.Path}, Msg: p.Msg})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	found := map[string]int{}
	var files []string
	for _, e := range entries {
		found[e.Arg]++
		if e.Path == e.Arg && !IsIntentFile(e.Path) {
			errs = append(errs, Error{Pos: Pos{File: e.Path}, Msg: "is not an intent file; intent files end in " + orList(Extensions)})
			continue
		}
		files = append(files, e.Path)
	}
	for _, p := range paths {
		if found[p] == 0 {
			if fi, err := os.Stat(p); err == nil && fi.IsDir() {
				errs = append(errs, Error{Pos: Pos{File: p}, Msg: "holds no intent files (" + strings.Join(Extensions, ", ") + "); name the directory that holds them"})
			}
		}
	}
	return files, errs
}

// source is one intent file, read and parsed.
type source struct {
	path string
	data []byte    // the content, for evaluation in a child process
	file *ast.File // parsed CUE, or YAML/JSON extracted as CUE
	pkg  string    // the CUE package; "" for data files and files without one
	err  Errors
}

// readAll reads and parses files concurrently; the result keeps their order.
func readAll(files []string) []*source {
	srcs := make([]*source, len(files))
	pool.Run(len(files), 0, func(i int) error {
		srcs[i] = parse(files[i])
		return nil
	})
	return srcs
}

func parse(path string) *source {
	s := &source{path: path}
	fail := func(p Pos, msg string) *source {
		s.err = append(s.err, Error{Pos: p, Msg: msg})
		return s
	}
	data, err := input.ReadFile(path, maxFileSize)
	var big *input.TooLargeError
	switch {
	case errors.As(err, &big):
		return fail(Pos{File: path}, fmt.Sprintf("is larger than %d bytes, the limit for an intent file", maxFileSize))
	case err != nil:
		return fail(Pos{File: path}, input.Describe(err))
	}
	return parseData(path, data)
}

// parseData parses the content of the intent file at path.
func parseData(path string, data []byte) *source {
	s := &source{path: path, data: data}
	fail := func(p Pos, msg string) *source {
		s.err = append(s.err, Error{Pos: p, Msg: msg})
		return s
	}
	if len(data) > maxFileSize {
		return fail(Pos{File: path}, fmt.Sprintf("is %d bytes; intent files are at most %d", len(data), maxFileSize))
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".cue":
		f, err := parser.ParseFile(path, data, parser.ParseComments)
		if err != nil {
			s.err = cueErrors(err)
			return s
		}
		s.file = f
		s.pkg = f.PackageName()
		for _, a := range embedAttrs(f) {
			fail(posOf(a.Pos()), fmt.Sprintf("%s: intent files may not embed other files; write the value into the intent", a.Text))
		}
		for spec := range f.ImportSpecs() {
			p, _ := literal.Unquote(spec.Path.Value)
			if first, _, _ := strings.Cut(p, "/"); strings.Contains(first, ".") {
				fail(posOf(spec.Pos()), fmt.Sprintf("imports %q: intent files may import only CUE's standard library; meshroll reads no modules", p))
			}
		}
	case ".json":
		if err := checkJSON(path, data); err != nil {
			s.err = Errors{*err}
			return s
		}
		if bytes.HasPrefix(data, utf8BOM) {
			// A byte order mark is accepted, as for YAML and CUE; spaces
			// in its place keep every later column where it was.
			data = append([]byte("   "), data[len(utf8BOM):]...)
		}
		x, err := cuejson.Extract(path, data)
		if err != nil {
			s.err = cueErrors(err)
			return s
		}
		f, err := astutilFile(x)
		if err != nil {
			return fail(Pos{File: path}, err.Error())
		}
		s.file = f
	default:
		f, err := extractYAML(path, data)
		if err != nil {
			s.err = yamlErrors(path, data, err)
			return s
		}
		s.file = f
	}
	return s
}

// embedAttrs returns the attributes of a CUE file that would make CUE read
// other files: @extern(embed) and the @embed fields it enables. meshroll
// reads only the intent files it is given; CUE refuses them too, outside a
// module, but without a position.
func embedAttrs(f *ast.File) []*ast.Attribute {
	var out []*ast.Attribute
	ast.Walk(f, func(n ast.Node) bool {
		if a, ok := n.(*ast.Attribute); ok {
			if k, body := a.Split(); k == "embed" || (k == "extern" && strings.TrimSpace(body) == "embed") {
				out = append(out, a)
			}
		}
		return true
	}, nil)
	return out
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// checkJSON finds the first syntax error of a JSON intent file, with the
// reason encoding/json gives, or its first byte that is not UTF-8.
//
// CUE reads JSON with its own parser, which reports each stray byte of a
// string as an error and keeps its list of errors free of repeats by a
// search of the list: a run of NUL or invalid UTF-8 bytes took it
// quadratic time (60 KB: 18 s). Checked here first, a bad file fails in
// linear time, at the first bad byte, with a reason.
func checkJSON(path string, data []byte) *Error {
	body := bytes.TrimPrefix(data, utf8BOM)
	skip := len(data) - len(body)
	if !json.Valid(body) {
		var x any
		err := json.Unmarshal(body, &x)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off := skip + max(int(se.Offset)-1, 0)
			return &Error{Pos: offsetPos(path, data, off), Msg: "invalid JSON: " + se.Error()}
		}
		msg := "invalid JSON"
		if err != nil {
			msg += ": " + err.Error()
		}
		return &Error{Pos: offsetPos(path, data, len(data)), Msg: msg}
	}
	if !utf8.Valid(body) {
		off := skip
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			off += size
		}
		return &Error{Pos: offsetPos(path, data, off), Msg: fmt.Sprintf("byte %#x is not UTF-8; intent files are UTF-8 text", data[off])}
	}
	return nil
}

// offsetPos is the line and column (in bytes, from 1) of a byte offset.
func offsetPos(path string, data []byte, off int) Pos {
	off = min(off, len(data))
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - (bytes.LastIndexByte(data[:off], '\n') + 1) + 1
	return Pos{File: path, Line: line, Col: col}
}

// extractYAML reads YAML intent as CUE. YAML counts a lone carriage return
// as a line break, as it does CRLF, and folds both to a newline in values;
// CUE's YAML reader counts only newlines when it places values and panicked
// on "\r\r0", so line breaks are made newlines first. The recover stands
// guard for any other input the reader cannot take: no input may crash
// meshroll.
func extractYAML(path string, data []byte) (f *ast.File, err error) {
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the YAML reader failed on this file (%v)", r)
		}
	}()
	return cueyaml.Extract(path, data)
}

// astutilFile wraps the top-level struct of a JSON document as a file.
func astutilFile(x ast.Expr) (*ast.File, error) {
	st, ok := x.(*ast.StructLit)
	if !ok {
		return nil, errors.New("must hold a JSON object at the top level")
	}
	return &ast.File{Decls: st.Elts}, nil
}

// group gathers the CUE files of one package in one directory, which CUE
// evaluates as one instance. Every other file stands alone.
func group(srcs []*source) [][]*source {
	var groups [][]*source
	byPkg := map[string]int{}
	for _, s := range srcs {
		if s.file == nil || len(s.err) > 0 {
			continue
		}
		if s.pkg == "" || s.pkg == "_" {
			groups = append(groups, []*source{s})
			continue
		}
		key := filepath.Dir(s.path) + "\x00" + s.pkg
		if i, ok := byPkg[key]; ok {
			groups[i] = append(groups[i], s)
			continue
		}
		byPkg[key] = len(groups)
		groups = append(groups, []*source{s})
	}
	return groups
}

// loader decodes the rollouts of groups of intent files.
type loader struct {
	chk      *Checker
	dec      *decoder
	rollouts []*Rollout
	mesh     *Mesh
}

// loadGroups reads the tree of every group — straight from its syntax when
// it is plain data, else evaluated by CUE under lim — and decodes them in
// order.
func (l *loader) loadGroups(groups [][]*source, lim bound.Limits) {
	trees := make([]*Node, len(groups))
	var cueGroups [][]*source
	var at []int
	for i, g := range groups {
		root, ok := dataTree(g)
		if ok {
			trees[i] = root
			continue
		}
		cueGroups = append(cueGroups, g)
		at = append(at, i)
	}
	if len(cueGroups) > 0 {
		evaluated, errs := evaluateAll(cueGroups, lim)
		for j, i := range at {
			trees[i] = evaluated[j]
			l.dec.errs = append(l.dec.errs, errs[j]...)
		}
	}
	for i, g := range groups {
		if trees[i] != nil {
			l.decode(g, trees[i])
		}
	}
}

// decode checks a group's tree against the schema and decodes its rollouts.
func (l *loader) decode(g []*source, root *Node) {
	// Rollouts that break the schema are decoded too, so that one run
	// reports every problem.
	violations := l.chk.Check(root)
	schemaAt := map[Pos]bool{}
	for _, vi := range violations {
		l.dec.errs = append(l.dec.errs, Error{Pos: vi.Pos, Msg: violationMessage(root, vi)})
		schemaAt[vi.Pos] = true
	}
	before := len(l.dec.errs)
	for _, f := range root.Get("rollouts").Map() {
		file := f.Value.Pos.File
		if file == "" {
			file = g[0].path
		}
		l.rollouts = append(l.rollouts, l.dec.rollout(f.Name, f.Value, file, Path{"rollouts", f.Name}))
	}
	// A problem beyond the schema on a line the schema already faults is
	// a consequence of that fault (a missing value, a value of the wrong
	// kind), and so is one without a position.
	type line struct {
		file string
		n    int
	}
	faulted := map[line]bool{}
	for p := range schemaAt {
		faulted[line{p.File, p.Line}] = true
	}
	kept := l.dec.errs[:before]
	for _, e := range l.dec.errs[before:] {
		if len(violations) > 0 && (!e.Pos.IsValid() || faulted[line{e.Pos.File, e.Pos.Line}]) {
			continue
		}
		kept = append(kept, e)
	}
	l.dec.errs = kept
	if m := root.Get("mesh"); m != nil && m.Kind == Struct {
		mesh := &Mesh{RootNamespace: str(m.Get("rootNamespace"), DefaultRootNamespace), MTLS: str(m.Get("mtls"), DefaultMTLS), Pos: m.Pos, node: m}
		if l.mesh != nil && (l.mesh.RootNamespace != mesh.RootNamespace || l.mesh.MTLS != mesh.MTLS) {
			l.dec.errorf(m.Pos, "mesh is declared again with other values (first at %s); declare it once", l.mesh.Pos)
		}
		if l.mesh == nil {
			l.mesh = mesh
		}
	}
}

// cueErrors converts CUE errors into Errors at the first position of each,
// naming the others in the message.
func cueErrors(err error) Errors {
	var out Errors
	for _, e := range cueerrors.Errors(err) {
		var ps []Pos
		for _, tp := range cueerrors.Positions(e) {
			if pp := posOf(tp); pp.IsValid() && indexOfPos(ps, pp) < 0 {
				ps = append(ps, pp)
			}
		}
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if path := e.Path(); len(path) > 0 {
			msg = strings.Join(path, ".") + ": " + msg
		}
		var p Pos
		if len(ps) > 0 {
			p = ps[0]
			for i, q := range ps[1:] {
				if i == 0 {
					msg += " (see also "
				} else {
					msg += ", "
				}
				msg += q.String()
			}
			if len(ps) > 1 {
				msg += ")"
			}
		}
		out = append(out, Error{Pos: p, Msg: msg})
	}
	return out
}

func indexOfPos(ps []Pos, p Pos) int {
	for i, q := range ps {
		if q == p {
			return i
		}
	}
	return -1
}

// violationMessage turns a schema violation into a sentence naming the
// rollout and field.
func violationMessage(root *Node, v Violation) string {
	field := func(p Path) string {
		if len(p) == 0 {
			return "the file"
		}
		return p.String()
	}
	subject, rel := "", v.Path
	if len(v.Path) >= 2 && v.Path[0] == "rollouts" {
		subject, rel = fmt.Sprintf("rollout %s: ", v.Path[1]), v.Path[2:]
		rn := root.Get("rollouts").Get(v.Path[1].(string))
		// A ladder step reads best in the ladder's terms.
		if len(rel) == 3 && rel[0] == "phases" && rel[2] == "canaryWeight" && v.Kind == Invalid {
			if i, ok := rel[1].(int); ok {
				if p := rn.Get("phases"); p != nil && i < len(p.Elems) {
					name := p.Elems[i].Get("name")
					w := p.Elems[i].Get("canaryWeight")
					if name != nil && name.Kind == String && w != nil && (w.Kind == Int || w.Kind == Float) {
						return fmt.Sprintf("%sphase %s sends %s%% to the canary; a weight is a whole number from 0 to 100", subject, name.Str, formatNum(w.Num))
					}
				}
			}
		}
	}
	switch v.Kind {
	case Unknown:
		name := rel[len(rel)-1]
		where := ""
		if len(rel) > 1 {
			where = " in " + rel[:len(rel)-1].String()
		}
		return fmt.Sprintf("%sunknown field %q%s: it %s", subject, name, where, v.Msg)
	case Missing:
		return fmt.Sprintf("%s%s is required", subject, field(rel))
	}
	return fmt.Sprintf("%s%s %s", subject, field(rel), v.Msg)
}

// crossCheck finds conflicts between rollouts: one rollout declared twice,
// two rollouts claiming one host, namespaces asked for two mTLS modes.
func crossCheck(in *Intent) Errors {
	var errs Errors
	rs := append([]*Rollout(nil), in.Rollouts...)
	sort.SliceStable(rs, func(i, j int) bool { return lessPos(rs[i].node.Pos, rs[j].node.Pos) })
	ids := map[string]*Rollout{}
	hosts := map[string]*Rollout{}
	mtls := map[string]*Rollout{}
	for _, r := range rs {
		if first, ok := ids[r.ID()]; ok {
			errs = append(errs, Error{Pos: r.node.Pos, Msg: fmt.Sprintf("rollout %s in namespace %s is declared again (first at %s); declare each rollout once", r.Name, r.Namespace, first.node.Pos)})
			continue
		}
		ids[r.ID()] = r
		claims := append([]string{r.Host}, r.Hosts...)
		for i, h := range claims {
			key := FQDN(h, r.Namespace)
			if first, ok := hosts[key]; ok && first != r {
				p := r.Pos("host")
				if i > 0 {
					p = r.Pos("hosts", i-1)
				}
				errs = append(errs, Error{Pos: p, Msg: fmt.Sprintf("rollout %s claims host %s, which rollout %s (%s) already routes; a host has one rollout", r.Name, h, first.Name, first.node.Pos)})
				continue
			}
			hosts[key] = r
		}
		if first, ok := mtls[r.Namespace]; ok && first.MTLS != r.MTLS {
			errs = append(errs, Error{Pos: r.Pos("mtls"), Msg: fmt.Sprintf("rollout %s asks for mtls %s in namespace %s, but rollout %s (%s) asks for %s; the namespace has one PeerAuthentication", r.Name, r.MTLS, r.Namespace, first.Name, first.Pos("mtls"), first.MTLS)})
			continue
		}
		mtls[r.Namespace] = r
	}
	if m := in.Mesh; m != nil {
		if r, ok := mtls[m.RootNamespace]; ok && r.MTLS != m.MTLS {
			errs = append(errs, Error{Pos: r.Pos("mtls"), Msg: fmt.Sprintf("rollout %s asks for mtls %s in the root namespace %s, but mesh (%s) asks for %s; the namespace has one PeerAuthentication", r.Name, r.MTLS, m.RootNamespace, m.Pos, m.MTLS)})
		}
	}
	return errs
}

// FQDN resolves a host as Istio does for a resource in namespace ns
// (ResolveShortnameToFQDN in pilot/pkg/model): a name without a dot is a
// service of ns; every other name, name.ns and name.ns.svc included, stands
// as written, since Istio does not complete it (lint's MR106 reports such
// names). manifest.ResolveHost resolves the same way.
func FQDN(host, ns string) string {
	if host == "" || strings.HasPrefix(host, "*") || strings.Contains(host, ".") {
		return host
	}
	return host + "." + ns + ".svc.cluster.local"
}
