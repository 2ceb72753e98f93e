package tree

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// useSwap is whether writes swap directories; tests turn it off to test
// the journal on systems that can swap.
var useSwap = canExchange

// beforeExchange runs just before the swap; tests add files to the tree
// there, as someone working in it meanwhile would.
var beforeExchange = func() {}

// errNoSwap says the directory cannot be rebuilt and swapped here: no
// atomic exchange on this system or file system, or no hard links. The
// write falls back to the journal.
var errNoSwap = errors.New("the directory cannot be swapped")

// writeSwap rebuilds dir beside itself and swaps the two: see the package
// documentation. It returns errNoSwap, having left nothing behind, when
// the system cannot do it.
func writeSwap(ctx context.Context, dir string, disk *listing, changes []Change, content map[string][]byte, opt Options) error {
	if !useSwap {
		return errNoSwap
	}
	for _, it := range disk.items {
		if it.kind == other {
			return errNoSwap // a named pipe or a device cannot be carried over
		}
	}
	replaced := make(map[string]bool, len(changes))
	for _, c := range changes {
		replaced[c.Path] = true
	}
	stage, err := newStage(dir, disk.mode)
	if err != nil {
		return err
	}
	// Everything in the stage is a hard link, a copy of a symbolic link or
	// a new file: removing it loses nothing.
	undo := func() { os.RemoveAll(stage) }
	made := map[string]bool{}
	var links []string
	for _, it := range disk.items {
		from := filepath.Join(dir, filepath.FromSlash(it.rel))
		to := filepath.Join(stage, filepath.FromSlash(it.rel))
		var err error
		switch it.kind {
		case directory:
			err = os.Mkdir(to, it.mode|0o700) // writable while it is built
			made[it.rel] = true
		case symlink:
			var target string
			if target, err = os.Readlink(from); err == nil {
				err = os.Symlink(target, to)
			}
		case regular:
			if !replaced[it.rel] {
				links = append(links, it.rel)
			}
		}
		if err != nil {
			undo()
			return err
		}
	}
	// Linking thousands of files is system calls: overlap them.
	if err := parallelCtx(ctx, len(links), func(i int) error {
		rel := filepath.FromSlash(links[i])
		if err := os.Link(filepath.Join(dir, rel), filepath.Join(stage, rel)); err != nil {
			return errNoSwap
		}
		return nil
	}); err != nil {
		undo()
		return err
	}
	var writes []Change
	for _, c := range changes {
		if c.Op != Delete {
			if err := mkdirs(stage, c.Path, made); err != nil {
				undo()
				return err
			}
			writes = append(writes, c)
		}
	}
	if err := parallelCtx(ctx, len(writes), func(i int) error {
		c := writes[i]
		return createNew(filepath.Join(stage, filepath.FromSlash(c.Path)), content[c.Path], 0o644)
	}); err != nil {
		undo()
		return err
	}
	// Directories that deleted files leave empty go with them.
	for _, c := range changes {
		if c.Op == Delete {
			for d := path.Dir(c.Path); d != "."; d = path.Dir(d) {
				if os.Remove(filepath.Join(stage, filepath.FromSlash(d))) != nil {
					break
				}
			}
		}
	}
	// Directories get their own permissions back, deepest first.
	for i := len(disk.items) - 1; i >= 0; i-- {
		if it := disk.items[i]; it.kind == directory {
			os.Chmod(filepath.Join(stage, filepath.FromSlash(it.rel)), it.mode)
		}
	}
	if err := ctx.Err(); err != nil {
		undo()
		return err
	}
	beforeExchange()
	if err := exchange(stage, dir); err != nil {
		undo()
		if errors.Is(err, errNoSwap) {
			return errNoSwap
		}
		return err
	}
	// The commit point is behind: dir holds the new tree, stage the old.
	kept, err := retire(stage, dir, opt, true)
	if err != nil {
		return &commitError{err}
	}
	if len(kept) > 0 && opt.Warn != nil {
		opt.Warn(fmt.Sprintf("%s holds files that were added to %s while it was written and could not be moved into the new tree: %s; move them back by hand", stage, dir, strings.Join(kept, ", ")))
	}
	return nil
}

// retire removes old, a previous tree (or a stage a killed write left),
// beside live, the tree in place: what meshroll wrote, hard links of files
// live holds too, and copies of symbolic links. With rescue, a file old
// holds that live lacks — added by someone while the write ran — is moved
// into live. It returns what it could not account for, and leaves it.
func retire(old, live string, opt Options, rescue bool) ([]string, error) {
	inLive, err := inodes(live)
	if err != nil {
		return nil, err
	}
	var kept []string
	var dirs, regulars []string
	err = filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, p)
		case d.Type()&fs.ModeSymlink != 0:
			return os.Remove(p) // a copy, or the original of one
		case d.Type().IsRegular():
			regulars = append(regulars, p)
		default:
			rel, _ := filepath.Rel(old, p)
			kept = append(kept, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The files go concurrently; those to keep are gathered in order.
	keep := make([]bool, len(regulars))
	if err := parallel(len(regulars), func(i int) error {
		p := regulars[i]
		if id, ok := inode(p); ok && inLive[id] {
			return os.Remove(p)
		}
		if ok, _ := ours(p, opt.Header); ok {
			return os.Remove(p)
		}
		keep[i] = true
		return nil
	}); err != nil {
		return nil, err
	}
	for i, p := range regulars {
		if !keep[i] {
			continue
		}
		rel, _ := filepath.Rel(old, p)
		// Someone added it while the write ran: it belongs in live.
		target := filepath.Join(live, rel)
		if _, err := os.Lstat(target); rescue && errors.Is(err, fs.ErrNotExist) && realDirs(live, filepath.Dir(rel)) {
			if os.MkdirAll(filepath.Dir(target), 0o755) == nil && os.Rename(p, target) == nil {
				continue
			}
		}
		kept = append(kept, rel)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		os.Remove(d) // only empty ones go
	}
	return kept, nil
}

// realDirs reports whether every directory of rel below root is a real
// directory or missing, so that moving a file there cannot go through a
// link.
func realDirs(root, rel string) bool {
	if rel == "." {
		return true
	}
	p := root
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
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

// ours reports whether the regular file at p is meshroll's: it starts with
// the header, or is shorter than it and a start of it (a write a kill cut
// short).
func ours(p, header string) (bool, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return false, err
	}
	if len(data) < len(header) {
		return strings.HasPrefix(header, string(data)), nil
	}
	return strings.HasPrefix(string(data), header), nil
}

// removeStages removes the directories that killed writes of dir left
// beside it, as far as retire accounts for their content: what meshroll
// wrote, and hard links of files the tree in place holds. Anything else
// stays, with a warning: such a directory was not (only) meshroll's.
func removeStages(dir string, opt Options) {
	stages, err := filepath.Glob(filepath.Join(filepath.Dir(dir), globEscape(stagePrefix(dir))+"*"))
	if err != nil {
		return
	}
	for _, stage := range stages {
		fi, err := os.Lstat(stage)
		if err != nil || !fi.IsDir() {
			continue
		}
		kept, err := retire(stage, dir, opt, false)
		if (err != nil || len(kept) > 0) && opt.Warn != nil {
			opt.Warn(fmt.Sprintf("%s, left by an interrupted render, holds files meshroll did not write, so it was not removed: look at it and remove it by hand", stage))
		}
	}
}

// globEscape escapes the pattern characters of s.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteRune('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inodes returns the identities of the regular files below dir.
func inodes(dir string) (map[fileID]bool, error) {
	out := map[fileID]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipAll
			}
			return err
		}
		if d.Type().IsRegular() {
			if id, ok := inode(p); ok {
				out[id] = true
			}
		}
		return nil
	})
	return out, err
}
