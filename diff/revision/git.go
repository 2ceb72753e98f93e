package revision

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/meshroll/meshroll/internal/input"
)

// MaxFileSize bounds a file read from a revision: intent files are at most
// this large (schema refuses larger ones), and a hostile repository cannot
// fill the disk through the temporary copy.
const MaxFileSize = 32 << 20

// MissingError is an intents path that the revision does not have, such
// as the intents directory before the commit that added it.
type MissingError struct{ Path, Ref string }

func (e *MissingError) Error() string { return fmt.Sprintf("%s does not exist at %s", e.Path, e.Ref) }

// Repo is a git repository, reached through the git on PATH.
type Repo struct {
	// Root is the top directory of the working tree, symbolic links
	// resolved.
	Root string
	// dir is the absolute directory relative paths are taken from.
	dir string
	git string
}

// Open finds the repository whose working tree holds dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, errors.New("diff --base reads the base revision with git, and git is not on PATH")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r := &Repo{dir: abs, git: git}
	out, err := r.run(ctx, abs, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("diff --base needs a git repository, and %s is not in the working tree of one (%w)", abs, err)
	}
	root := strings.TrimRight(string(out), "\n")
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	r.Root = root
	return r, nil
}

// command builds a git command that runs nothing the repository
// configures: no pager, no filesystem monitor, no transport (so a partial
// clone cannot fetch missing objects), no terminal prompt, no optional
// locks, and pathspecs taken literally.
func (r *Repo) command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	full := append([]string{
		"--no-pager", "--literal-pathspecs",
		"-c", "core.fsmonitor=false",
		"-c", "core.untrackedCache=false",
		"-c", "protocol.allow=never",
		"-C", dir,
	}, args...)
	cmd := exec.CommandContext(ctx, r.git, full...)
	cmd.Env = append(os.Environ(),
		"GIT_TERMINAL_PROMPT=0",
		"GIT_NO_LAZY_FETCH=1",
		"GIT_OPTIONAL_LOCKS=0",
		"GIT_PAGER=cat",
		"PAGER=cat",
		"LC_ALL=C",
	)
	return cmd
}

// run runs git in dir and returns its output; an error carries the first
// line git wrote to stderr.
func (r *Repo) run(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := r.command(ctx, dir, args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, gitError(err, stderr.Bytes())
	}
	return out, nil
}

func gitError(err error, stderr []byte) error {
	msg, _, _ := strings.Cut(strings.TrimSpace(string(stderr)), "\n")
	if msg == "" {
		return fmt.Errorf("git: %w", err)
	}
	return fmt.Errorf("git: %s", msg)
}

// Resolve returns the commit ref names.
func (r *Repo) Resolve(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", errors.New("the base revision is empty")
	}
	out, err := r.run(ctx, r.Root, nil, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("revision %q is not a commit of the repository at %s; fetch it first (git fetch origin %s) or name another", ref, r.Root, ref)
	}
	return strings.TrimSpace(string(out)), nil
}

// Rel returns p (relative to the directory the repository was opened
// from, or absolute) as a slash-separated path relative to Root, and an
// error when it lies outside the working tree.
func (r *Repo) Rel(p string) (string, error) {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(r.dir, p)
	}
	rel, err := filepath.Rel(r.Root, input.ResolveExisting(abs))
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("%s is outside the repository at %s", p, r.Root)
	}
	return filepath.ToSlash(rel), nil
}

// entry is one file of a tree listing.
type entry struct {
	mode, typ, object, path string
}

// Blob is a file read from a revision.
type Blob struct {
	Path string // slash-separated, relative to Root
	Data []byte
}

// Export reads the files under paths (slash-separated, relative to Root;
// "." for everything) at commit into memory: the files a walk of the
// working tree with opt would read there, under the same policy (package
// input), each named by its path below Root as the walk found it. It reads
// objects with git ls-tree and git cat-file --batch, which apply no
// filters, run no hooks and leave the working tree and the index alone.
// Symbolic links are followed inside the repository, as in the working
// tree; one that leads out of it, a loop, and a path missing at commit are
// errors naming ref.
func (r *Repo) Export(ctx context.Context, ref, commit string, paths []string, opt input.Options) ([]Blob, error) {
	out, err := r.run(ctx, r.Root, nil, "ls-tree", "-r", "-z", "--full-tree", commit)
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", strings.Join(paths, ", "), ref, err)
	}
	entries, err := parseTree(out)
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", strings.Join(paths, ", "), ref, err)
	}
	// The targets of symbolic links are the content of their blobs.
	var links []entry
	for _, e := range entries {
		if e.typ == "blob" && e.mode == "120000" && safePath(e.path) {
			links = append(links, e)
		}
	}
	targets := map[string]string{}
	if len(links) > 0 {
		blobs, err := r.catFiles(ctx, ref, links)
		if err != nil {
			return nil, err
		}
		for _, b := range blobs {
			targets[b.Path] = string(b.Data)
		}
	}
	tree := newGitTree(r.Root, entries, targets)
	args := make([]string, len(paths))
	for i, p := range paths {
		args[i] = tree.abs(strings.TrimPrefix(path.Clean(p), "."))
	}
	found, err := input.WalkFS(tree, args, opt)
	if err != nil {
		var msgs []string
		for _, pr := range input.Problems(err) {
			name := pr.Path
			if rel, ok := tree.rel(name); ok {
				name = rel
			}
			if pr.Msg == input.Describe(fs.ErrNotExist) {
				if slices.Contains(args, pr.Path) {
					return nil, &MissingError{Path: name, Ref: ref}
				}
				msgs = append(msgs, fmt.Sprintf("%s does not exist at %s", name, ref))
				continue
			}
			msgs = append(msgs, fmt.Sprintf("%s at %s: %s", name, ref, pr.Msg))
		}
		return nil, errors.New(strings.Join(msgs, "\n"))
	}
	files := make([]entry, 0, len(found))
	for _, f := range found {
		e, err := tree.object(f.Real)
		if err != nil {
			return nil, err
		}
		rel, _ := tree.rel(f.Path)
		e.path = rel
		files = append(files, e)
	}
	return r.catFiles(ctx, ref, files)
}

// parseTree reads the NUL-terminated output of git ls-tree -z:
// "<mode> SP <type> SP <object> TAB <path>".
func parseTree(out []byte) ([]entry, error) {
	var entries []entry
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := bytes.Cut(rec, []byte{'\t'})
		fields := strings.Fields(string(meta))
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("unexpected tree entry %q", rec)
		}
		entries = append(entries, entry{mode: fields[0], typ: fields[1], object: fields[2], path: string(p)})
	}
	return entries, nil
}

// safePath reports whether p, from a tree, is a plain relative path that
// stays inside the directory it is written into on every system.
func safePath(p string) bool {
	return fs.ValidPath(p) && p != "." && !strings.ContainsAny(p, `\:`) && filepath.IsLocal(filepath.FromSlash(p))
}

// catFiles reads the blobs of files from one git cat-file --batch.
func (r *Repo) catFiles(ctx context.Context, ref string, files []entry) ([]Blob, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var in bytes.Buffer
	for _, f := range files {
		in.WriteString(f.object + "\n")
	}
	cmd := r.command(ctx, r.Root, "cat-file", "--batch")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("git cat-file: %w", err)
	}
	br := bufio.NewReaderSize(stdout, 64<<10)
	blobs := make([]Blob, 0, len(files))
	copyErr := func() error {
		for _, f := range files {
			header, err := br.ReadString('\n')
			if err != nil {
				return fmt.Errorf("reading %s at %s: %w", f.path, ref, err)
			}
			fields := strings.Fields(header)
			if len(fields) != 3 || fields[0] != f.object || fields[1] != "blob" {
				return fmt.Errorf("reading %s at %s: git answered %q", f.path, ref, strings.TrimSpace(header))
			}
			size, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil || size < 0 {
				return fmt.Errorf("reading %s at %s: git answered %q", f.path, ref, strings.TrimSpace(header))
			}
			if size > MaxFileSize {
				return fmt.Errorf("%s at %s is %d bytes; intent files are at most %d", f.path, ref, size, MaxFileSize)
			}
			data := make([]byte, size)
			if _, err := io.ReadFull(br, data); err != nil {
				return fmt.Errorf("reading %s at %s: %w", f.path, ref, err)
			}
			blobs = append(blobs, Blob{Path: f.path, Data: data})
			if b, err := br.ReadByte(); err != nil || b != '\n' {
				return fmt.Errorf("reading %s at %s: the object does not end where git said", f.path, ref)
			}
		}
		return nil
	}()
	if copyErr != nil {
		// Stop git rather than wait for it to write what nobody reads.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, copyErr
	}
	if err := cmd.Wait(); err != nil {
		return nil, gitError(err, stderr.Bytes())
	}
	return blobs, nil
}
