package lint

import (
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshroll/meshroll/internal/input"
)

// Units reads a directory as a whole, as lint does, for other readers of a
// tree of manifests that must see the files lint sees (diff --from/--to).
type Units struct{}

// Is reports whether dir is read as a whole rather than file by file: a
// kustomization, or a Helm chart.
func (Units) Is(dir string) bool { return isUnit(dir) }

// Read passes add the files unit directory dir holds, as lint reads them: a
// kustomization that only lists local resources (as meshroll's rendered
// trees do) is the files it lists, each named by its path; any other is
// what krusty builds from it (plugins off, files restricted to its root),
// one stream named by the kustomization file. A Helm chart or a kustomize
// Component holds nothing read on its own (lint notes them as MR903). A
// kustomization lint could not read or build (MR902 there) is an error
// naming the file, line and column.
func (Units) Read(dir string, add func(path string, content []byte)) error {
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
