package gate

import (
	"encoding/json"
	"io"
)

type jsonResults struct {
	Rollouts []jsonResult `json:"rollouts"`
}

type jsonResult struct {
	Rollout string       `json:"rollout"`
	Phase   string       `json:"phase"`
	Verdict string       `json:"verdict"`
	Metrics []jsonMetric `json:"metrics"`
}

// jsonMetric is one metric. Value is null when there is none (no data,
// NaN, ±Inf, which JSON cannot hold); note then says which.
type jsonMetric struct {
	Name  string   `json:"name"`
	Query string   `json:"query"`
	Value *float64 `json:"value"`
	Min   *float64 `json:"min"`
	Max   *float64 `json:"max"`
	Pass  bool     `json:"pass"`
	Note  string   `json:"note,omitempty"`
}

func writeResultsJSON(w io.Writer, rs []*Result) error {
	out := jsonResults{Rollouts: []jsonResult{}}
	for _, r := range rs {
		jr := jsonResult{Rollout: r.Rollout.ID(), Phase: r.Phase, Verdict: r.Verdict, Metrics: []jsonMetric{}}
		for _, m := range r.Metrics {
			jr.Metrics = append(jr.Metrics, jsonMetric{Name: m.Name, Query: m.Query, Value: m.Value, Min: m.Min, Max: m.Max, Pass: m.Pass, Note: m.Note})
		}
		out.Rollouts = append(out.Rollouts, jr)
	}
	return encode(w, out)
}

type jsonDecisions struct {
	Decisions []jsonDecision `json:"decisions"`
}

type jsonDecision struct {
	Rollout string `json:"rollout"`
	From    string `json:"from"`
	To      string `json:"to"`
	Action  string `json:"action"`
	Reason  string `json:"reason"`
}

func writeDecisionsJSON(w io.Writer, ds []Decision) error {
	out := jsonDecisions{Decisions: []jsonDecision{}}
	for _, d := range ds {
		out.Decisions = append(out.Decisions, jsonDecision{Rollout: d.Rollout.ID(), From: d.From, To: d.To, Action: d.Action, Reason: d.Reason})
	}
	return encode(w, out)
}

func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
