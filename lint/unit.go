package lint

import "sigs.k8s.io/kustomize/kyaml/filesys"

// Units is how lint reads a directory as a whole, for other readers of a
// tree of manifests that must see what lint sees (diff --from/--to): a
// kustomization is its built objects, a Helm chart nothing.
type Units struct{}

// Is reports whether dir is read as a whole rather than file by file: a
// kustomization, or a Helm chart.
func (Units) Is(dir string) bool { return isUnit(dir) }

// Build returns the objects unit directory dir holds, as one YAML stream:
// what its kustomization builds, as lint builds it (plugins off, files
// restricted to its root), without the origin annotations lint asks for.
// A Helm chart holds nothing meshroll reads (lint notes it as MR903).
func (Units) Build(dir string) ([]byte, error) {
	if kustomizationFile(dir) == "" {
		return nil, nil
	}
	return kustomize(dir, filesys.MakeFsOnDisk())
}
