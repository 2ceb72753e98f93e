package tree

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

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

// Names of the transaction's own files in the directory.
const (
	journalName = ".meshroll-journal"
	tmpSuffix   = ".meshroll-tmp"
)

// ErrInterrupted reports a directory whose last write was interrupted.
var ErrInterrupted = errors.New("an interrupted write left a journal; the next write finishes it")

// ConflictError reports desired files whose paths hold something meshroll
// did not generate — a file without the header, a directory, a symbolic
// link — which is never replaced.
type ConflictError struct {
	Dir    string
	Paths  []string
	Header string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s: %s not generated (the first line is not %q), so it is never replaced; move it away. Nothing was written",
		e.Dir, strings.Join(e.Paths, ", ")+pluralIs(len(e.Paths)), strings.TrimSpace(e.Header))
}

func pluralIs(n int) string {
	if n == 1 {
		return " is"
	}
	return " are"
}

// Options tells which files belong to the generator.
type Options struct {
	// Header is the first line of every generated file.
	Header string
}

// Diff compares dir with the desired files and returns the changes a Write
// would make, sorted by path. A missing dir means every file is missing.
func Diff(dir string, files []File, opt Options) ([]Change, error) {
	changes, _, err := plan(dir, files, opt)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, journalName)); err == nil {
		return changes, ErrInterrupted
	}
	return changes, nil
}

// plan reads dir and works out the changes, refusing to replace files that
// were not generated. One walk of dir tells what exists; only the files
// that exist are read.
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
	err = parallel(len(files), func(i int) error {
		f := files[i]
		switch disk.kind(f.Path) {
		case missing:
			state[i] = create
			return nil
		case blocked, directory, other:
			state[i] = conflict
			return nil
		}
		cur, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		switch {
		case err != nil:
			return err
		case !bytes.HasPrefix(cur, []byte(opt.Header)):
			state[i] = conflict
		case !bytes.Equal(cur, f.Content):
			state[i] = update
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var changes []Change
	var conflicts []string
	want := make(map[string]bool, len(files))
	for i, f := range files {
		want[f.Path] = true
		switch state[i] {
		case create:
			changes = append(changes, Change{Path: f.Path, Op: Create})
		case update:
			changes = append(changes, Change{Path: f.Path, Op: Update})
		case conflict:
			conflicts = append(conflicts, f.Path)
		}
	}
	if len(conflicts) > 0 {
		return nil, nil, &ConflictError{Dir: dir, Paths: conflicts, Header: opt.Header}
	}
	// Files on disk that are not wanted are orphans when generated.
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
	other                  // a symbolic link, device, socket or the like
	blocked                // a parent is not a directory (a file, a symbolic link)
)

// listing is what one walk of the output directory found.
type listing struct {
	absent bool             // the directory does not exist
	files  []string         // regular files, sorted, slash-separated
	kinds  map[string]entry // every entry by slash-separated path
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

// scan walks dir: the regular files, and the kind of every entry. Hidden
// files and directories (such as .git) and temporary files are left out;
// symbolic links are not followed.
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
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		hidden := strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir():
			if hidden {
				return filepath.SkipDir
			}
			l.kinds[rel] = directory
		case d.Type().IsRegular():
			if hidden || strings.HasSuffix(d.Name(), tmpSuffix) {
				return nil
			}
			l.kinds[rel] = regular
			l.files = append(l.files, rel)
		default:
			l.kinds[rel] = other
		}
		return nil
	})
	return l, err
}

func hasHeader(p, header string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(header))
	if _, err := io.ReadFull(bufio.NewReader(f), buf); err != nil {
		return false, nil
	}
	return string(buf) == header, nil
}

// writeFile writes a new file; tests replace it to inject failures.
var writeFile = rawfile.WriteFile

// journal is the record of a transaction's renames and deletions, written
// once every new file is in place beside its target.
type journal struct {
	Renames [][2]string `json:"renames"` // temporary → target, relative
	Deletes []string    `json:"deletes"`
}

// Write makes dir hold files: it creates and replaces them and deletes the
// generated files that are no longer wanted, as one transaction. It returns
// the changes made.
func Write(dir string, files []File, opt Options) ([]Change, error) {
	if err := Recover(dir, opt); err != nil {
		return nil, err
	}
	changes, disk, err := plan(dir, files, opt)
	if err != nil {
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
		if err := writeFresh(dir, changes, content); err != nil {
			return nil, err
		}
		return changes, nil
	}
	var j journal
	var madeDirs []string
	var written []string
	undo := func() {
		for _, p := range written {
			os.Remove(filepath.Join(dir, p))
		}
		for i := len(madeDirs) - 1; i >= 0; i-- {
			os.Remove(madeDirs[i])
		}
	}
	var writes []Change
	ready := map[string]bool{}
	for _, c := range changes {
		if c.Op == Delete {
			j.Deletes = append(j.Deletes, c.Path)
			continue
		}
		parent := filepath.Join(dir, filepath.Dir(filepath.FromSlash(c.Path)))
		if !ready[parent] {
			made, err := mkdirAll(parent)
			madeDirs = append(madeDirs, made...)
			if err != nil {
				undo()
				return nil, err
			}
			ready[parent] = true
		}
		writes = append(writes, c)
		j.Renames = append(j.Renames, [2]string{c.Path + tmpSuffix, c.Path})
		written = append(written, filepath.FromSlash(c.Path+tmpSuffix))
	}
	// Creating files is most of the cost on a slow disk, and overlapping
	// the system calls helps: write the temporary files concurrently.
	if err := parallel(len(writes), func(i int) error {
		c := writes[i]
		return writeFile(filepath.Join(dir, filepath.FromSlash(c.Path+tmpSuffix)), content[c.Path], 0o644)
	}); err != nil {
		undo()
		return nil, err
	}
	data, err := json.Marshal(j)
	if err != nil {
		undo()
		return nil, err
	}
	// The journal is the commit point: once it is on disk, the transaction
	// is finished by this call or, if it is interrupted, by the next Write.
	if err := writeSynced(filepath.Join(dir, journalName), data); err != nil {
		undo()
		return nil, err
	}
	if err := apply(dir, j, opt); err != nil {
		return nil, err
	}
	return changes, nil
}

// stagePrefix starts the name of the directory beside dir in which
// writeFresh builds it.
func stagePrefix(dir string) string {
	return "." + filepath.Base(filepath.Clean(dir)) + ".meshroll-new-"
}

// writeFresh creates dir, which does not exist, with the files of changes
// (all of them creations). The tree is built in a hidden directory beside
// dir and renamed into place: one rename rather than one per file, and dir
// appears whole or not at all.
func writeFresh(dir string, changes []Change, content map[string][]byte) error {
	dir = filepath.Clean(dir) // "out/" is out, beside its parent's other entries
	parent := filepath.Dir(dir)
	madeParents, err := mkdirAll(parent)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp(parent, stagePrefix(dir))
	undo := func() {
		if stage != "" {
			os.RemoveAll(stage)
		}
		for i := len(madeParents) - 1; i >= 0; i-- {
			os.Remove(madeParents[i])
		}
	}
	if err != nil {
		stage = ""
		undo()
		return err
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		undo()
		return err
	}
	made := map[string]bool{".": true}
	for _, c := range changes {
		for d := path.Dir(c.Path); !made[d]; d = path.Dir(d) {
			made[d] = true
		}
	}
	dirs := make([]string, 0, len(made))
	for d := range made {
		if d != "." {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs) // parents before their children
	for _, d := range dirs {
		if err := os.Mkdir(filepath.Join(stage, filepath.FromSlash(d)), 0o755); err != nil {
			undo()
			return err
		}
	}
	if err := parallel(len(changes), func(i int) error {
		c := changes[i]
		return writeFile(filepath.Join(stage, filepath.FromSlash(c.Path)), content[c.Path], 0o644)
	}); err != nil {
		undo()
		return err
	}
	if err := os.Rename(stage, dir); err != nil {
		undo()
		return err
	}
	return nil
}

// removeStages removes the directories that interrupted fresh writes of
// dir left beside it, when every file in them is generated.
func removeStages(dir string, opt Options) error {
	stages, err := filepath.Glob(filepath.Join(filepath.Dir(filepath.Clean(dir)), stagePrefix(dir)+"*"))
	if err != nil {
		return err
	}
	for _, stage := range stages {
		ours := true
		err := filepath.WalkDir(stage, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			if ok, _ := hasHeader(p, opt.Header); !ok || !d.Type().IsRegular() {
				ours = false
				return filepath.SkipAll
			}
			return nil
		})
		if err != nil {
			return err
		}
		if ours {
			if err := os.RemoveAll(stage); err != nil {
				return err
			}
		}
	}
	return nil
}

// Recover finishes a transaction that an interrupted Write left in dir, and
// removes temporary files a failed one left.
func Recover(dir string, opt Options) error {
	if err := removeStages(dir, opt); err != nil {
		return err
	}
	data, err := os.ReadFile(filepath.Join(dir, journalName))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	default:
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return fmt.Errorf("%s: unreadable journal %s (%v); remove it and render again", dir, journalName, err)
		}
		if err := apply(dir, j, opt); err != nil {
			return err
		}
	}
	// Temporary files without a journal belong to a write that failed
	// before its commit point.
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() && p != dir && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), tmpSuffix) {
			if ok, _ := hasHeader(p, opt.Header); ok {
				return os.Remove(p)
			}
		}
		return nil
	})
}

// apply performs a journal's renames and deletions; each step is idempotent
// so that a journal can be applied again after an interruption.
func apply(dir string, j journal, opt Options) error {
	if err := parallel(len(j.Renames), func(i int) error {
		from := filepath.Join(dir, filepath.FromSlash(j.Renames[i][0]))
		to := filepath.Join(dir, filepath.FromSlash(j.Renames[i][1]))
		if err := os.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}); err != nil {
		return err
	}
	for _, p := range j.Deletes {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if ok, _ := hasHeader(full, opt.Header); !ok {
			continue
		}
		if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removeEmptyParents(dir, filepath.Dir(full))
	}
	return os.Remove(filepath.Join(dir, journalName))
}

// removeEmptyParents removes d and its parents up to (not including) dir
// while they are empty.
func removeEmptyParents(dir, d string) {
	for d != dir && strings.HasPrefix(d, dir) {
		if os.Remove(d) != nil {
			return
		}
		d = filepath.Dir(d)
	}
}

// workers is how many file system calls overlap.
const workers = 8

// parallel runs fn for 0..n-1 on workers goroutines and returns the error
// of the lowest failing index, so that it does not depend on scheduling.
func parallel(n int, fn func(i int) error) error { return pool.Run(n, workers, fn) }

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

func writeSynced(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
