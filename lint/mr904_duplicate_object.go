package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/meshroll/meshroll/manifest"
)

func duplicateObject() *Rule {
	return &Rule{
		ID:          "MR904",
		Name:        "duplicate-object",
		Severity:    Warning,
		SeverityWhy: `Warning when the definitions differ: Istio accepts either one, but which one is in force depends on apply order. Info when they are identical: harmless duplication.`,
		Summary:     "one Istio object (kind, namespace, name) defined twice",
		Doc: `An object is identified by its kind, namespace and name. When two manifests
define the same one, the cluster keeps only one of them: kubectl apply lets
the one applied last win, and Argo CD reports a repeated resource and syncs one
of them. Which definition is in force then depends on file order, and a change
to the other one silently does nothing.

The rule reports the second definition and names the first. It is a warning
when the two differ (what runs may not be what the reader of either file
expects, but Istio accepts either) and an info when they are the same
(harmless, but one of them is dead weight). Objects of different kustomizations are not compared: overlays
for different clusters define the same objects on purpose; so are the objects
one base contributes to several builds.

Keep each object in one file.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 100}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 10}}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: bookinfo}
spec:
  host: reviews
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 100}}
`,
		Since:  since,
		Anchor: "kubectl apply, Argo CD RepeatedResourceWarning",
		Run:    runDuplicateObject,
	}
}

func runDuplicateObject(pass *Pass) {
	type key struct{ kind, ns, name string }
	first := map[key]*manifest.Resource{}
	roots := kustomizationRoots{}
	for _, r := range pass.Resources {
		if !r.IsIstio() || r.Name == "" {
			continue
		}
		k := key{r.Kind, r.Namespace, r.Name}
		f, dup := first[k]
		if !dup {
			first[k] = r
			continue
		}
		if f.File == r.File && f.Doc == r.Doc && f.Item == r.Item {
			continue // one declaration that several builds contribute
		}
		if a, b := roots.of(f.File), roots.of(r.File); a != b {
			continue // different kustomizations: different builds
		}
		at := pass.Position(f, "metadata.name")
		if sameSpec(f, r) {
			pass.ReportSeverityf(Info, r, "metadata.name", "%s is also defined, identically, at %s; the cluster keeps one object: remove one definition", r.ID(), at)
			continue
		}
		pass.Reportf(r, "metadata.name", "%s is also defined at %s, differently; the cluster keeps only one of them (kubectl: the one applied last), so one definition silently does nothing: keep one", r.ID(), at)
	}
}

// Position renders where a resource's field is, as file:line:col.
func (p *Pass) Position(r *manifest.Resource, path string) string {
	pos := r.Position(path)
	return fmt.Sprintf("%s:%d:%d", pos.File, pos.Line, pos.Column)
}

// sameSpec reports whether two resources carry the same spec.
func sameSpec(a, b *manifest.Resource) bool {
	if a.Spec != nil && b.Spec != nil {
		return proto.Equal(a.Spec, b.Spec) && mapsEqual(a.Labels.Map(), b.Labels.Map()) && mapsEqual(a.Annotations.Map(), b.Annotations.Map())
	}
	return false
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// kustomizationRoots finds, for a file, the nearest directory above it
// that holds a kustomization file ("" for none), caching what it looked up.
type kustomizationRoots struct {
	mu    sync.Mutex
	cache map[string]string
}

func (k *kustomizationRoots) of(file string) string {
	if file == "" || file == "<stdin>" {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cache == nil {
		k.cache = map[string]string{}
	}
	dir := filepath.Dir(file)
	var visited []string
	root := ""
	for {
		if r, ok := k.cache[dir]; ok {
			root = r
			break
		}
		visited = append(visited, dir)
		if hasKustomization(dir) {
			root = dir
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	for _, v := range visited {
		k.cache[v] = root
	}
	return root
}

func hasKustomization(dir string) bool {
	for _, n := range manifest.KustomizationNames {
		if fi, err := os.Stat(filepath.Join(dir, n)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}
