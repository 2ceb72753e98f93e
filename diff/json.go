package diff

import (
	"encoding/json"
	"io"
)

// JSON writes a Result as one JSON object, indented, in the schema
// documented in the package documentation. Fields are never left out:
// absent values are "" or null, lists are [] when empty.
type JSON struct{}

// JSONVersion is the version of the JSON schema; it changes only when a
// field changes meaning or goes away.
const JSONVersion = 1

type jsonResult struct {
	Version   int            `json:"version"`
	Empty     bool           `json:"empty"`
	Summary   jsonSummary    `json:"summary"`
	Resources []jsonResource `json:"resources"`
}

type jsonSummary struct {
	Headline  string         `json:"headline"`
	Rollouts  []jsonRollout  `json:"rollouts"`
	MTLS      []jsonMTLS     `json:"mtls"`
	Progress  []jsonProgress `json:"progress"`
	Resources jsonCounts     `json:"resources"`
}

type jsonProgress struct {
	Rollout string       `json:"rollout"`
	Move    *jsonMove    `json:"move"`
	Ladder  []jsonLadder `json:"ladder"`
}

type jsonMove struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Reason  string `json:"reason"`
	Problem string `json:"problem"`
}

type jsonLadder struct {
	Kind   string `json:"kind"`
	Phase  string `json:"phase"`
	Before string `json:"before"`
	After  string `json:"after"`
}

type jsonCounts struct {
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
}

type jsonRollout struct {
	Rollout      string         `json:"rollout"`
	Namespace    string         `json:"namespace"`
	Status       Status         `json:"status"`
	File         string         `json:"file"`
	Headline     string         `json:"headline"`
	Phase        jsonTransition `json:"phase"`
	Stable       jsonWeights    `json:"stable"`
	Canary       jsonWeights    `json:"canary"`
	Routes       []jsonRoute    `json:"routes"`
	Mirror       jsonTransition `json:"mirror"`
	Fault        jsonTransition `json:"fault"`
	MTLS         jsonTransition `json:"mtls"`
	OtherChanges bool           `json:"otherChanges"`
	Reach        []jsonReach    `json:"reach"`
	Resources    []string       `json:"resources"`
}

// jsonReach is a row of who reaches what: a route's requests before and
// after.
type jsonReach struct {
	Route  string `json:"route"`
	Before string `json:"before"`
	After  string `json:"after"`
}

type jsonTransition struct {
	Before string `json:"before"`
	After  string `json:"after"`
}

type jsonWeights struct {
	Before *float64 `json:"before"`
	After  *float64 `json:"after"`
}

type jsonRoute struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
}

type jsonMTLS struct {
	Namespace string `json:"namespace"`
	Before    string `json:"before"`
	After     string `json:"after"`
}

type jsonResource struct {
	Resource   string       `json:"resource"`
	APIVersion string       `json:"apiVersion"`
	Kind       string       `json:"kind"`
	Namespace  string       `json:"namespace"`
	Name       string       `json:"name"`
	File       string       `json:"file"`
	OldFile    string       `json:"oldFile"`
	Status     Status       `json:"status"`
	Rollout    string       `json:"rollout"`
	Summary    string       `json:"summary"`
	Changes    []jsonChange `json:"changes"`
}

type jsonChange struct {
	Op     Op     `json:"op"`
	Path   string `json:"path"`
	From   string `json:"from"`
	Before string `json:"before"`
	After  string `json:"after"`
	Brief  bool   `json:"brief"`
}

// Write writes r.
func (JSON) Write(w io.Writer, r *Result) error {
	out := jsonResult{
		Version: JSONVersion,
		Empty:   r.Empty(),
		Summary: jsonSummary{
			Headline: r.Headline(),
			Rollouts: []jsonRollout{},
			MTLS:     []jsonMTLS{},
			Progress: []jsonProgress{},
			Resources: jsonCounts{
				Added:     r.Count(StatusAdded),
				Removed:   r.Count(StatusRemoved),
				Changed:   r.Count(StatusChanged),
				Unchanged: r.Unchanged,
			},
		},
		Resources: []jsonResource{},
	}
	for _, ro := range r.Rollouts {
		jr := jsonRollout{
			Rollout:      ro.Name,
			Namespace:    ro.Namespace,
			Status:       ro.Status,
			File:         ro.File,
			Headline:     ro.Headline(),
			Phase:        jsonTransition(ro.Phase),
			Stable:       jsonWeights(ro.Stable),
			Canary:       jsonWeights(ro.Canary),
			Routes:       []jsonRoute{},
			Reach:        []jsonReach{},
			Mirror:       jsonTransition(ro.Mirror),
			Fault:        jsonTransition(ro.Fault),
			MTLS:         jsonTransition(ro.MTLS),
			OtherChanges: ro.Other,
			Resources:    []string{},
		}
		for _, rc := range ro.Routes {
			jr.Routes = append(jr.Routes, jsonRoute(rc))
		}
		for _, rr := range ro.Reach {
			jr.Reach = append(jr.Reach, jsonReach(rr))
		}
		for _, res := range ro.Resources {
			jr.Resources = append(jr.Resources, res.Label())
		}
		out.Summary.Rollouts = append(out.Summary.Rollouts, jr)
	}
	for _, m := range r.MTLS {
		out.Summary.MTLS = append(out.Summary.MTLS, jsonMTLS(m))
	}
	for _, p := range r.Progress {
		jp := jsonProgress{Rollout: p.Rollout, Ladder: []jsonLadder{}}
		if m := p.Move; m != nil {
			jp.Move = &jsonMove{From: m.From, To: m.To, Reason: m.Reason, Problem: m.Problem}
		}
		for _, c := range p.Ladder {
			jp.Ladder = append(jp.Ladder, jsonLadder(c))
		}
		out.Summary.Progress = append(out.Summary.Progress, jp)
	}
	for _, res := range r.Resources {
		jr := jsonResource{
			Resource:   res.ID(),
			APIVersion: res.APIVersion,
			Kind:       res.Kind,
			Namespace:  res.Namespace,
			Name:       res.Name,
			File:       res.File,
			OldFile:    res.OldFile,
			Status:     res.Status,
			Summary:    res.Summary,
			Changes:    []jsonChange{},
		}
		if ro := res.rollout; ro != nil {
			jr.Rollout = ro.ID()
		}
		for _, c := range res.Changes {
			jr.Changes = append(jr.Changes, jsonChange{Op: c.Op, Path: c.Path, From: c.From, Before: c.Before, After: c.After, Brief: c.Brief})
		}
		out.Resources = append(out.Resources, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
