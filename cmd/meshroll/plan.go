package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/mdtext"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

type planOptions struct {
	src    intentSource
	output string
}

func newPlanCmd(a *app) *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan ROLLOUT",
		Short: "Show a rollout's phase ladder and its live phase",
		Long: `Plan prints the phase ladder of a rollout: each phase with the stable and
canary weights and how long it holds, the live phase marked, and rollback. With
-o markdown it adds the routing matrix: what each A/B route and everyone else
reach in every phase.
ROLLOUT is a rollout name, or namespace/name when the name is ambiguous.`,
		Example: `  meshroll plan reviews --intents fixtures/intents
  meshroll plan bookinfo/reviews --intents intents -o json
  meshroll plan reviews --intents intents -o markdown   # ladder and routing matrix, for a PR`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output != "text" && o.output != "json" && o.output != "markdown" {
				return usageErrorf("-o must be text, json or markdown, not %q", o.output)
			}
			paths, err := o.src.paths(nil)
			if err != nil {
				return err
			}
			in, err := o.src.load(paths)
			if err != nil {
				return err
			}
			r, err := in.Find(args[0])
			if err != nil {
				return err
			}
			p, err := planOf(r)
			if err != nil {
				return err
			}
			switch o.output {
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			case "markdown":
				m, err := traffic.PhaseMatrix(r, nil)
				if err != nil {
					return err
				}
				writePlanMarkdown(a.stdout, p, m)
				return nil
			}
			writePlanText(a, p)
			return nil
		},
	}
	o.src.register(cmd, true)
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text, json or markdown")
	return cmd
}

// plan is the ladder of one rollout, as printed.
type plan struct {
	Rollout   string      `json:"rollout"`
	Namespace string      `json:"namespace"`
	Live      string      `json:"live"`
	Since     string      `json:"since,omitempty"`
	Steady    bool        `json:"steady"`
	Phases    []planPhase `json:"phases"`
}

type planPhase struct {
	Name   string `json:"name"`
	Stable int    `json:"stable"`
	Canary int    `json:"canary"`
	Hold   string `json:"hold,omitempty"`
	Live   bool   `json:"live"`
}

func planOf(r *schema.Rollout) (plan, error) {
	p := plan{Rollout: r.Name, Namespace: r.Namespace, Live: r.Phase, Steady: r.Canary == nil}
	if !r.Since.IsZero() {
		p.Since = r.Since.UTC().Format(time.RFC3339)
	}
	for _, name := range render.Phases(r) {
		s, c, err := render.Weights(r, name)
		if err != nil {
			return plan{}, err
		}
		pp := planPhase{Name: name, Stable: s, Canary: c, Live: name == r.Phase}
		if ph, ok := r.PhaseNamed(name); ok && ph.Hold > 0 {
			pp.Hold = formatHold(ph.Hold)
		}
		p.Phases = append(p.Phases, pp)
	}
	return p, nil
}

// formatHold writes a duration without zero units: 1h, 1h30m, 90s → 1m30s.
func formatHold(d time.Duration) string {
	var b strings.Builder
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), d%time.Minute
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 || b.Len() == 0 {
		b.WriteString(sec.String())
	}
	return b.String()
}

func writePlanText(a *app, p plan) {
	state := "live phase " + p.Live
	if p.Since != "" {
		state += " since " + p.Since
	}
	if p.Steady {
		state += "; no canary, so every phase sends all traffic to stable"
	}
	fmt.Fprintf(a.stdout, "rollout %s/%s: %s\n\n", p.Namespace, p.Rollout, state)
	width := len("PHASE")
	for _, ph := range p.Phases {
		width = max(width, len(ph.Name))
	}
	fmt.Fprintf(a.stdout, "  %-*s  %6s  %6s  %s\n", width, "PHASE", "STABLE", "CANARY", "HOLD")
	for _, ph := range p.Phases {
		mark := " "
		if ph.Live {
			mark = ">"
		}
		hold := ph.Hold
		if hold == "" {
			hold = "-"
		}
		fmt.Fprintf(a.stdout, "%s %-*s  %5d%%  %5d%%  %s\n", mark, width, ph.Name, ph.Stable, ph.Canary, hold)
	}
}

func writePlanMarkdown(w io.Writer, p plan, m traffic.Matrix) {
	fmt.Fprintf(w, "### Rollout `%s/%s`\n\nLive phase **%s**", p.Namespace, p.Rollout, p.Live)
	if p.Since != "" {
		fmt.Fprintf(w, " since %s", p.Since)
	}
	fmt.Fprint(w, ".\n\n| phase | stable | canary | hold |\n| --- | ---: | ---: | --- |\n")
	for _, ph := range p.Phases {
		name := ph.Name
		if ph.Live {
			name = "**" + name + "** (live)"
		}
		hold := ph.Hold
		if hold == "" {
			hold = "-"
		}
		fmt.Fprintf(w, "| %s | %d%% | %d%% | %s |\n", name, ph.Stable, ph.Canary, hold)
	}
	fmt.Fprint(w, "\n#### Who reaches what\n\n| route |")
	for _, ph := range m.Phases {
		fmt.Fprintf(w, " %s |", ph)
	}
	fmt.Fprint(w, "\n| --- |")
	for range m.Phases {
		fmt.Fprint(w, " --- |")
	}
	fmt.Fprintln(w)
	fallsThrough := false
	for _, row := range m.Rows {
		fmt.Fprintf(w, "| %s |", markdownEscape(row.Route))
		for _, c := range row.Cells {
			cell := traffic.Describe(c.Shares)
			if c.FallsThrough {
				cell += " \\*"
				fallsThrough = true
			}
			fmt.Fprintf(w, " %s |", cell)
		}
		fmt.Fprintln(w)
	}
	if fallsThrough {
		fmt.Fprint(w, "\n\\* the phase has no such route: its requests take the weighted split.\n")
	}
}

// markdownEscape keeps a table cell from breaking the table, formatting the
// comment or notifying anyone.
func markdownEscape(s string) string { return mdtext.Escape(s) }
