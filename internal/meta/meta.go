package meta

// Labels and annotations meshroll puts on what it renders.
const (
	LabelManagedBy    = "app.kubernetes.io/managed-by"
	ManagedBy         = "meshroll"
	AnnotationRollout = "meshroll.dev/rollout"
	AnnotationPhase   = "meshroll.dev/phase"
	AnnotationSince   = "meshroll.dev/phase-since"
	// AnnotationReason is why the live phase was entered out of the
	// ordinary: a forced advance or a rollback (the intent's reason).
	AnnotationReason = "meshroll.dev/phase-reason"
)

// RouteWeighted is the name of the http route that splits the traffic
// between the tracks; the A/B routes carry their intent names.
const RouteWeighted = "weighted"

// SuppressPrefix starts the annotation that suppresses a rule on one
// resource: meshroll.dev/ignore.MR301: "<why the finding does not apply>".
const SuppressPrefix = "meshroll.dev/ignore."

// UnusedSubset is the ID of lint's unused-subset rule, which render
// suppresses on the DestinationRules of rollback.
const UnusedSubset = "MR104"

// Suppress returns the annotation key that suppresses rule id.
func Suppress(id string) string { return SuppressPrefix + id }
