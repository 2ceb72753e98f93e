package manifest

import (
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshroll/meshroll/internal/input"
)

// IsUnit reports whether dir is read as a whole rather than file by file: a
// kustomization, or a Helm chart.
func IsUnit(dir string) bool { return isUnit(dir) }

// ReadUnit passes add the files unit directory dir holds, as Load reads them,
// for readers that compare files rather than objects (diff --from/--to): a
// kustomization that only lists local resources (as meshroll's rendered
// trees do) is the files it lists, each named by its path; any other is
// what krusty builds from it (plugins off, files restricted to its root),
// one stream named by the kustomization file. A Helm chart or a kustomize
// Component holds nothing read on its own (Load notes them as Skipped). A
// kustomization Load could not read or build (Unreadable there) is an error
// naming the file, line and column.
func ReadUnit(dir string, add func(path string, content []byte)) error {
	kfile := kustomizationFile(dir)
	if kfile == "" {
		return nil
	}
	if k, err := readKustomization(dir); err == nil && k.kind() == "Component" {
		return nil
	}
	real, err := input.RealPath(dir)
	if err != nil {
		return err
	}
	s := &kscan{simple: true, boundary: input.RepositoryRoot(real), done: map[string]bool{}}
	if err := s.scan(dir, nil); err != nil {
		return err
	}
	if !s.simple {
		data, err := kustomize(dir, filesys.MakeFsOnDisk())
		if err != nil {
			return err
		}
		add(kfile, data)
		return nil
	}
	for _, f := range s.files {
		data, err := input.ReadFile(f, DefaultLimits().FileBytes)
		if err != nil {
			return err
		}
		add(f, data)
	}
	return nil
}
