package lint

import (
	"fmt"
	"time"

	"github.com/meshroll/meshroll/manifest"
)

// Intent is what `meshroll lint --intents` knows about the rollout intent
// behind the manifests: the facts the intent-level rules check. The caller
// (package lint/intent) computes them, so that this package reads
// manifests and knows nothing of CUE.
type Intent struct {
	Rollouts []IntentRollout
}

// IntentRollout is one rollout of the intent.
type IntentRollout struct {
	Namespace, Name string
	// Pos is the rollout's declaration.
	Pos manifest.Position
	// Canary tells whether the rollout has a canary track.
	Canary bool
	// Phases is the ladder, in order.
	Phases []IntentPhase
	// Checks are the verdicts on the routing expectations, one each.
	Checks []ExpectationCheck
	// Move is the change of the live phase since a base revision (check
	// --base); nil when there is no base or the phase did not move.
	Move *PhaseMove
}

// PhaseMove is a change of a rollout's live phase since a base revision.
type PhaseMove struct {
	From, To string
	// Problem says why the move breaks the ladder's holds; "" when it
	// keeps them or records a reason.
	Problem string
	// Pos is the rollout's phase field.
	Pos manifest.Position
}

// ID is the resource name intent findings carry: Rollout/namespace/name.
func (r IntentRollout) ID() string { return "Rollout/" + r.Namespace + "/" + r.Name }

// IntentPhase is a step of a ladder.
type IntentPhase struct {
	Name         string
	CanaryWeight int
	Hold         time.Duration
	// Pos is the phase's canaryWeight, or the rollout's phase field when the
	// ladder is the default one and not in the user's file.
	Pos manifest.Position
}

// ExpectationCheck is the verdict on one routing expectation over the
// phases it covers.
type ExpectationCheck struct {
	Name   string
	Phases []string
	// Failure says, phase by phase, what differs; empty when the
	// expectation holds everywhere.
	Failure string
	Pos     manifest.Position
}

// ReportAtf reports an intent-level finding at pos on the rollout r.
func (p *Pass) ReportAtf(r IntentRollout, pos manifest.Position, format string, args ...any) {
	p.findings = append(p.findings, finding{d: Diagnostic{
		Rule:     p.Rule.ID,
		Name:     p.Rule.Name,
		Severity: p.Rule.Severity,
		Resource: r.ID(),
		Position: pos,
		Message:  fmt.Sprintf(format, args...),
	}})
}
