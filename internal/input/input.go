package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/internal/rawfile"
)

// Options say what a walk collects.
type Options struct {
	// Extensions are the file name extensions collected from directories,
	// lower case with the dot (".yaml"); case is ignored when matching.
	Extensions []string
	// SkipDirs are directory names never entered (such as "cue.mod").
	SkipDirs []string
	// Exclude leaves out the paths it matches; nil excludes nothing.
	Exclude *Exclude
	// Unit, when set, reports whether a directory met in a walk is read as
	// a whole (a kustomization) rather than walked; such a directory is an
	// Entry with Unit set, and the walk does not enter it. A directory
	// argument is asked too.
	Unit func(dir string) bool
}

// Entry is one file (or unit directory) a walk found.
type Entry struct {
	// Path names the entry as the user sees it: the argument, joined with
	// the path below it.
	Path string
	// Real is the absolute path with every symbolic link resolved.
	Real string
	// Rel is the slash-separated path below the argument; for a file
	// argument, its base name.
	Rel string
	// Arg is the argument the entry was found under.
	Arg string
	// Unit is set for a directory that Options.Unit accepted.
	Unit bool
}

// Error is a problem with one path.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

// Walk expands args (files and directories) into the entries to read, in
// order: arguments as given, the files of a directory in lexical order. A
// file reached twice, through two arguments or two links, is listed once,
// at its first path. It returns every problem found, as *Error values
// joined with errors.Join, and no entries when there is one.
func Walk(args []string, opt Options) ([]Entry, error) { return WalkFS(Disk, args, opt) }

// FS is what a walk reads: the disk, or the tree of a git revision
// presented under the repository's path, so that both follow one policy.
type FS interface {
	// Stat describes name, following symbolic links.
	Stat(name string) (fs.FileInfo, error)
	// ReadDir lists a directory, sorted by name; a symbolic link's type
	// is fs.ModeSymlink.
	ReadDir(name string) ([]fs.DirEntry, error)
	// RealPath is the absolute path of name with every link resolved.
	RealPath(name string) (string, error)
	// RepositoryRoot is the repository that holds the real path p, or "".
	RepositoryRoot(p string) string
}

// Disk is the file system of the machine.
var Disk FS = disk{}

type disk struct{}

func (disk) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (disk) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (disk) RealPath(name string) (string, error)       { return RealPath(name) }
func (disk) RepositoryRoot(p string) string             { return RepositoryRoot(p) }

// WalkFS is Walk on fsys.
func WalkFS(fsys FS, args []string, opt Options) ([]Entry, error) {
	w := &walker{fsys: fsys, opt: opt, files: map[string]bool{}, dirs: map[string]bool{}}
	for _, a := range args {
		w.arg(a)
	}
	if len(w.errs) > 0 {
		return nil, errors.Join(w.errs...)
	}
	return w.out, nil
}

type walker struct {
	fsys  FS
	opt   Options
	out   []Entry
	errs  []error
	files map[string]bool // real paths of files listed
	dirs  map[string]bool // real paths of directories walked
}

func (w *walker) fail(path, format string, args ...any) {
	w.errs = append(w.errs, &Error{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (w *walker) arg(a string) {
	fi, err := w.fsys.Stat(a)
	if err != nil {
		w.fail(a, "%s", Describe(err))
		return
	}
	real, err := w.fsys.RealPath(a)
	if err != nil {
		w.fail(a, "%s", Describe(err))
		return
	}
	if !fi.IsDir() {
		w.add(Entry{Path: a, Real: real, Rel: filepath.Base(a), Arg: a})
		return
	}
	if w.opt.Unit != nil && w.opt.Unit(a) {
		w.add(Entry{Path: a, Real: real, Rel: ".", Arg: a, Unit: true})
		return
	}
	boundary := w.fsys.RepositoryRoot(real)
	if boundary == "" {
		boundary = real
	}
	w.dir(a, a, "", real, boundary, nil)
}

func (w *walker) add(e Entry) {
	if w.files[e.Real] {
		return
	}
	w.files[e.Real] = true
	w.out = append(w.out, e)
}

// dir walks the directory at path (real path real), found under arg at
// rel; stack holds the real paths of the directories being walked, for
// loops.
func (w *walker) dir(arg, path, rel, real, boundary string, stack []string) {
	if w.dirs[real] {
		return // reached before through another path: read once
	}
	w.dirs[real] = true
	stack = append(stack, real)
	entries, err := w.fsys.ReadDir(path)
	if err != nil {
		w.fail(path, "%s", Describe(err))
		return
	}
	for _, d := range entries {
		name := d.Name()
		p := filepath.Join(path, name)
		r := name
		if rel != "" {
			r = rel + "/" + name
		}
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir := d.IsDir()
		target := filepath.Join(real, name)
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			t, err := w.fsys.RealPath(p)
			if err != nil {
				w.fail(p, "is a symbolic link that leads nowhere (%s); remove it or make it point at a file", Describe(err))
				continue
			}
			if !Within(t, boundary) {
				w.fail(p, "is a symbolic link to %s, outside %s; meshroll follows links only inside the repository", t, boundary)
				continue
			}
			fi, err := w.fsys.Stat(t)
			if err != nil {
				w.fail(p, "%s", Describe(err))
				continue
			}
			if fi.IsDir() && slices.Contains(stack, t) {
				w.fail(p, "is a symbolic link back to %s, which holds it: a loop; remove the link", t)
				continue
			}
			target, isDir, mode = t, fi.IsDir(), fi.Mode().Type()
		}
		if w.opt.Exclude.Match(p, isDir) {
			continue
		}
		if isDir {
			if slices.Contains(w.opt.SkipDirs, name) {
				continue
			}
			if w.opt.Unit != nil && w.opt.Unit(p) {
				if !w.dirs[target] {
					w.dirs[target] = true
					w.add(Entry{Path: p, Real: target, Rel: r, Arg: arg, Unit: true})
				}
				continue
			}
			w.dir(arg, p, r, target, boundary, stack)
			continue
		}
		if !w.wanted(name) {
			continue
		}
		if !mode.IsRegular() {
			w.fail(p, "is not a regular file (%s); meshroll reads only regular files in directories", describeMode(mode))
			continue
		}
		w.add(Entry{Path: p, Real: target, Rel: r, Arg: arg})
	}
}

func (w *walker) wanted(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return slices.Contains(w.opt.Extensions, ext)
}

func describeMode(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "not a file"
}

// RealPath returns the absolute path of p with symbolic links resolved.
func RealPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// ResolveExisting returns the absolute path of p with the symbolic links
// of its longest existing part resolved, so that paths compare whatever
// links lead to them, even where p itself does not exist (yet).
func ResolveExisting(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	var rest []string
	for cur := abs; ; {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{real}, rest...)...)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return abs
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
		cur = parent
	}
}

// Within reports whether path lies at or below dir; both are clean
// absolute paths.
func Within(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}

// RepositoryRoot returns the real path of the git repository that holds
// the real path p (the nearest directory at or above it with a .git
// entry), or "" when there is none.
func RepositoryRoot(p string) string {
	for dir := p; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Describe says what went wrong with a file in words, without repeating
// its path.
func Describe(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or directory"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// TooLargeError reports a file beyond the size limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: is larger than %d bytes, the limit for one file", e.Path, e.Limit)
}

// ReadFile reads the file at path, at most limit bytes: a longer file is a
// *TooLargeError. It reads anything open(2) can (a pipe from process
// substitution included), in one allocation when the size is known.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, size, err := rawfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	data, err := ReadLimited(f, size, limit+1)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// ReadLimited reads at most limit bytes from r, in one allocation when the
// size is known (-1 when not).
func ReadLimited(r io.Reader, size, limit int64) ([]byte, error) {
	if size < 0 {
		size = 512
	} else {
		size++ // one more to see the end
	}
	buf := make([]byte, 0, min(size, limit))
	for int64(len(buf)) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// Problems returns the *Error values in err (one, or several joined);
// any other error becomes an Error without a path.
func Problems(err error) []*Error {
	if err == nil {
		return nil
	}
	var out []*Error
	var flat func(error)
	flat = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				flat(e)
			}
			return
		}
		var ie *Error
		if errors.As(err, &ie) {
			out = append(out, ie)
			return
		}
		out = append(out, &Error{Msg: err.Error()})
	}
	flat(err)
	return out
}
