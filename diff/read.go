package diff

import (
	"errors"
	"fmt"
	"sort"

	"github.com/meshroll/meshroll/internal/input"
)

// Units reads a directory as a whole, as meshroll lint does: Is says
// whether dir is one (a kustomization), Build returns the objects it holds
// as one YAML stream (nil: none).
type Units interface {
	Is(dir string) bool
	Build(dir string) ([]byte, error)
}

// Read reads the manifests at root: a file, or a directory searched
// recursively for *.yaml, *.yml and *.json files under the path policy of
// package input (hidden entries and excluded paths skipped, symbolic links
// followed inside the repository, each file read once), the same files
// meshroll lint reads. A directory units takes as a whole (nil: none) is
// one file of what it builds, named by the directory: a kustomization is
// what kustomize builds from it, not every YAML file below it, as lint
// reads it. Paths are relative to root (a file is named by its base name),
// slash-separated and sorted.
func Read(root string, exclude *input.Exclude, units Units) ([]File, error) {
	opt := input.Options{Extensions: []string{".yaml", ".yml", ".json"}, Exclude: exclude}
	if units != nil {
		opt.Unit = units.Is
	}
	entries, err := input.Walk([]string{root}, opt)
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(entries))
	for _, e := range entries {
		if e.Unit {
			data, err := units.Build(e.Path)
			if err != nil {
				return nil, err
			}
			if data != nil {
				files = append(files, File{Path: e.Rel, Content: data})
			}
			continue
		}
		data, err := input.ReadFile(e.Path, MaxFileSize)
		var big *input.TooLargeError
		switch {
		case errors.As(err, &big):
			return nil, fmt.Errorf("%s: manifest files are at most %d bytes", e.Path, MaxFileSize)
		case err != nil:
			return nil, err
		}
		files = append(files, File{Path: e.Rel, Content: data})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}
