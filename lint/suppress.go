package lint

import (
	"sort"
	"strings"

	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/manifest"
)

// A suppression is the annotation meta.SuppressPrefix+ID on one resource:
// meshroll.dev/ignore.MR301: "<why the finding does not apply>". The reason
// is mandatory; a suppression without one, or naming no rule of the run,
// suppresses nothing and is reported as MR901.

// suppression is one ignore annotation of a resource.
type suppression struct {
	key, id, reason string
}

// suppressionsOf returns the ignore annotations of r, sorted by key.
func suppressionsOf(r *manifest.Resource) []suppression {
	var out []suppression
	for k, v := range r.Annotations.Map() {
		if id, ok := strings.CutPrefix(k, meta.SuppressPrefix); ok {
			out = append(out, suppression{key: k, id: id, reason: strings.TrimSpace(v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// suppressions returns the valid suppressions of every resource: a known
// rule and a reason.
func suppressions(resources []*manifest.Resource, known map[string]bool) map[*manifest.Resource]map[string]bool {
	out := map[*manifest.Resource]map[string]bool{}
	for _, r := range resources {
		for _, s := range suppressionsOf(r) {
			if known[s.id] && s.reason != "" {
				if out[r] == nil {
					out[r] = map[string]bool{}
				}
				out[r][s.id] = true
			}
		}
	}
	return out
}
