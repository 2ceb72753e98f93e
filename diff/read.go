package diff

import (
	"errors"
	"fmt"
	"sort"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/manifest"
)

// Read reads the manifests at root: a file, or a directory searched
// recursively for *.yaml, *.yml and *.json files under the path policy of
// package input (hidden entries and excluded paths skipped, symbolic links
// followed inside the repository, each file read once), the same files
// meshroll lint reads. Paths are relative to root (a file is named by its
// base name), slash-separated and sorted.
func Read(root string, exclude *input.Exclude) ([]File, error) {
	entries, err := input.Walk([]string{root}, input.Options{Extensions: []string{".yaml", ".yml", ".json"}, Exclude: exclude})
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(entries))
	for _, e := range entries {
		limit := manifest.DefaultLimits().FileBytes
		data, err := input.ReadFile(e.Path, limit)
		var big *input.TooLargeError
		switch {
		case errors.As(err, &big):
			return nil, fmt.Errorf("%s: manifest files are at most %d bytes", e.Path, limit)
		case err != nil:
			return nil, err
		}
		files = append(files, File{Path: e.Rel, Content: data})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}
