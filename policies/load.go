package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/meshroll/meshroll/internal/bound"
	"github.com/meshroll/meshroll/internal/cueplan"
)

// contractSource is the CUE schema every policy package must satisfy.
//
//go:embed contract.cue
var contractSource []byte

// contractFile names the contract in CUE positions, so that errors can be
// placed in the user's file instead.
const contractFile = "meshroll/policies/contract.cue"

// builtinFS holds meshroll's own policies.
//
//go:embed builtin/*.cue
var builtinFS embed.FS

// File is one policy source file: its name as errors should show it, and its
// content.
type File struct {
	Name string
	Data []byte
}

// Package is the .cue files of one policy directory, which CUE reads as one
// package.
type Package struct {
	Dir   string
	Files []File
}

// maxFileSize bounds a policy file; policies are small, and a bound keeps a
// stray large file from exhausting memory.
const maxFileSize = 1 << 20

// idPattern is the form of a policy ID: capital letters, then digits
// (ACME001, MR401).
var idPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*[0-9]$`)

const maxIDLength = 32

// Paths into a policy package, read from Go.
const (
	fieldPolicies   = "policies"
	fieldName       = "name"
	fieldSeverity   = "severity"
	fieldMessage    = "message"
	fieldSummary    = "summary"
	fieldKinds      = "kinds"
	fieldAPIGroups  = "apiGroups"
	fieldNamespaces = "namespaces"
	fieldConstraint = "constraint"
)

// Load compiles meshroll's built-in policies and the user policies in dirs
// (each directory one CUE package; --policy DIR). Invalid policy files give
// Errors with file:line:col.
func Load(dirs ...string) (*Engine, error) {
	pkgs := make([]Package, 0, len(dirs))
	seen := map[string]bool{}
	for _, d := range dirs {
		// One directory named twice (in .meshroll.yaml and on the command
		// line, or as ./p and p) is one package, loaded once.
		key := filepath.Clean(d)
		if abs, err := filepath.Abs(d); err == nil {
			key = abs
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		p, err := ReadDir(d)
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	return Compile(pkgs...)
}

// ReadDir reads the .cue files of a policy directory, skipping those CUE
// ignores (names starting with . or _). Subdirectories are not read: a CUE
// package is one directory.
func ReadDir(dir string) (Package, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Package{}, fmt.Errorf("reading policy directory: %w", err)
	}
	p := Package{Dir: dir}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".cue") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		file := filepath.Join(dir, name)
		info, err := e.Info()
		if err != nil {
			return Package{}, fmt.Errorf("reading policy file: %w", err)
		}
		if info.Size() > maxFileSize {
			return Package{}, Errors{{File: file, Msg: fmt.Sprintf("policy file is larger than %d bytes", maxFileSize)}}
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return Package{}, fmt.Errorf("reading policy file: %w", err)
		}
		p.Files = append(p.Files, File{Name: file, Data: data})
	}
	if len(p.Files) == 0 {
		return Package{}, Errors{{File: dir, Msg: "policy directory has no .cue files"}}
	}
	return p, nil
}

// builtinPackage returns the embedded built-in policies.
func builtinPackage() Package {
	names, _ := fs.Glob(builtinFS, "builtin/*.cue")
	sort.Strings(names)
	p := Package{Dir: "builtin"}
	for _, n := range names {
		data, _ := builtinFS.ReadFile(n)
		p.Files = append(p.Files, File{Name: path.Join("meshroll/policies", n), Data: data})
	}
	return p
}

// Compile compiles the built-in policies and the given user packages into an
// engine. All problems are reported at once, as Errors. User packages are
// first compiled in a bounded child process under bound.Default(): a
// package past a limit is an Error naming it.
func Compile(pkgs ...Package) (*Engine, error) {
	if len(pkgs) > 0 {
		if err := checkBounded(pkgs, bound.Default()); err != nil {
			return nil, err
		}
	}
	return compile(pkgs...)
}

// compile is Compile in-process, without bounds.
func compile(pkgs ...Package) (*Engine, error) {
	ctx := cuecontext.New()
	contract := ctx.CompileBytes(contractSource, cue.Filename(contractFile))
	if err := contract.Err(); err != nil {
		return nil, fmt.Errorf("compiling the policy contract: %w", err)
	}
	l := &loader{ctx: ctx, s: cueplan.NewScratch(ctx), contract: contract.LookupPath(cue.ParsePath("#Package"))}
	all, errs := l.compilePackage(builtinPackage(), true)
	if len(errs) > 0 {
		return nil, fmt.Errorf("compiling built-in policies: %w", errs.sorted())
	}
	for _, p := range pkgs {
		cs, perrs := l.compilePackage(p, false)
		for _, c := range cs {
			c.pkg = p
		}
		errs = append(errs, perrs...)
		all = append(all, cs...)
	}
	seen := map[string]*compiled{}
	for _, c := range all {
		if first, dup := seen[c.ID]; dup {
			errs = append(errs, Error{File: c.File, Line: c.Line, Column: c.Column,
				Msg: fmt.Sprintf("policy %s is defined twice; the other one is at %s", c.ID, Error{File: first.File, Line: first.Line, Column: first.Column, Msg: "here"}.Error())})
			continue
		}
		seen[c.ID] = c
	}
	if len(errs) > 0 {
		return nil, errs.sorted()
	}
	return newEngine(ctx, l.s, all), nil
}

type loader struct {
	ctx      *cue.Context
	s        cueplan.Scratch
	contract cue.Value
}

// compilePackage parses, checks and compiles one policy package.
func (l *loader) compilePackage(p Package, builtin bool) (cs []*compiled, errs Errors) {
	defer func() {
		// Policy files are arbitrary CUE: should the evaluator panic on one,
		// report it as an invalid policy package rather than crash.
		if r := recover(); r != nil {
			cs, errs = nil, Errors{{File: p.Dir, Msg: fmt.Sprint("CUE failed on this policy package: ", r)}}
		}
	}()
	var files []*ast.File
	for _, f := range p.Files {
		af, err := parser.ParseFile(f.Name, f.Data, parser.ParseComments)
		if err != nil {
			errs = append(errs, cueErrors(err, cue.Value{}, f.Name)...)
			continue
		}
		files = append(files, af)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	errs = append(errs, checkPackageClauses(files)...)
	errs = append(errs, checkImports(files)...)
	errs = append(errs, checkEmbeds(files)...)
	errs = append(errs, checkRegexps(files)...)
	if len(errs) > 0 {
		return nil, errs
	}
	inst := build.NewContext().NewInstance(p.Dir, nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			errs = append(errs, cueErrors(err, cue.Value{}, f.Filename)...)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	v := l.ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, cueErrors(err, v, p.Dir)
	}
	if err := v.Validate(); err != nil {
		return nil, cueErrors(err, v, p.Dir)
	}
	if err := l.contract.Unify(v).Validate(); err != nil {
		return nil, cueErrors(err, v, p.Dir)
	}
	pv := v.LookupPath(cue.MakePath(cue.Str(fieldPolicies)))
	if !pv.Exists() {
		return nil, Errors{{File: p.Dir, Msg: "no policies: a policy package declares policies: <ID>: {name, severity, message, kinds, constraint}"}}
	}
	planned := safe(files)
	var out []*compiled
	it, err := pv.Fields()
	if err != nil {
		return nil, cueErrors(err, v, p.Dir)
	}
	for it.Next() {
		c, cerrs := l.compilePolicy(it.Selector().Unquoted(), it.Value(), builtin, p.Dir)
		errs = append(errs, cerrs...)
		if c == nil {
			continue
		}
		// Every constraint gets a plan, if only to find fields that can
		// never be satisfied; only safe packages use it for evaluation.
		pl := cueplan.Compile(c.constraint, l.s)
		if defects := pl.Defects(); len(defects) > 0 {
			for _, d := range defects {
				errs = append(errs, cueErrors(d, v, c.File)...)
			}
			continue
		}
		if planned {
			c.plan = pl
		}
		out = append(out, c)
	}
	return out, errs
}

// checkPackageClauses requires one package name in all files of a directory,
// as CUE does.
func checkPackageClauses(files []*ast.File) Errors {
	var errs Errors
	if len(files) == 0 {
		return nil
	}
	want := files[0].PackageName()
	for _, f := range files[1:] {
		if got := f.PackageName(); got != want {
			name := func(f *ast.File, p string) string {
				if p == "" {
					return f.Filename + " has no package clause"
				}
				return fmt.Sprintf("%s is package %s", f.Filename, p)
			}
			errs = append(errs, errorAt(packagePos(f), f.Filename,
				fmt.Sprintf("%s, but %s: the .cue files of a policy directory form one package", name(f, got), name(files[0], want))))
		}
	}
	return errs
}

func packagePos(f *ast.File) token.Pos {
	for _, d := range f.Decls {
		if p, ok := d.(*ast.Package); ok {
			return p.Pos()
		}
	}
	return token.NoPos
}

// checkImports allows the CUE standard library only: policies must load
// without a module and without the network. Standard library paths have no
// dot in their first element; every module path has one.
func checkImports(files []*ast.File) Errors {
	var errs Errors
	for _, f := range files {
		for spec := range f.ImportSpecs() {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				p = spec.Path.Value
			}
			first, _, _ := strings.Cut(p, "/")
			if strings.Contains(first, ".") {
				errs = append(errs, errorAt(spec.Pos(), f.Filename,
					fmt.Sprintf("import %q: policy files may import only the CUE standard library", p)))
			}
		}
	}
	return errs
}

// checkEmbeds refuses @extern(embed) and @embed: a policy is read from its
// own files only. CUE refuses them too outside a module, but names no
// position.
func checkEmbeds(files []*ast.File) Errors {
	var errs Errors
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			if a, ok := n.(*ast.Attribute); ok {
				if k, body := a.Split(); k == "embed" || (k == "extern" && strings.TrimSpace(body) == "embed") {
					errs = append(errs, errorAt(a.Pos(), f.Filename, a.Text+": policy files may not embed other files; write the value into the policy"))
				}
			}
			return true
		}, nil)
	}
	return errs
}

// checkRegexps compiles every literal regular expression of =~ and !~ as
// CUE will (Go's regexp, RE2 syntax), so that an invalid one is an error at
// load rather than a failure on the first manifest it meets.
func checkRegexps(files []*ast.File) Errors {
	var errs Errors
	check := func(f *ast.File, x ast.Expr) {
		lit, ok := x.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		re, err := literal.Unquote(lit.Value)
		if err != nil {
			return
		}
		if _, err := regexp.Compile(re); err != nil {
			msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
			errs = append(errs, errorAt(lit.Pos(), f.Filename, fmt.Sprintf("invalid regular expression %s: %s (policies use RE2 syntax)", lit.Value, msg)))
		}
	}
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.UnaryExpr:
				if x.Op == token.MAT || x.Op == token.NMAT {
					check(f, x.X)
				}
			case *ast.BinaryExpr:
				if x.Op == token.MAT || x.Op == token.NMAT {
					check(f, x.Y)
				}
			}
			return true
		}, nil)
	}
	return errs
}

// compilePolicy checks one policy and extracts its metadata and constraint.
func (l *loader) compilePolicy(id string, v cue.Value, builtin bool, dir string) (*compiled, Errors) {
	pos := v.Pos().Position()
	file := pos.Filename
	if file == "" {
		file = dir
	}
	at := func(msg string) Errors {
		return Errors{{File: file, Line: pos.Line, Column: pos.Column, Msg: msg}}
	}
	switch {
	case !idPattern.MatchString(id) || len(id) > maxIDLength:
		return nil, at(fmt.Sprintf("policy ID %q must be capital letters then digits, such as ACME001 (at most %d characters)", id, maxIDLength))
	case !builtin && strings.HasPrefix(id, "MR"):
		return nil, at(fmt.Sprintf("policy ID %s is in the MR namespace, which is reserved for meshroll's built-in rules; choose your own prefix, such as ACME001", id))
	}
	c := &compiled{Policy: Policy{ID: id, Builtin: builtin, File: file, Line: pos.Line, Column: pos.Column}}
	c.Doc = docText(v)
	var errs Errors
	str := func(name, hint string) string {
		f := v.LookupPath(cue.MakePath(cue.Str(name)))
		if !f.Exists() {
			errs = append(errs, at(fmt.Sprintf("policy %s has no %s; %s", id, name, hint))...)
			return ""
		}
		s, err := f.String()
		if err != nil {
			errs = append(errs, cueErrors(err, v, file)...)
		}
		return s
	}
	list := func(name string, required bool) []string {
		f := v.LookupPath(cue.MakePath(cue.Str(name)))
		if !f.Exists() {
			if required {
				errs = append(errs, at(fmt.Sprintf("policy %s has no %s; add the Kubernetes kinds it applies to, such as kinds: [\"VirtualService\"]", id, name))...)
			}
			return nil
		}
		var out []string
		if err := f.Decode(&out); err != nil {
			errs = append(errs, cueErrors(err, v, file)...)
		}
		return out
	}
	c.Name = str(fieldName, `add a short kebab-case name, such as name: "require-route-timeout"`)
	c.Severity = Severity(str(fieldSeverity, `add severity: "error", "warning" or "info"`))
	c.Message = str(fieldMessage, "add a message that says what to do")
	if f := v.LookupPath(cue.MakePath(cue.Str(fieldSummary))); f.Exists() {
		c.Summary, _ = f.String()
	}
	c.Kinds = list(fieldKinds, true)
	c.APIGroups = list(fieldAPIGroups, false)
	c.Namespaces = list(fieldNamespaces, false)
	c.constraint = v.LookupPath(cue.MakePath(cue.Str(fieldConstraint)))
	switch {
	case !c.constraint.Exists():
		errs = append(errs, at(fmt.Sprintf("policy %s has no constraint; add the CUE constraint every manifest must satisfy, such as constraint: spec: http: [...{timeout: string}]", id))...)
	case c.constraint.Err() != nil:
		errs = append(errs, cueErrors(c.constraint.Err(), v, file)...)
	case c.constraint.IncompleteKind()&cue.StructKind == 0:
		cp := c.constraint.Pos().Position()
		errs = append(errs, Error{File: file, Line: cp.Line, Column: cp.Column,
			Msg: fmt.Sprintf("the constraint of policy %s must be a struct: it is unified with whole manifests", id)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// docText returns the comments above a policy as plain text.
func docText(v cue.Value) string {
	var parts []string
	for _, cg := range v.Doc() {
		parts = append(parts, strings.TrimSpace(cg.Text()))
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n"))
}

// errorAt builds an Error at a CUE position, falling back to file.
func errorAt(p token.Pos, file, msg string) Error {
	pos := p.Position()
	if pos.Filename == "" {
		return Error{File: file, Msg: msg}
	}
	return Error{File: pos.Filename, Line: pos.Line, Column: pos.Column, Msg: msg}
}

// cueErrors converts CUE errors into Errors placed in the user's files (not
// the contract), one per path, phrased like manifest violations. root is the
// package value, used to show the offending value; fallback names the file
// or directory when CUE gives no position.
func cueErrors(err error, root cue.Value, fallback string) Errors {
	type group struct {
		pos  token.Position
		path []string
		ps   []problem
	}
	var order []string
	groups := map[string]*group{}
	for _, e := range errors.Errors(err) {
		path := e.Path()
		if len(path) > 0 && path[0] == "#Package" {
			path = path[1:] // errors found by unifying with the contract
		}
		key := strings.Join(path, ".")
		g, ok := groups[key]
		if !ok {
			g = &group{path: path}
			groups[key] = g
			order = append(order, key)
		}
		g.pos = laterPosition(g.pos, userPosition(e))
		format, args := e.Msg()
		if cueplan.IsDisjunctionHeader(format) {
			continue
		}
		g.ps = append(g.ps, problem{Format: format, Args: args})
	}
	var out Errors
	for _, key := range order {
		g := groups[key]
		if len(g.ps) == 0 {
			continue
		}
		if g.pos.Filename == "" && root.Exists() && len(g.path) > 0 {
			g.pos = cueplan.LookupPath(root, g.path).Pos().Position()
		}
		msg := policyMessage(g.path, g.ps, root)
		if g.pos.Filename == "" {
			out = append(out, Error{File: fallback, Msg: msg})
			continue
		}
		out = append(out, Error{File: g.pos.Filename, Line: g.pos.Line, Column: g.pos.Column, Msg: msg})
	}
	return out
}

// userPosition picks the position of an error in a user's file rather than
// in the contract. Of several in the first such file it takes the last in
// source order, which for a field is its value (the thing to fix) rather
// than its label.
func userPosition(e errors.Error) token.Position {
	var best token.Position
	for _, p := range errors.Positions(e) {
		if pos := p.Position(); pos.Filename != contractFile {
			best = laterPosition(best, pos)
		}
	}
	return best
}

// laterPosition returns b if it is later than a in a's file (or a is
// unset), else a.
func laterPosition(a, b token.Position) token.Position {
	switch {
	case b.Filename == "":
		return a
	case a.Filename == "":
		return b
	case a.Filename == b.Filename && (b.Line > a.Line || b.Line == a.Line && b.Column > a.Column):
		return b
	}
	return a
}

// policyMessage phrases errors about one path of a policy package.
func policyMessage(path []string, ps []problem, root cue.Value) string {
	subject := strings.Join(path, ".")
	if len(path) == 3 && path[0] == fieldPolicies {
		for _, p := range ps {
			if p.Format == "field not allowed" {
				return fmt.Sprintf("unknown field %s in policy %s; a policy has name, severity, message, kinds, apiGroups, namespaces and constraint", path[2], path[1])
			}
		}
	}
	if len(path) == 3 && path[0] == fieldPolicies && path[2] == fieldKinds {
		for _, p := range ps {
			if strings.HasPrefix(p.Format, "incompatible list lengths") {
				return fmt.Sprintf("policy %s has no kinds; list the Kubernetes kinds it applies to, such as kinds: [\"VirtualService\"]", path[1])
			}
		}
	}
	if subject == "" {
		var msgs []string
		for _, p := range ps {
			msgs = append(msgs, fmt.Sprintf(p.Format, p.Args...))
		}
		return strings.Join(msgs, "; ")
	}
	have, missing := "", true
	if root.Exists() {
		if fv := cueplan.LookupPath(root, path); fv.Exists() {
			missing = false
			if fv.IsConcrete() && fv.Kind()&(cue.StringKind|cue.NumberKind|cue.BoolKind|cue.NullKind|cue.BytesKind) != 0 {
				have = fmt.Sprint(fv)
			}
		}
	}
	return reason(subject, ps, have, missing)
}
