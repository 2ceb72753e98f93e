package diff

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/manifest"
)

// Read reads the manifests at root: a file, or a directory searched
// recursively for *.yaml, *.yml and *.json files under the path policy of
// package input (hidden entries and excluded paths skipped, symbolic links
// followed inside the repository, each file read once), the same files
// meshroll lint reads. A kustomization is the files it holds, as package
// manifest reads it (ReadUnit): those it lists (or what it builds), not
// every file below it. Paths are relative to
// root (a file is named by its base name), slash-separated and sorted.
func Read(root string, exclude *input.Exclude) ([]File, error) {
	opt := input.Options{Extensions: []string{".yaml", ".yml", ".json"}, Exclude: exclude, Unit: manifest.IsUnit}
	entries, err := input.Walk([]string{root}, opt)
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(entries))
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Unit {
			err := manifest.ReadUnit(e.Path, func(p string, data []byte) {
				// The path below the unit, below root.
				rel, err := filepath.Rel(e.Path, p)
				if err != nil {
					rel = filepath.Base(p)
				}
				name := filepath.ToSlash(filepath.Join(filepath.FromSlash(e.Rel), rel))
				if !seen[name] {
					seen[name] = true
					files = append(files, File{Path: name, Content: data})
				}
			})
			if err != nil {
				return nil, err
			}
			continue
		}
		limit := manifest.DefaultLimits().FileBytes
		data, err := input.ReadFile(e.Path, limit)
		var big *input.TooLargeError
		switch {
		case errors.As(err, &big):
			return nil, fmt.Errorf("%s: manifest files are at most %d bytes", e.Path, limit)
		case err != nil:
			return nil, err
		}
		if !seen[e.Rel] {
			seen[e.Rel] = true
			files = append(files, File{Path: e.Rel, Content: data})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}
