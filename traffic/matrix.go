package traffic

import (
	"fmt"

	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
)

// Matrix is what each A/B route, and everyone else, reaches in each phase.
type Matrix struct {
	Phases []string
	Rows   []Row
}

// Row is one A/B route (or route.Everyone) across the phases.
type Row struct {
	Route string
	// NotAtGateway is set in an ingress matrix for an A/B route that
	// matches workload labels that requests through the gateway do not
	// carry: no such request takes it.
	NotAtGateway bool
	// Cells are in the order of Matrix.Phases.
	Cells []Cell
}

// Cell is where a row's requests go in one phase.
type Cell struct {
	Shares []Share
	// FallsThrough is true when the phase renders no such route (rollback
	// drops the A/B routes), so its requests take the weighted split.
	FallsThrough bool
	// Answer, in an ingress matrix, is what the gateway answers every
	// request of the phase with when it does not route them to the rollout:
	// "no route", a redirect such as "301 to https", or "routed by" another
	// VirtualService.
	Answer string
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
	names = append(names, route.Everyone)
	m.Rows = make([]Row, len(names))
	for i, n := range names {
		m.Rows[i].Route = n
	}
	for _, phase := range phases {
		vs, err := VirtualService(r, phase)
		if err != nil {
			return Matrix{}, err
		}
		// What each rendered route does comes from the routing engine, as
		// for a simulated request.
		rt := route.Compile(vs, r.Namespace)
		var weighted []Share
		byName := map[string][]Share{}
		for i, hr := range vs.Http {
			shares := outcome(r, phase, rt.Route(i)).Shares
			byName[hr.Name] = shares
			if hr.Name == meta.RouteWeighted {
				weighted = shares
			}
		}
		for i := range m.Rows {
			name := m.Rows[i].Route
			s, ok := byName[name]
			if name == route.Everyone || !ok {
				s = weighted
			}
			m.Rows[i].Cells = append(m.Rows[i].Cells, Cell{Shares: s, FallsThrough: name != route.Everyone && !ok})
		}
	}
	return m, nil
}

// Ingress is the matrix of requests that arrive through a gateway, with the
// simulated request in each phase.
type Ingress struct {
	Matrix
	// Request holds the request's outcome in each phase, in the order of
	// Matrix.Phases; its Rollout is nil when no rollout took the request.
	Request []Outcome
}

// IngressMatrix tabulates rollout r over phases (all of them when phases is
// empty) for requests that arrive through gateway id, with every rollout of
// others (which may include r) at its live phase, as the gateway sees them
// all. Each phase's cells hold what the gateway does with req, or with
// requests that match each A/B route: where the gateway does not route the
// request's host at all (Cell.Answer), every cell of the phase says so; an
// A/B route that matches workload labels the gateway's requests do not carry
// is marked in Row.NotAtGateway.
func (s *Simulator) IngressMatrix(r *schema.Rollout, others []*schema.Rollout, phases []string, id string, req route.Request) (Ingress, error) {
	m, err := PhaseMatrix(r, phases)
	if err != nil {
		return Ingress{}, err
	}
	all := []*schema.Rollout{r}
	for _, o := range others {
		if o != r {
			all = append(all, o)
		}
	}
	labels := req.SourceLabels
	if labels == nil {
		for _, g := range s.Gateways {
			if g.Namespace+"/"+g.Name == id && g.Spec != nil {
				labels = g.Spec.GetSelector()
			}
		}
	}
	for i, rt := range r.Routes {
		for k, v := range rt.Match.SourceLabels {
			if labels[k] != v {
				m.Rows[i].NotAtGateway = true
			}
		}
	}
	out := Ingress{Matrix: m}
	bare := route.Request{Authority: req.Authority, Port: req.Port, Scheme: req.Scheme, SourceLabels: req.SourceLabels}
	for p, phase := range m.Phases {
		phaseOf := func(x *schema.Rollout) string {
			if x == r {
				return phase
			}
			return x.Phase
		}
		o, err := s.Ingress(all, phaseOf, id, req)
		if err != nil {
			return Ingress{}, err
		}
		out.Request = append(out.Request, o)
		b, err := s.Ingress(all, phaseOf, id, bare)
		if err != nil {
			return Ingress{}, err
		}
		answer := ""
		switch res := b.Result; {
		case res.Matched && b.Rollout != r:
			answer = "routed by " + res.VirtualService
		case res.Matched:
		case res.Redirect != nil:
			answer = fmt.Sprintf("%d to %s", res.Redirect.Code, res.Redirect.Scheme)
		case res.Arrival != nil && res.Arrival.Refused != "":
			answer = "no route"
		}
		if answer != "" {
			for i := range out.Rows {
				out.Rows[i].Cells[p] = Cell{Answer: answer}
			}
		}
	}
	return out, nil
}
