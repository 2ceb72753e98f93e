package suppress

// Prefix starts the annotation that suppresses a rule on one resource:
// meshroll.dev/ignore.MR301: "<why the finding does not apply>".
const Prefix = "meshroll.dev/ignore."

// UnusedSubset is the ID of lint's unused-subset rule, which render
// suppresses on the DestinationRules of rollback.
const UnusedSubset = "MR104"

// Key returns the annotation key that suppresses rule id.
func Key(id string) string { return Prefix + id }
