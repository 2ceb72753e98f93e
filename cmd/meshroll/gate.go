package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/gate"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

// metricOptions are the flags of the commands that query Prometheus.
type metricOptions struct {
	src        intentSource
	prometheus string
	timeout    time.Duration
	output     string
	// now is the hidden --now flag: the time the metrics are read at and
	// holds are judged at, instead of the clock.
	now string
}

func (o *metricOptions) flags(cmd *cobra.Command) {
	o.src.register(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.prometheus, "prometheus", "", "Prometheus `URL` (default: prometheus.url in .meshroll.yaml)")
	f.DurationVar(&o.timeout, "timeout", gate.DefaultTimeout, "how long to wait for each query")
	f.StringVarP(&o.output, "output", "o", "text", "output format: "+strings.Join(gate.Formats, ", "))
	f.StringVar(&o.now, "now", "", "the current time (RFC 3339), instead of the clock")
	_ = f.MarkHidden("now")
}

// client checks the flags and returns the Prometheus client: --prometheus,
// else prometheus.url of the configuration, with the bearer token from the
// environment variable prometheus.tokenEnv names.
// prepare is what gate and promote start with: the Prometheus client, the
// time the metrics are judged at, and the intents (and their paths).
func (o *metricOptions) prepare(a *app) (c *gate.Client, now time.Time, paths []string, in *schema.Intent, err error) {
	if c, err = o.client(a); err != nil {
		return
	}
	if now, err = clockAt(o.now); err != nil {
		return
	}
	if paths, err = o.src.paths(nil); err != nil {
		return
	}
	in, err = o.src.load(paths)
	return
}

func (o *metricOptions) client(a *app) (*gate.Client, error) {
	if !contains(gate.Formats, o.output) {
		return nil, usageErrorf("-o must be one of %s, not %q", strings.Join(gate.Formats, ", "), o.output)
	}
	if o.timeout <= 0 {
		return nil, usageErrorf("--timeout must be positive, such as 30s")
	}
	cfg, err := o.src.configuration()
	if err != nil {
		return nil, err
	}
	c, err := repo.Prometheus(cfg, o.prometheus, o.timeout, a.getenv)
	if err != nil {
		return nil, usageError(err)
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func newGateCmd(a *app) *cobra.Command {
	var o metricOptions
	cmd := &cobra.Command{
		Use:   "gate ROLLOUT...",
		Short: "Judge the live phase of rollouts on their metrics in Prometheus",
		Long: `Gate evaluates every metric of each rollout's analysis, now, against
Prometheus, and gives a verdict per rollout: pass, fail (a metric out of its
bounds) or no-data (a query returned nothing, or NaN). It writes nothing.

Exit status: 0 when every rollout passes, 1 when any fails or has no data, 2
on misuse, invalid intent, a rollout without an analysis, or when Prometheus
cannot answer (unreachable, too slow, or a query that does not come back as
one number).

The Prometheus address is --prometheus, else prometheus.url in
.meshroll.yaml; a bearer token is read from the environment variable that
prometheus.tokenEnv names. ROLLOUT is a rollout name, or namespace/name.`,
		Example: `  meshroll gate reviews --prometheus http://localhost:9090
  meshroll gate bookinfo/reviews shop/cart -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, now, _, in, err := o.prepare(a)
			if err != nil {
				return err
			}
			rs, err := findRollouts(in, args)
			if err != nil {
				return err
			}
			var results []*gate.Result
			for _, r := range rs {
				if err := gate.RequireAnalysis(r); err != nil {
					return usageError(err)
				}
				res, err := c.Evaluate(cmd.Context(), r, now)
				if err != nil {
					return gateError(err)
				}
				results = append(results, res)
			}
			if err := gate.WriteResults(a.stdout, o.output, results); err != nil {
				return err
			}
			for _, res := range results {
				if res.Verdict != gate.Pass {
					return errFindings
				}
			}
			return nil
		},
	}
	o.flags(cmd)
	return cmd
}

// findRollouts finds each rollout named in refs, once each, in order.
func findRollouts(in *schema.Intent, refs []string) ([]*schema.Rollout, error) {
	var out []*schema.Rollout
	seen := map[*schema.Rollout]bool{}
	for _, ref := range refs {
		r, err := in.Find(ref)
		if err != nil {
			return nil, usageError(err)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// gateError reports a gate that cannot say: exit status 2, and a note that
// nothing was written.
func gateError(err error) error {
	var ge *gate.Error
	if errors.As(err, &ge) {
		return usageError(fmt.Errorf("%w\nnothing was written", ge))
	}
	return err
}
