package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/meshroll/meshroll/internal/version"
)

// templates are the files init writes, under files/ as they are laid out in
// the target directory. A name ending in .tmpl is a text/template, written
// without the suffix; the others are written as they are.
//
//go:embed all:files
var templates embed.FS

const (
	templateRoot   = "files"
	templateSuffix = ".tmpl"
)

// WorkflowPath is where init writes the example GitHub Actions workflow.
const WorkflowPath = ".github/workflows/meshroll.yml"

// File is one file to write: a slash-separated path relative to the target
// directory, and its content.
type File struct {
	Path    string
	Content []byte
}

// Options fill the templates.
type Options struct {
	// Version is the version of the meshroll binary, as "meshroll version"
	// prints it. A release version is what the pre-commit configuration and
	// the workflow pin; anything else (a development build) pins
	// version.Release, never a branch.
	Version string
}

// Files returns the files to write, sorted by path.
func Files(o Options) ([]File, error) {
	data := struct {
		// Rev is the release tag the scaffold pins.
		Rev string
	}{version.Pin(o.Version)}
	var files []File
	err := fs.WalkDir(templates, templateRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, templateRoot+"/")
		if name, ok := strings.CutSuffix(rel, templateSuffix); ok {
			t, err := template.New(rel).Option("missingkey=error").Parse(string(content))
			if err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			var b bytes.Buffer
			if err := t.Execute(&b, data); err != nil {
				return fmt.Errorf("template %s: %w", rel, err)
			}
			rel, content = name, b.Bytes()
		}
		files = append(files, File{Path: rel, Content: content})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the embedded templates: %w", err)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// ExistsError reports files that init will not overwrite.
type ExistsError struct {
	// Paths are the paths that exist, as given to Write joined with dir.
	Paths []string
}

func (e *ExistsError) Error() string {
	what := fmt.Sprintf("%d files already exist", len(e.Paths))
	if len(e.Paths) == 1 {
		what = "1 file already exists"
	}
	return fmt.Sprintf("%s, so nothing was written: move them away or scaffold into another directory: %s",
		what, strings.Join(e.Paths, ", "))
}

// Write writes files under dir, creating directories as needed. It checks
// every target first and writes nothing when any exists (an *ExistsError
// naming them all), and it never replaces a file: one created meanwhile
// stops it, and the files it had written are removed again.
func Write(dir string, files []File) (written []string, err error) {
	var exist []string
	for _, f := range files {
		p, err := inTheWay(dir, f.Path)
		if err != nil {
			return nil, err
		}
		if p != "" && !slices.Contains(exist, p) {
			exist = append(exist, p)
		}
	}
	if len(exist) > 0 {
		return nil, &ExistsError{Paths: exist}
	}
	defer func() {
		if err != nil {
			for _, p := range slices.Backward(written) {
				os.Remove(p)
			}
			written = nil
		}
	}()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("creating %s: %w", path.Dir(f.Path), err)
		}
		if err := create(p, f.Content); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// inTheWay returns the path under dir that stops rel from being created: rel
// itself when it exists (as anything, a symbolic link included), or a parent
// that exists and is not a directory. It returns "" when nothing is in the way.
func inTheWay(dir, rel string) (string, error) {
	p := dir
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		p = filepath.Join(p, part)
		fi, err := os.Stat(p)
		if i == len(parts)-1 {
			fi, err = os.Lstat(p)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return "", nil
		case err != nil:
			return "", fmt.Errorf("checking %s: %w", p, err)
		case i == len(parts)-1 || !fi.IsDir():
			return p, nil
		}
	}
	return "", nil
}

// create writes a new file; O_EXCL makes it fail rather than replace a file
// or follow a symbolic link.
func create(p string, content []byte) error {
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", p, err)
	}
	if _, err := out.Write(content); err != nil {
		out.Close()
		os.Remove(p)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := out.Close(); err != nil {
		os.Remove(p)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}
