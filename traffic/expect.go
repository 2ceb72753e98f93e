package traffic

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/meshroll/meshroll/internal/pool"
	"github.com/meshroll/meshroll/schema"
)

// Check is the verdict on one expectation of a rollout in one phase.
type Check struct {
	Rollout     *schema.Rollout
	Expectation schema.Expectation
	Phase       string
	Outcome     Outcome
	// Failed names what differs, e.g. "canary gets 10%, want 100%"; empty
	// when the expectation holds.
	Failed []string
}

// OK reports whether the expectation holds in the phase.
func (c Check) OK() bool { return len(c.Failed) == 0 }

// Name is the expectation's name, or a description of its request.
func (c Check) Name() string {
	if c.Expectation.Name != "" {
		return c.Expectation.Name
	}
	return fmt.Sprintf("expect[%d] (%s)", c.Expectation.Index, DescribeRequest(FromIntent(c.Expectation)))
}

// Phases returns the phases an expectation covers: those it lists, or every
// phase of the ladder (rollback only when listed).
func Phases(r *schema.Rollout, x schema.Expectation) []string {
	if len(x.Phases) > 0 {
		return x.Phases
	}
	out := make([]string, len(r.Phases))
	for i, p := range r.Phases {
		out[i] = p.Name
	}
	return out
}

// tolerance absorbs the rounding of weights that do not divide evenly.
const tolerance = 1e-6

// Expectations checks every expectation of r in every phase it covers.
func (s *Simulator) Expectations(r *schema.Rollout) ([]Check, error) {
	var out []Check
	for _, x := range r.Expect {
		req := FromIntent(x)
		for _, phase := range Phases(r, x) {
			o, err := s.Simulate(r, phase, req)
			if err != nil {
				return nil, err
			}
			c := Check{Rollout: r, Expectation: x, Phase: phase, Outcome: o}
			got := o.ByTarget()
			targets := make([]string, 0, len(x.Reaches))
			for t := range x.Reaches {
				targets = append(targets, t)
			}
			sort.Strings(targets)
			for _, t := range targets {
				if want := x.Reaches[t]; math.Abs(got[t]-want) > tolerance {
					c.Failed = append(c.Failed, fmt.Sprintf("%s gets %s, want %s", t, Percent(got[t]), Percent(want)))
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Explain says where the request went, for a failed check.
func (c Check) Explain() string {
	o := c.Outcome
	where := "no route matched"
	switch res := o.Result; {
	case res.Redirect != nil && !res.Matched:
		where = fmt.Sprintf("the gateway answers %d, a redirect to %s", res.Redirect.Code, res.Redirect.Scheme)
	case !res.Matched && res.Reason != "":
		where = "no route: " + res.Reason
	}
	if o.Result.Matched {
		where = fmt.Sprintf("route %s matched and sends %s", o.Result.Name, Describe(o.Shares))
	}
	return fmt.Sprintf("in phase %s: %s; %s", c.Phase, strings.Join(c.Failed, ", "), where)
}

// CheckAll checks the expectations of every rollout, spreading rollouts over
// the processors; the result keeps the order of in.Rollouts.
func CheckAll(in *schema.Intent) ([]Check, error) {
	s := NewSimulator()
	results := make([][]Check, len(in.Rollouts))
	err := pool.Run(len(in.Rollouts), 0, func(i int) error {
		var err error
		results[i], err = s.Expectations(in.Rollouts[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []Check
	for _, r := range results {
		out = append(out, r...)
	}
	return out, nil
}
