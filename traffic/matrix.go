package traffic

import (
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// Everyone is the row of the matrix for requests no A/B route takes.
const Everyone = "anyone else"

// Matrix is what each A/B route, and everyone else, reaches in each phase.
type Matrix struct {
	Phases []string
	Rows   []Row
}

// Row is one A/B route (or Everyone) across the phases.
type Row struct {
	Route string
	// Cells are in the order of Matrix.Phases.
	Cells []Cell
}

// Cell is where a row's requests go in one phase.
type Cell struct {
	Shares []Share
	// FallsThrough is true when the phase renders no such route (rollback
	// drops the A/B routes), so its requests take the weighted split.
	FallsThrough bool
}

// PhaseMatrix tabulates r over phases (all of them, rollback included, when
// phases is empty) from the rendered VirtualServices.
func PhaseMatrix(r *schema.Rollout, phases []string) (Matrix, error) {
	if len(phases) == 0 {
		phases = render.Phases(r)
	}
	m := Matrix{Phases: phases}
	names := make([]string, 0, len(r.Routes)+1)
	for _, rt := range r.Routes {
		names = append(names, rt.Name)
	}
	names = append(names, Everyone)
	m.Rows = make([]Row, len(names))
	for i, n := range names {
		m.Rows[i].Route = n
	}
	for _, phase := range phases {
		vs, err := VirtualService(r, phase)
		if err != nil {
			return Matrix{}, err
		}
		var weighted []Share
		byName := map[string][]Share{}
		for _, hr := range vs.Http {
			var shares []Share
			total := int32(0)
			for _, d := range hr.Route {
				total += d.Weight
			}
			for _, d := range hr.Route {
				p := 100.0
				if len(hr.Route) > 1 && total > 0 {
					p = float64(d.Weight) * 100 / float64(total)
				}
				shares = append(shares, Share{Target: TargetName(r, d.Destination.Host, d.Destination.Subset), Host: d.Destination.Host, Subset: d.Destination.Subset, Percent: p})
			}
			byName[hr.Name] = shares
			if hr.Name == render.RouteWeighted {
				weighted = shares
			}
		}
		for i := range m.Rows {
			name := m.Rows[i].Route
			if name == Everyone {
				m.Rows[i].Cells = append(m.Rows[i].Cells, Cell{Shares: weighted})
				continue
			}
			if s, ok := byName[name]; ok {
				m.Rows[i].Cells = append(m.Rows[i].Cells, Cell{Shares: s})
			} else {
				m.Rows[i].Cells = append(m.Rows[i].Cells, Cell{Shares: weighted, FallsThrough: true})
			}
		}
	}
	return m, nil
}
