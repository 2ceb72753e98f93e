package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshroll/meshroll/diff"
	"github.com/meshroll/meshroll/internal/meta"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

// TestWhoReachesWhat holds the three answers meshroll gives to "where do
// these requests go" to one another, on the bundled intents and in every
// phase: the matrix of meshroll route --all-phases; meshroll route for a
// request that each A/B route takes, and one that none takes; and the rows
// of who reaches what in meshroll diff between consecutive phases of the
// rendered tree. They share one routing engine; this test keeps it so.
func TestWhoReachesWhat(t *testing.T) {
	intents := filepath.Join("..", "..", "fixtures", "intents")
	in, err := schema.Load([]string{intents})
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Tree(in, render.AllPhases)
	if err != nil {
		t.Fatal(err)
	}
	rendered := map[string][]byte{}
	for _, f := range files {
		rendered[f.Path] = f.Content
	}
	for _, r := range in.Rollouts {
		phases := render.Phases(r)

		// The matrix: row → phase → cell.
		var matrix struct {
			Rows []struct {
				Route  string            `json:"route"`
				Phases map[string]string `json:"phases"`
			} `json:"rows"`
		}
		runJSON(t, &matrix, "route", r.ID(), "--intents", intents, "--all-phases", "-o", "json")
		if len(matrix.Rows) != len(r.Routes)+1 || matrix.Rows[len(r.Routes)].Route != route.Everyone {
			t.Fatalf("%s: the matrix has rows %+v, want one per A/B route and %q", r.ID(), matrix.Rows, route.Everyone)
		}

		// The diff: phase → row → cell, from each phase and the next.
		reach := map[string]map[string]string{}
		for i := 0; i+1 < len(phases); i++ {
			from, to := phases[i], phases[i+1]
			res, err := diff.Files(
				[]diff.File{{Path: "vs.yaml", Content: rendered[from+"/"+r.Namespace+"/"+r.Name+".yaml"]}},
				[]diff.File{{Path: "vs.yaml", Content: rendered[to+"/"+r.Namespace+"/"+r.Name+".yaml"]}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rollouts) != 1 {
				t.Fatalf("%s %s → %s: %d rollouts in the diff, want 1", r.ID(), from, to, len(res.Rollouts))
			}
			for _, side := range []string{from, to} {
				if reach[side] == nil {
					reach[side] = map[string]string{}
				}
			}
			for _, row := range res.Rollouts[0].Reach {
				for side, cell := range map[string]string{from: row.Before, to: row.After} {
					cell = intentNames(r, cell)
					if prev, ok := reach[side][row.Route]; ok && prev != cell {
						t.Errorf("%s %s, %s: the diff says %q from one side and %q from the other", r.ID(), side, row.Route, prev, cell)
					}
					reach[side][row.Route] = cell
				}
			}
		}

		for _, row := range matrix.Rows {
			flags := requestFlags(t, r, row.Route)
			for _, phase := range phases {
				want := row.Phases[phase]
				if got := reach[phase][row.Route]; got != want {
					t.Errorf("%s %s, %s: the diff says %q, the matrix %q", r.ID(), phase, row.Route, got, want)
				}
				var out struct {
					Route        struct{ Name string } `json:"route"`
					Destinations []struct {
						Target string  `json:"target"`
						Weight float64 `json:"weight"`
					} `json:"destinations"`
				}
				runJSON(t, &out, append([]string{"route", r.ID(), "--intents", intents, "--phase", phase, "-o", "json"}, flags...)...)
				var shares []traffic.Share
				for _, d := range out.Destinations {
					shares = append(shares, traffic.Share{Target: d.Target, Percent: d.Weight})
				}
				got := traffic.Describe(shares)
				switch out.Route.Name {
				case row.Route:
				case meta.RouteWeighted:
					if row.Route != route.Everyone {
						got += " *" // the phase has no such route
					}
				default:
					t.Errorf("%s %s: the request for %s (%s) takes route %s", r.ID(), phase, row.Route, strings.Join(flags, " "), out.Route.Name)
				}
				if got != want {
					t.Errorf("%s %s, %s: meshroll route %s says %q, the matrix %q", r.ID(), phase, row.Route, strings.Join(flags, " "), got, want)
				}
			}
		}
	}
}

// runJSON runs meshroll in-process and decodes its JSON output into v.
func runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if code := a.run(args); code != 0 {
		t.Fatalf("meshroll %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		t.Fatalf("meshroll %s: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
}

// requestFlags builds the flags of meshroll route for a request that the A/B
// route named takes; none for everyone else.
func requestFlags(t *testing.T, r *schema.Rollout, name string) []string {
	t.Helper()
	if name == route.Everyone {
		return nil
	}
	for _, rt := range r.Routes {
		if rt.Name != name {
			continue
		}
		m := rt.Match
		var flags []string
		for _, h := range m.Headers {
			flags = append(flags, "--header", h.Name+"="+matching(t, h.StringMatch))
		}
		if c := m.Cookie; c != nil {
			flags = append(flags, "--cookie", c.Name+"="+c.Value)
		}
		for k, v := range m.SourceLabels {
			flags = append(flags, "--source-label", k+"="+v)
		}
		if m.URI != nil {
			flags = append(flags, "--uri", matching(t, *m.URI))
		}
		if m.Method != "" {
			flags = append(flags, "--method", m.Method)
		}
		return flags
	}
	t.Fatalf("%s has no A/B route %s", r.ID(), name)
	return nil
}

// matching returns a value that m matches.
func matching(t *testing.T, m schema.StringMatch) string {
	switch m.Kind {
	case "exact", "prefix":
		return m.Value()
	}
	t.Fatalf("no value for a %s match here: give the bundled intent's route a value to test with", m.Kind)
	return ""
}

// intentNames renames the destinations of a cell of the diff, which reads
// manifests and names what is not a track host/subset, as the intent names
// them: "reviews/internal-testing 100%" is "internal-testing 100%".
func intentNames(r *schema.Rollout, cell string) string {
	body, star := strings.CutSuffix(cell, " *")
	parts := strings.Split(body, " / ")
	for i, p := range parts {
		name, share, ok := strings.Cut(p, " ")
		if !ok || name == schema.TrackStable || name == schema.TrackCanary {
			continue
		}
		host, subset, _ := strings.Cut(name, "/")
		parts[i] = fmt.Sprintf("%s %s", traffic.TargetName(r, host, subset), share)
	}
	out := strings.Join(parts, " / ")
	if star {
		out += " *"
	}
	return out
}
