package tree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshroll/meshroll/internal/lock"
	"github.com/meshroll/meshroll/internal/pool"
	"github.com/meshroll/meshroll/internal/rawfile"
)

// File is a file of the desired tree.
type File struct {
	Path    string // slash-separated, relative to the directory
	Content []byte
}

// Op is what a change does to a file.
type Op int

// The kinds of change.
const (
	Create Op = iota
	Update
	Delete
)

func (o Op) String() string {
	switch o {
	case Create:
		return "missing"
	case Update:
		return "stale"
	}
	return "orphaned"
}

// Change is one difference between the directory and the desired tree.
type Change struct {
	Path string // slash-separated, relative to the directory
	Op   Op
}

// Names of the transaction's own files in the directory, for the journal
// fallback.
const (
	journalName = ".meshroll-journal"
	tmpSuffix   = ".meshroll-tmp"
)

// ErrInterrupted reports a directory whose last write was interrupted.
var ErrInterrupted = errors.New("an interrupted render left it half-written; the next render finishes it")

// Conflict is one desired path that holds something meshroll did not
// generate.
type Conflict struct {
	Path string // slash-separated, relative to the directory
	What string // what stands there, in words
}

// ConflictError reports desired files whose paths hold something meshroll
// did not generate — a file without the header, a directory, a symbolic
// link — which is never replaced.
type ConflictError struct {
	Dir       string
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	var b strings.Builder
	for i, c := range e.Conflicts {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s is %s", filepath.Join(e.Dir, filepath.FromSlash(c.Path)), c.What)
	}
	b.WriteString(": meshroll replaces only files it generated, so nothing was written; move ")
	if len(e.Conflicts) == 1 {
		b.WriteString("it")
	} else {
		b.WriteString("them")
	}
	b.WriteString(" away")
	return b.String()
}

// PathError reports an output directory meshroll will not write into.
type PathError struct {
	Dir string
	Msg string
}

func (e *PathError) Error() string { return e.Dir + ": " + e.Msg }

// Options tells which files belong to the generator, and how to wait.
type Options struct {
	// Header is the first line of every generated file.
	Header string
	// Waiting, when set, is called once when another process holds the
	// lock, before waiting for it.
	Waiting func()
	// Warn, when set, is told what a write left that needs a person.
	Warn func(msg string)
}

// Diff compares dir with the desired files and returns the changes a Write
// would make, sorted by path. A missing dir means every file is missing. It
// holds the lock shared while it reads, so that it never sees a write
// half-done; a journal left by an interrupted write is ErrInterrupted, with
// the changes.
func Diff(dir string, files []File, opt Options) ([]Change, error) {
	dir = filepath.Clean(dir)
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	if parent := filepath.Dir(dir); isDir(parent) {
		lk, err := lock.Dir(parent, lock.Shared, 0, opt.Waiting)
		if err != nil {
			return nil, err
		}
		defer lk.Unlock()
	}
	changes, _, err := plan(dir, files, opt)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Lstat(filepath.Join(dir, journalName)); err == nil && fi.Mode().IsRegular() {
		return changes, ErrInterrupted
	}
	return changes, nil
}

// checkDir refuses an output directory that is a symbolic link or not a
// directory at all.
func checkDir(dir string) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		target, _ := filepath.EvalSymlinks(dir)
		return &PathError{Dir: dir, Msg: fmt.Sprintf("is a symbolic link (to %s); meshroll never writes through links: name the directory itself", target)}
	case !fi.IsDir():
		return &PathError{Dir: dir, Msg: "is a file, not a directory: name a directory for the rendered tree"}
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// plan reads dir and works out the changes, refusing to replace what was
// not generated. One walk of dir tells what exists; only the files that
// exist are read.
func plan(dir string, files []File, opt Options) ([]Change, *listing, error) {
	disk, err := scan(dir)
	if err != nil {
		return nil, nil, err
	}
	// Each desired file is compared with what is on disk concurrently;
	// the results are gathered in the order of files.
	const (
		same = iota
		create
		update
		conflict
	)
	state := make([]int, len(files))
	what := make([]string, len(files))
	err = parallel(len(files), func(i int) error {
		f := files[i]
		switch k := disk.kind(f.Path); k {
		case missing:
			state[i] = create
			return nil
		case regular:
		default:
			state[i], what[i] = conflict, k.String()
			return nil
		}
		cur, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return err
		case !bytes.HasPrefix(cur, []byte(opt.Header)):
			state[i], what[i] = conflict, fmt.Sprintf("a file that does not start with %q", strings.TrimSpace(opt.Header))
		case !bytes.Equal(cur, f.Content):
			state[i] = update
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var changes []Change
	var conflicts []Conflict
	want := make(map[string]bool, len(files))
	for i, f := range files {
		want[f.Path] = true
		switch state[i] {
		case create:
			changes = append(changes, Change{Path: f.Path, Op: Create})
		case update:
			changes = append(changes, Change{Path: f.Path, Op: Update})
		case conflict:
			conflicts = append(conflicts, Conflict{Path: f.Path, What: what[i]})
		}
	}
	if len(conflicts) > 0 {
		return nil, nil, &ConflictError{Dir: dir, Conflicts: conflicts}
	}
	// Generated files on disk that are not wanted are orphans.
	var others []string
	for _, p := range disk.files {
		if !want[p] {
			others = append(others, p)
		}
	}
	orphan := make([]bool, len(others))
	if err := parallel(len(others), func(i int) error {
		ok, err := hasHeader(filepath.Join(dir, filepath.FromSlash(others[i])), opt.Header)
		orphan[i] = ok
		return err
	}); err != nil {
		return nil, nil, err
	}
	for i, p := range others {
		if orphan[i] {
			changes = append(changes, Change{Path: p, Op: Delete})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, disk, nil
}

// entry is what a path is on disk.
type entry int

const (
	missing   entry = iota // nothing there, nor at any parent
	regular                // a regular file
	directory              // a directory
	symlink                // a symbolic link
	other                  // a device, socket, named pipe or the like
	blocked                // a parent is not a directory (a file, a symbolic link)
)

func (e entry) String() string {
	switch e {
	case directory:
		return "a directory"
	case symlink:
		return "a symbolic link"
	case other:
		return "not a regular file"
	case blocked:
		return "below something that is not a directory (a file or a symbolic link)"
	}
	return "a file"
}

// item is one entry of a listing.
type item struct {
	rel    string // slash-separated
	kind   entry
	mode   fs.FileMode
	hidden bool // its name or a parent's starts with "."
}

// listing is what one walk of the output directory found.
type listing struct {
	absent bool             // the directory does not exist
	mode   fs.FileMode      // the directory's permissions
	files  []string         // regular files that may be generated, sorted
	items  []item           // every entry, parents before children
	kinds  map[string]entry // every entry by path
}

// kind tells what rel is: missing, or what stands there; blocked when one
// of its parents is not a real directory — a symbolic link among them
// could lead a write out of the tree.
func (l *listing) kind(rel string) entry {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "..") {
		return blocked
	}
	for i := 0; i < len(rel); i++ {
		if rel[i] != '/' {
			continue
		}
		switch l.kinds[rel[:i]] {
		case missing:
			return missing
		case directory:
		default:
			return blocked
		}
	}
	return l.kinds[rel]
}

// scan walks dir without following symbolic links: every entry, hidden
// ones included. Hidden files and temporary files are never orphans.
func scan(dir string) (*listing, error) {
	l := &listing{kinds: map[string]entry{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				l.absent = true
				return filepath.SkipAll
			}
			return err
		}
		if p == dir {
			if fi, err := d.Info(); err == nil {
				l.mode = fi.Mode().Perm()
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		hidden := strings.HasPrefix(d.Name(), ".") || strings.Contains(rel, "/.") || strings.HasPrefix(rel, ".")
		it := item{rel: rel, hidden: hidden}
		switch {
		case d.IsDir():
			it.kind = directory
		case d.Type().IsRegular():
			it.kind = regular
			if !hidden && !strings.HasSuffix(d.Name(), tmpSuffix) {
				l.files = append(l.files, rel)
			}
		case d.Type()&fs.ModeSymlink != 0:
			it.kind = symlink
		default:
			it.kind = other
		}
		if fi, err := d.Info(); err == nil {
			it.mode = fi.Mode().Perm()
		}
		l.kinds[rel] = it.kind
		l.items = append(l.items, it)
		return nil
	})
	return l, err
}

func hasHeader(p, header string) (bool, error) {
	f, size, err := rawfile.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if size < 0 {
		return false, nil // not a regular file
	}
	buf := make([]byte, len(header))
	if _, err := io.ReadFull(f, buf); err != nil {
		return false, nil
	}
	return string(buf) == header, nil
}

// createNew writes a new file; tests replace it to inject failures.
var createNew = rawfile.CreateNew

// Write makes dir hold files: it creates and replaces them and deletes the
// generated files that are no longer wanted, as one transaction. It returns
// the changes made. Cancelling ctx stops the write before its commit point
// and leaves the previous tree; after it, the write runs to its end and
// ctx's error is returned with the changes.
func Write(ctx context.Context, dir string, files []File, opt Options) ([]Change, error) {
	dir = filepath.Clean(dir) // "out/" is out, beside its parent's other entries
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(dir)
	madeParents, err := mkdirAll(parent)
	if err != nil {
		return nil, err
	}
	undoParents := func() {
		for i := len(madeParents) - 1; i >= 0; i-- {
			os.Remove(madeParents[i])
		}
	}
	lk, err := lock.Dir(parent, lock.Exclusive, 0, opt.Waiting)
	if err != nil {
		undoParents()
		return nil, err
	}
	defer lk.Unlock()
	// Under the lock, the directory is what the last write left.
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	if err := Recover(dir, opt); err != nil {
		return nil, err
	}
	changes, disk, err := plan(dir, files, opt)
	if err != nil {
		undoParents()
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	content := make(map[string][]byte, len(files))
	for _, f := range files {
		content[f.Path] = f.Content
	}
	if disk.absent {
		if err := writeFresh(ctx, dir, changes, content); err != nil {
			undoParents()
			return nil, err
		}
		return changes, nil
	}
	err = writeSwap(ctx, dir, disk, changes, content, opt)
	if errors.Is(err, errNoSwap) {
		err = writeJournal(ctx, dir, changes, content, opt)
	}
	if err != nil && !committed(err) {
		return nil, err
	}
	return changes, err
}

// stagePrefix starts the name of the directories beside dir in which a
// write builds it.
func stagePrefix(dir string) string {
	return "." + filepath.Base(dir) + ".meshroll-new-"
}

// newStage creates an empty stage directory beside dir with mode.
func newStage(dir string, mode fs.FileMode) (string, error) {
	stage, err := os.MkdirTemp(filepath.Dir(dir), stagePrefix(dir))
	if err != nil {
		return "", err
	}
	if err := os.Chmod(stage, mode); err != nil {
		os.Remove(stage)
		return "", err
	}
	return stage, nil
}

// writeFresh creates dir, which does not exist, with the files of changes
// (all of them creations). The tree is built in a hidden directory beside
// dir and renamed into place: one rename rather than one per file, and dir
// appears whole or not at all.
func writeFresh(ctx context.Context, dir string, changes []Change, content map[string][]byte) error {
	stage, err := newStage(dir, 0o755)
	if err != nil {
		return err
	}
	undo := func() { os.RemoveAll(stage) } // all of it is new
	dirs := map[string]bool{}
	for _, c := range changes {
		if err := mkdirs(stage, c.Path, dirs); err != nil {
			undo()
			return err
		}
	}
	if err := parallelCtx(ctx, len(changes), func(i int) error {
		c := changes[i]
		return createNew(filepath.Join(stage, filepath.FromSlash(c.Path)), content[c.Path], 0o644)
	}); err != nil {
		undo()
		return err
	}
	if err := ctx.Err(); err != nil {
		undo()
		return err
	}
	if err := os.Rename(stage, dir); err != nil {
		undo()
		return err
	}
	return nil
}

// mkdirs creates the parent directories of rel (slash-separated) below
// root, remembering those made in made.
func mkdirs(root, rel string, made map[string]bool) error {
	parts := strings.Split(rel, "/")
	for i := 1; i < len(parts); i++ {
		d := strings.Join(parts[:i], "/")
		if made[d] {
			continue
		}
		err := os.Mkdir(filepath.Join(root, filepath.FromSlash(d)), 0o755)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		made[d] = true
	}
	return nil
}

// commitError wraps an error that came after the commit point: the new tree
// is in place.
type commitError struct{ err error }

func (e *commitError) Error() string { return e.err.Error() }
func (e *commitError) Unwrap() error { return e.err }

func committed(err error) bool {
	var ce *commitError
	return errors.As(err, &ce)
}

// workers is how many file system calls overlap.
const workers = 8

// parallel runs fn for 0..n-1 on workers goroutines and returns the error
// of the lowest failing index, so that it does not depend on scheduling.
func parallel(n int, fn func(i int) error) error { return pool.Run(n, workers, fn) }

// parallelCtx is parallel that stops starting new calls once ctx is done.
func parallelCtx(ctx context.Context, n int, fn func(i int) error) error {
	return parallel(n, func(i int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(i)
	})
}

// mkdirAll creates d and any missing parents, returning those it created.
func mkdirAll(d string) ([]string, error) {
	var missing []string
	for p := d; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}
