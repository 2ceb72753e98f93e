package revision

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// gitTree is the file tree of a revision as an input.FS, presented under the
// working tree's root so that a walk of the revision follows exactly the
// policy of a walk of the disk: the same hidden entries and excludes left
// out, symbolic links followed inside the repository, loops refused.
type gitTree struct {
	root  string           // absolute root the tree is presented under
	files map[string]entry // slash path → blob (regular file or link)
	dirs  map[string][]string
	links map[string]string // slash path → link target, for links
}

// newGitTree indexes a listing; links holds the targets of its symbolic
// links.
func newGitTree(root string, entries []entry, links map[string]string) *gitTree {
	t := &gitTree{root: root, files: map[string]entry{}, dirs: map[string][]string{"": nil}, links: links}
	children := map[string]map[string]bool{}
	add := func(dir, name string) {
		if children[dir] == nil {
			children[dir] = map[string]bool{}
		}
		children[dir][name] = true
	}
	for _, e := range entries {
		if e.typ != "blob" || !safePath(e.path) {
			continue // submodules, and names no file system can hold
		}
		t.files[e.path] = e
		p := e.path
		for p != "" {
			dir, name := path.Split(p)
			dir = strings.TrimSuffix(dir, "/")
			add(dir, name)
			p = dir
		}
	}
	for dir, names := range children {
		list := make([]string, 0, len(names))
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		t.dirs[dir] = list
	}
	return t
}

// rel turns a name under root into a slash path of the tree; ok is false
// for a name outside it.
func (t *gitTree) rel(name string) (string, bool) {
	name = filepath.Clean(name)
	if name == t.root {
		return "", true
	}
	r, err := filepath.Rel(t.root, name)
	if err != nil || !filepath.IsLocal(r) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// resolve follows the symbolic links of p, component by component, as the
// kernel would. outside is set, with the cleaned path, when a link leads
// out of the tree.
func (t *gitTree) resolve(p string) (real string, outside bool, err error) {
	const maxHops = 40
	parts := strings.Split(p, "/")
	if p == "" {
		parts = nil
	}
	cur := ""
	for hops := 0; len(parts) > 0; {
		next := path.Join(cur, parts[0])
		parts = parts[1:]
		target, isLink := t.links[next]
		if !isLink {
			cur = next
			continue
		}
		if hops++; hops > maxHops {
			return "", false, &fs.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		if path.IsAbs(target) {
			return path.Join(append([]string{target}, parts...)...), true, nil
		}
		joined := path.Join(append([]string{path.Dir(next), target}, parts...)...)
		if joined == ".." || strings.HasPrefix(joined, "../") {
			return joined, true, nil
		}
		// Start again from the top with the link replaced.
		cur, parts = "", strings.Split(joined, "/")
		if joined == "." {
			parts = nil
		}
	}
	return cur, false, nil
}

func (t *gitTree) abs(p string) string {
	if p == "" {
		return t.root
	}
	return filepath.Join(t.root, filepath.FromSlash(p))
}

func (t *gitTree) RealPath(name string) (string, error) {
	r, ok := t.rel(name)
	if !ok {
		return "", &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	real, outside, err := t.resolve(r)
	if err != nil {
		return "", err
	}
	if outside {
		if path.IsAbs(real) {
			return filepath.FromSlash(real), nil
		}
		return filepath.Join(t.root, filepath.FromSlash(real)), nil
	}
	if _, err := t.statReal(real, name); err != nil {
		return "", err
	}
	return t.abs(real), nil
}

func (t *gitTree) Stat(name string) (fs.FileInfo, error) {
	r, ok := t.rel(name)
	if !ok {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	real, outside, err := t.resolve(r)
	if err != nil {
		return nil, err
	}
	if outside {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return t.statReal(real, name)
}

func (t *gitTree) statReal(real, name string) (fs.FileInfo, error) {
	if _, ok := t.dirs[real]; ok {
		return fileInfo{name: path.Base("/" + real), mode: fs.ModeDir | 0o755}, nil
	}
	if e, ok := t.files[real]; ok && t.links[real] == "" {
		mode := fs.FileMode(0o644)
		if e.mode != "100644" && e.mode != "100755" {
			mode |= fs.ModeIrregular
		}
		return fileInfo{name: path.Base(real), mode: mode}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (t *gitTree) ReadDir(name string) ([]fs.DirEntry, error) {
	r, ok := t.rel(name)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	real, outside, err := t.resolve(r)
	if err != nil {
		return nil, err
	}
	names, ok := t.dirs[real]
	if outside || !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(names))
	for _, n := range names {
		p := path.Join(real, n)
		var mode fs.FileMode
		switch _, isDir := t.dirs[p]; {
		case isDir:
			mode = fs.ModeDir | 0o755
		case t.links[p] != "" || t.files[p].mode == "120000":
			mode = fs.ModeSymlink | 0o777
		case t.files[p].mode == "100644", t.files[p].mode == "100755":
			mode = 0o644
		default:
			mode = fs.ModeIrregular
		}
		out = append(out, fs.FileInfoToDirEntry(fileInfo{name: n, mode: mode}))
	}
	return out, nil
}

func (t *gitTree) RepositoryRoot(string) string { return t.root }

// object returns the blob of the file at the real path p (absolute).
func (t *gitTree) object(p string) (entry, error) {
	r, ok := t.rel(p)
	if e, found := t.files[r]; ok && found {
		return e, nil
	}
	return entry{}, errors.New(p + ": not a file of the revision")
}

type fileInfo struct {
	name string
	mode fs.FileMode
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return 0 }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return time.Time{} }
func (f fileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }
