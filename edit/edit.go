package edit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cuelang.org/go/cue/parser"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/schema"
)

// maxFileSize bounds an intent file meshroll edits, as schema.Load bounds
// the files it reads.
const maxFileSize = 32 << 20

// Edit is a change of one rollout's phase and since, computed and proved but
// not yet written.
type Edit struct {
	Rollout  string // namespace/name
	From, To string // the live phase before and after
	// Since is the new since: UTC, whole seconds.
	Since time.Time
	// Reason is the new reason; "" when the edit removes it.
	Reason string
	// Files are the intent files that change, sorted by path. A rollout
	// declared over several files of a CUE package may change in more than
	// one.
	Files []File
}

// File is one intent file an Edit changes.
type File struct {
	Path     string
	Old, New []byte
}

// setting is a field to set in the rollout, with its new value.
type setting struct{ key, value string }

// MaxReasonLength is the most characters a reason may have, as the schema
// says.
const MaxReasonLength = 1024

// CheckReason says what is wrong with a reason, or returns nil: a reason is
// one line of text of at most MaxReasonLength characters.
func CheckReason(reason string) error {
	switch {
	case strings.TrimSpace(reason) == "":
		return errors.New("the reason is empty; say in a few words why")
	case utf8.RuneCountInString(reason) > MaxReasonLength:
		return fmt.Errorf("the reason is %d characters long; it is at most %d", utf8.RuneCountInString(reason), MaxReasonLength)
	case strings.IndexFunc(reason, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		return errors.New("the reason holds a line break or another control character; it is one line of text")
	case !utf8.ValidString(reason):
		return errors.New("the reason is not UTF-8 text")
	}
	return nil
}

// SetPhase computes the edit that sets r's phase and since in the intent file
// that declares r (r comes from schema.Load), and removes its reason: a
// reason belongs to the move that set since, so an ordinary move drops the
// last one. It is Move with no reason.
func SetPhase(r *schema.Rollout, phase string, since time.Time) (Edit, error) {
	return Move(r, phase, since, "")
}

// Move computes the edit that sets r's phase, since and reason in the intent
// file that declares r (r comes from schema.Load); an empty reason removes
// the reason field. It changes only the bytes of those values, adds them
// beside the rollout's fields, or removes the reason's field, and proves
// the result: the edited files must load, hold the new phase, since and
// reason, and be the same intent otherwise. It writes nothing; see
// Edit.Apply.
//
// It refuses, with the position, a phase, since or reason that is not a
// literal (a reference, a default, a disjunction), and anything else it
// cannot edit in place.
func Move(r *schema.Rollout, phase string, since time.Time, reason string) (Edit, error) {
	if r == nil || r.File == "" {
		return Edit{}, errors.New("the rollout does not name the file that declares it")
	}
	if _, ok := r.PhaseNamed(phase); !ok && phase != schema.PhaseRollback {
		return Edit{}, fmt.Errorf("rollout %s has no phase %q", r.Name, phase)
	}
	if reason != "" {
		if err := CheckReason(reason); err != nil {
			return Edit{}, err
		}
	}
	since = since.UTC().Truncate(time.Second)
	set := []setting{{fieldPhase, phase}, {fieldSince, since.Format(time.RFC3339)}}
	var remove []string
	if reason != "" {
		set = append(set, setting{fieldReason, reason})
	} else {
		remove = append(remove, fieldReason)
	}
	paths, err := instance(r.File)
	if err != nil {
		return Edit{}, err
	}
	old := map[string][]byte{}
	for _, p := range paths {
		b, err := readFile(p)
		if err != nil {
			return Edit{}, err
		}
		old[p] = b
	}
	edits := map[string][]splice{}
	switch strings.ToLower(filepath.Ext(r.File)) {
	case ".cue":
		var files []*cueFile
		for _, p := range paths {
			f, err := parseCUE(p, old[p])
			if err != nil {
				return Edit{}, fmt.Errorf("%s: %w", p, err)
			}
			files = append(files, f)
		}
		edits, err = editCUE(files, r.Name, set, remove)
	case ".json":
		edits[r.File], err = editJSON(r.File, old[r.File], r.Name, set, remove)
	default:
		edits[r.File], err = editYAML(r.File, old[r.File], r.Name, set, remove)
	}
	if err != nil {
		return Edit{}, err
	}
	e := Edit{Rollout: r.ID(), From: r.Phase, To: phase, Since: since, Reason: reason}
	news := map[string][]byte{}
	for _, p := range paths {
		news[p] = old[p]
		ss := edits[p]
		if len(ss) == 0 {
			continue
		}
		b, spans, err := applySplices(old[p], ss)
		if err != nil {
			return Edit{}, fmt.Errorf("%s: %w", p, err)
		}
		if strings.EqualFold(filepath.Ext(p), ".cue") {
			b = cueFormatted(old[p], b, spans)
		}
		news[p] = b
		if !bytes.Equal(b, old[p]) {
			e.Files = append(e.Files, File{Path: p, Old: old[p], New: b})
		}
	}
	sort.Slice(e.Files, func(i, j int) bool { return e.Files[i].Path < e.Files[j].Path })
	added := true
	for _, ss := range edits {
		for _, s := range ss {
			if s.field == fieldPhase {
				added = false
			}
		}
	}
	if err := prove(r, paths, old, news, state{phase, since, reason}, added); err != nil {
		return Edit{}, err
	}
	return e, nil
}

// instance returns the files CUE evaluates together with file, as
// schema.Load groups them: the CUE files of its package in its directory,
// file first; a file without a package, or of another format, stands alone.
func instance(file string) ([]string, error) {
	if !strings.EqualFold(filepath.Ext(file), ".cue") {
		return []string{file}, nil
	}
	pkg, err := packageOf(file)
	if err != nil {
		return nil, err
	}
	if pkg == "" || pkg == "_" {
		return []string{file}, nil
	}
	dir := filepath.Dir(file)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the package of %s: %w", file, err)
	}
	paths := []string{file}
	for _, en := range entries {
		p := filepath.Join(dir, en.Name())
		if !en.Type().IsRegular() || !strings.EqualFold(filepath.Ext(p), ".cue") || filepath.Clean(p) == filepath.Clean(file) {
			continue
		}
		if q, err := packageOf(p); err != nil {
			return nil, err
		} else if q == pkg {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

func packageOf(file string) (string, error) {
	b, err := readFile(file)
	if err != nil {
		return "", err
	}
	f, err := parser.ParseFile(file, b, parser.PackageClauseOnly)
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	return f.PackageName(), nil
}

func readFile(p string) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes; intent files are at most %d", p, fi.Size(), maxFileSize)
	}
	return os.ReadFile(p)
}

// state is what an edit sets: the live phase, since and reason.
type state struct {
	phase  string
	since  time.Time
	reason string
}

// prove loads the instance before and after the edit (in memory) and checks
// that the edit set r's phase, since and reason and changed nothing else in
// any rollout.
//
// added tells that the edit adds the phase field rather than rewriting one:
// when the result then does not load, the phase comes from somewhere meshroll
// does not see, such as a definition.
func prove(r *schema.Rollout, paths []string, old, news map[string][]byte, st state, added bool) error {
	phase, since := st.phase, st.since
	before, err := loadCopy(paths, old)
	if err != nil {
		return fmt.Errorf("the intent does not load as it is: %w", err)
	}
	after, err := loadCopy(paths, news)
	if err != nil && added {
		return fmt.Errorf("rollout %s has no phase field of its own that meshroll can edit, and adding one conflicts with where its phase comes from (a definition, a reference, a pattern or a comprehension); change it by hand. The edited intent fails with:\n%v", r.Name, err)
	}
	if err != nil {
		return fmt.Errorf("meshroll's edit of rollout %s would not load (%v); nothing was written: please report this, and edit the phase by hand", r.Name, err)
	}
	nr, err := after.Find(r.ID())
	if err != nil {
		return fmt.Errorf("after the edit, rollout %s is missing: %w", r.ID(), err)
	}
	if nr.Phase != phase || !nr.Since.Equal(since) {
		return fmt.Errorf("after the edit, rollout %s is at %s since %s, not at %s: its phase or since is also set by something meshroll does not edit (a reference, a default, a definition, a pattern or a comprehension); change it by hand", r.Name, nr.Phase, nr.Since.UTC().Format(time.RFC3339), phase)
	}
	if nr.Reason != st.reason {
		return fmt.Errorf("after the edit, rollout %s has the reason %q, not %q: its reason is also set by something meshroll does not edit (a reference, a default, a definition, a pattern or a comprehension); change it by hand", r.Name, nr.Reason, st.reason)
	}
	a, err := snapshot(before, r.ID(), st)
	if err != nil {
		return err
	}
	b, err := snapshot(after, "", state{})
	if err != nil {
		return err
	}
	for id, s := range a {
		if b[id] != s {
			return fmt.Errorf("meshroll's edit of rollout %s would change rollout %s in other ways too; nothing was written: please report this, and edit the phase by hand", r.Name, id)
		}
	}
	if len(a) != len(b) {
		return fmt.Errorf("meshroll's edit of rollout %s would change which rollouts there are; nothing was written: please report this", r.Name)
	}
	return nil
}

// loadCopy loads the files (contents by path) as they would be on disk,
// without writing them.
func loadCopy(paths []string, content map[string][]byte) (*schema.Intent, error) {
	files := make([]schema.File, len(paths))
	for i, p := range paths {
		files[i] = schema.File{Path: p, Data: content[p]}
	}
	return schema.LoadFiles(files)
}

// snapshot returns each rollout of in as JSON, without positions and file
// names, with rollout id set to st.
func snapshot(in *schema.Intent, id string, st state) (map[string]string, error) {
	out := map[string]string{}
	for _, r := range in.Rollouts {
		c := *r
		c.File = ""
		c.Expect = append([]schema.Expectation(nil), r.Expect...)
		for i := range c.Expect {
			c.Expect[i].Pos = schema.Pos{}
		}
		if a := r.Analysis; a != nil {
			ca := *a
			ca.Pos = schema.Pos{}
			ca.Metrics = append([]schema.Metric(nil), a.Metrics...)
			for i := range ca.Metrics {
				ca.Metrics[i].Pos = schema.Pos{}
			}
			c.Analysis = &ca
		}
		if r.ID() == id {
			c.Phase, c.Since, c.Reason = st.phase, st.since, st.reason
		}
		b, err := json.Marshal(&c)
		if err != nil {
			return nil, fmt.Errorf("comparing rollout %s: %w", r.ID(), err)
		}
		out[r.ID()] = string(b)
	}
	if m := in.Mesh; m != nil {
		out["\x00mesh"] = m.RootNamespace + "/" + m.MTLS
	}
	return out, nil
}

// Diff returns the unified diff of the edit, file by file.
func (e Edit) Diff() []byte {
	var out bytes.Buffer
	for _, f := range e.Files {
		from, to := f.Path, f.Path
		if !filepath.IsAbs(f.Path) {
			from, to = "a/"+filepath.ToSlash(f.Path), "b/"+filepath.ToSlash(f.Path)
		}
		out.Write(diff.Diff(from, f.Old, to, f.New))
	}
	return out.Bytes()
}

// Apply writes the edit: each file is written beside itself and renamed over
// it, keeping its permissions, and a symbolic link is followed rather than
// replaced, when it leads to a file inside the repository. A file that
// changed since SetPhase read it is not touched, and nothing is written; so
// is a file meshroll may not write (read-only), which a rename would
// otherwise replace. Were a rename to fail after others succeeded (a
// rollout over several files), the renamed files are put back.
func (e Edit) Apply() error {
	type pending struct {
		target, tmp string
		old         []byte
		mode        fs.FileMode
	}
	var ps []pending
	defer func() {
		for _, p := range ps {
			os.Remove(p.tmp)
		}
	}()
	for _, f := range e.Files {
		target, err := filepath.EvalSymlinks(f.Path)
		if err != nil {
			return err
		}
		if err := writable(f.Path, target); err != nil {
			return err
		}
		cur, err := readFile(target)
		if err != nil {
			return err
		}
		if !bytes.Equal(cur, f.Old) {
			return fmt.Errorf("%s changed since meshroll read it; nothing was written: run the command again", f.Path)
		}
		fi, err := os.Stat(target)
		if err != nil {
			return err
		}
		tmp, err := writeTemp(target, f.New, fi.Mode().Perm())
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.Path, err)
		}
		ps = append(ps, pending{target: target, tmp: tmp, old: f.Old, mode: fi.Mode().Perm()})
	}
	for i, p := range ps {
		if err := os.Rename(p.tmp, p.target); err != nil {
			for _, q := range ps[:i] {
				if tmp, werr := writeTemp(q.target, q.old, q.mode); werr == nil {
					os.Rename(tmp, q.target)
				}
			}
			return fmt.Errorf("writing %s: %w", p.target, err)
		}
	}
	return nil
}

// ReadOnlyError reports an intent file meshroll may not write.
type ReadOnlyError struct{ Path string }

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s is read-only; meshroll does not replace read-only files: make it writable (chmod u+w %s) and run the command again; nothing was written", e.Path, e.Path)
}

// writable checks that the file at path (target, links resolved) may be
// edited: it is writable, and a link to it does not lead out of the
// repository that holds the link (outside any, the user's links lead where
// the user chose).
func writable(path, target string) error {
	real, err := input.RealPath(target)
	if err != nil {
		return err
	}
	if root := input.RepositoryRoot(input.ResolveExisting(filepath.Dir(path))); root != "" && !input.Within(real, root) {
		return fmt.Errorf("%s is a symbolic link to %s, outside the repository; meshroll edits files only inside it: nothing was written", path, real)
	}
	if !canWrite(target) {
		return &ReadOnlyError{Path: path}
	}
	return nil
}

// writeTemp writes data to a new hidden file beside target, synced, and
// returns its name; its extension is not one of an intent file, so that a
// load running meanwhile does not read it.
func writeTemp(target string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".meshroll-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), mode)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
