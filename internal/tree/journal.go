package tree

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshroll/meshroll/internal/input"
)

// journal is the record of a fallback transaction's renames and deletions,
// written once every new file is in place beside its target.
type journal struct {
	Renames [][2]string `json:"renames"` // temporary → target, relative
	Deletes []string    `json:"deletes"`
}

// maxJournal bounds the journal read back: a tree of 100,000 files needs
// a few MiB.
const maxJournal = 64 << 20

// writeJournal is the fallback transaction: each new file is written beside
// its target, the journal records the renames and deletions, and then they
// are made. An interruption after the journal is written is finished by
// the next write (Recover).
func writeJournal(ctx context.Context, dir string, changes []Change, content map[string][]byte, opt Options) error {
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
				return err
			}
			ready[parent] = true
		}
		tmp := filepath.Join(dir, filepath.FromSlash(c.Path+tmpSuffix))
		if err := clearTemp(tmp, opt); err != nil {
			undo()
			return err
		}
		writes = append(writes, c)
		j.Renames = append(j.Renames, [2]string{c.Path + tmpSuffix, c.Path})
	}
	// Creating files is most of the cost on a slow disk, and overlapping
	// the system calls helps: write the temporary files concurrently.
	done := make([]bool, len(writes))
	err := parallelCtx(ctx, len(writes), func(i int) error {
		c := writes[i]
		err := createNew(filepath.Join(dir, filepath.FromSlash(c.Path+tmpSuffix)), content[c.Path], 0o644)
		done[i] = err == nil
		return err
	})
	for i, c := range writes {
		if done[i] {
			written = append(written, filepath.FromSlash(c.Path+tmpSuffix))
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		undo()
		return err
	}
	data, err := json.Marshal(j)
	if err != nil {
		undo()
		return err
	}
	// The journal is the commit point: once it is on disk, the transaction
	// is finished by this call or, if it is interrupted, by the next Write.
	if err := writeSynced(filepath.Join(dir, journalName), data); err != nil {
		undo()
		return err
	}
	if err := apply(dir, j, opt); err != nil {
		return &commitError{err}
	}
	return nil
}

// clearTemp makes way for a temporary file at tmp: one a failed write left
// (a file with the header, or cut short) is removed, and so is a symbolic
// link planted there, which is removed, never followed. Anything else is in
// the way.
func clearTemp(tmp string, opt Options) error {
	fi, err := os.Lstat(tmp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case fi.Mode()&fs.ModeSymlink != 0:
		return os.Remove(tmp)
	case fi.Mode().IsRegular():
		if ok, _ := ours(tmp, opt.Header); ok {
			return os.Remove(tmp)
		}
	}
	return &PathError{Dir: tmp, Msg: "is in the way of a temporary file meshroll writes, and meshroll did not write it: move it away"}
}

// Recover makes dir ready for a write: it removes the stages killed writes
// left beside it, finishes a fallback transaction an interrupted write left
// (after checking that its journal names only generated files inside dir),
// and removes the temporary files a failed one left.
func Recover(dir string, opt Options) error {
	removeStages(dir, opt)
	jp := filepath.Join(dir, journalName)
	fi, err := os.Lstat(jp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !fi.Mode().IsRegular():
		return &PathError{Dir: jp, Msg: "is not a journal meshroll wrote (it is not a regular file): remove it and render again"}
	default:
		data, err := input.ReadFile(jp, maxJournal)
		if err != nil {
			return err
		}
		var j journal
		if err := json.Unmarshal(data, &j); err != nil {
			return &PathError{Dir: jp, Msg: fmt.Sprintf("is not a journal meshroll can read (%v): remove it and render again", err)}
		}
		if err := checkJournal(dir, j, opt); err != nil {
			return &PathError{Dir: jp, Msg: err.Error() + ": it is not a journal meshroll wrote; remove it and render again"}
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
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), tmpSuffix) {
			if ok, _ := ours(p, opt.Header); ok {
				return os.Remove(p)
			}
		}
		return nil
	})
}

// checkJournal checks that every entry of j names a generated file inside
// dir, reached through real directories only: a journal is a file in the
// repository like any other, and a hostile one must not rename or delete
// anything else.
func checkJournal(dir string, j journal, opt Options) error {
	for _, r := range j.Renames {
		from, to := r[0], r[1]
		if err := checkEntry(dir, to); err != nil {
			return err
		}
		if from != to+tmpSuffix {
			return fmt.Errorf("it renames %q to %q", from, to)
		}
		// Each side is absent (renamed already) or a generated file.
		for _, p := range []string{from, to} {
			if err := generatedOrAbsent(dir, p, opt); err != nil {
				return err
			}
		}
	}
	for _, p := range j.Deletes {
		if err := checkEntry(dir, p); err != nil {
			return err
		}
		if err := generatedOrAbsent(dir, p, opt); err != nil {
			return err
		}
	}
	return nil
}

// checkEntry checks that p is a clean relative path below dir whose
// parents are real directories (or missing).
func checkEntry(dir, p string) error {
	if p == "" || path.Clean(p) != p || path.IsAbs(p) || !filepath.IsLocal(filepath.FromSlash(p)) || strings.HasPrefix(path.Base(p), ".") {
		return fmt.Errorf("it names %q, which is not a path inside the directory", p)
	}
	if !realDirs(dir, filepath.Dir(filepath.FromSlash(p))) {
		return fmt.Errorf("it names %q, below a symbolic link or a file", p)
	}
	return nil
}

func generatedOrAbsent(dir, p string, opt Options) error {
	full := filepath.Join(dir, filepath.FromSlash(p))
	fi, err := os.Lstat(full)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("it names %q, which is not a regular file", p)
	}
	if ok, _ := ours(full, opt.Header); !ok {
		return fmt.Errorf("it names %q, which meshroll did not generate", p)
	}
	return nil
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
		if fi, err := os.Lstat(full); err != nil || !fi.Mode().IsRegular() {
			continue
		}
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
	for d != dir && strings.HasPrefix(d, dir+string(filepath.Separator)) {
		if os.Remove(d) != nil {
			return
		}
		d = filepath.Dir(d)
	}
}

// writeSynced writes the journal, never through a link, and syncs it.
func writeSynced(p string, data []byte) error {
	if err := createNew(p, data, 0o644); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
