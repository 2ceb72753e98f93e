package render

import (
	"strconv"

	"github.com/meshroll/meshroll/internal/yamlpath"
	"github.com/meshroll/meshroll/schema"
)

// Provenance is where the fields of one rendered object came from: for each
// data path render set (spec.http[5].route[1].weight), the intent field
// that produced it, as a path relative to the rollout (phases[1].canaryWeight)
// for Rollout.Pos. Render records it as it builds the object, when asked
// (Trace), so that nothing has to guess it back from the output.
type Provenance struct {
	rollout *schema.Rollout
	fields  map[string]origin
}

// origin is one recorded field. With below set, the rendered subtree under
// the path mirrors the intent's key for key (a traffic policy), and the
// keys of a longer path extend rel.
type origin struct {
	rel   []any
	below bool
}

// Field returns the intent field that produced the rendered field at data
// path, relative to the rollout: the one recorded at the longest prefix of
// path. Fields that no single intent field produced (metadata, the spec
// itself) return nil: the rollout as a whole.
func (p *Provenance) Field(path string) []any {
	if p == nil {
		return nil
	}
	parsed, err := yamlpath.Parse(path)
	if err != nil {
		return nil
	}
	for n := len(parsed); n > 0; n-- {
		o, ok := p.fields[parsed[:n].String()]
		if !ok {
			continue
		}
		if !o.below {
			return o.rel
		}
		rel := append([]any(nil), o.rel...)
		for _, e := range parsed[n:] {
			if !e.IsIndex {
				rel = append(rel, e.Key)
			}
		}
		return rel
	}
	return nil
}

// Pos returns the position in the intent of the field that produced the
// rendered field at path (see Field).
func (p *Provenance) Pos(path string) schema.Pos {
	return p.rollout.Pos(p.Field(path)...)
}

// recorder collects the provenance of one object while it is built. A nil
// recorder records nothing, so that rendering without Trace pays only for
// the nil checks: callers guard the building of paths with rec != nil.
type recorder struct {
	p *Provenance
}

func newRecorder(r *schema.Rollout) *recorder {
	return &recorder{p: &Provenance{rollout: r, fields: map[string]origin{}}}
}

// set records that the rendered field at path came from the intent field rel.
func (rc *recorder) set(path string, rel ...any) {
	rc.p.fields[path] = origin{rel: rel}
}

// mirror records that the rendered subtree at path mirrors the intent's
// subtree at rel key for key.
func (rc *recorder) mirror(path string, rel ...any) {
	rc.p.fields[path] = origin{rel: rel, below: true}
}

// provenance returns what rc recorded; nil for a nil recorder.
func (rc *recorder) provenance() *Provenance {
	if rc == nil {
		return nil
	}
	return rc.p
}

// index returns path[i] for a data path and a list index.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// phaseField is where the intent sets the weights of phase: its ladder step
// when the rollout writes its own ladder, else the phase field.
func phaseField(r *schema.Rollout, phase string) []any {
	if r.Declares("phases") {
		for i, ph := range r.Phases {
			if ph.Name == phase {
				return []any{"phases", i, "canaryWeight"}
			}
		}
	}
	return []any{"phase"}
}
