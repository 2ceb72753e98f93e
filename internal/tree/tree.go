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
	"path/filepath"
	"sort"
	"strings"
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
// were not generated.
func plan(dir string, files []File, opt Options) ([]Change, map[string]bool, error) {
	owned, err := scan(dir, opt.Header)
	if err != nil {
		return nil, nil, err
	}
	var changes []Change
	var conflicts []string
	want := make(map[string]bool, len(files))
	for _, f := range files {
		want[f.Path] = true
		if !inside(dir, f.Path) {
			conflicts = append(conflicts, f.Path)
			continue
		}
		full := filepath.Join(dir, filepath.FromSlash(f.Path))
		fi, err := os.Lstat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			changes = append(changes, Change{Path: f.Path, Op: Create})
			continue
		case err != nil:
			return nil, nil, err
		case !fi.Mode().IsRegular():
			conflicts = append(conflicts, f.Path)
			continue
		}
		cur, err := os.ReadFile(full)
		switch {
		case err != nil:
			return nil, nil, err
		case !bytes.HasPrefix(cur, []byte(opt.Header)):
			conflicts = append(conflicts, f.Path)
		case !bytes.Equal(cur, f.Content):
			changes = append(changes, Change{Path: f.Path, Op: Update})
		}
	}
	if len(conflicts) > 0 {
		return nil, nil, &ConflictError{Dir: dir, Paths: conflicts, Header: opt.Header}
	}
	for p := range owned {
		if !want[p] {
			changes = append(changes, Change{Path: p, Op: Delete})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, want, nil
}

// inside reports whether the parent directories of rel under dir are real
// directories or do not exist yet: a symbolic link among them could lead a
// write out of dir.
func inside(dir, rel string) bool {
	if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, "..") {
		return false
	}
	parts := strings.Split(rel, "/")
	p := dir
	for _, part := range parts[:len(parts)-1] {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return true
		}
		if err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// scan returns the generated files under dir: regular files whose first
// line is the header. Hidden directories (such as .git) are not entered.
func scan(dir, header string) (map[string]bool, error) {
	owned := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".") || strings.HasSuffix(d.Name(), tmpSuffix) {
			return nil
		}
		ok, err := hasHeader(p, header)
		if err != nil {
			return err
		}
		if ok {
			rel, _ := filepath.Rel(dir, p)
			owned[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	return owned, err
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

// writeFile writes a temporary file; tests replace it to inject failures.
var writeFile = os.WriteFile

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
	changes, _, err := plan(dir, files, opt)
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
	var j journal
	var written []string
	var madeDirs []string
	undo := func() {
		for _, p := range written {
			os.Remove(filepath.Join(dir, p))
		}
		for i := len(madeDirs) - 1; i >= 0; i-- {
			os.Remove(madeDirs[i])
		}
	}
	for _, c := range changes {
		if c.Op == Delete {
			j.Deletes = append(j.Deletes, c.Path)
			continue
		}
		target := filepath.Join(dir, filepath.FromSlash(c.Path))
		made, err := mkdirAll(filepath.Dir(target))
		madeDirs = append(madeDirs, made...)
		if err != nil {
			undo()
			return nil, err
		}
		tmp := c.Path + tmpSuffix
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(tmp)), content[c.Path], 0o644); err != nil {
			undo()
			return nil, err
		}
		written = append(written, filepath.FromSlash(tmp))
		j.Renames = append(j.Renames, [2]string{tmp, c.Path})
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

// Recover finishes a transaction that an interrupted Write left in dir, and
// removes temporary files a failed one left.
func Recover(dir string, opt Options) error {
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
	for _, r := range j.Renames {
		from := filepath.Join(dir, filepath.FromSlash(r[0]))
		to := filepath.Join(dir, filepath.FromSlash(r[1]))
		if err := os.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
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
