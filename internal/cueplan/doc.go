// Package cueplan is meshroll's one path from a CUE constraint to a verdict
// on data: the intent schema (schema, against #Intent) and the manifest
// policies (policies, against each policy's constraint) both compile their
// CUE into a Plan here and walk their data with it.
//
// Unifying data with a constraint costs CUE about a millisecond per rollout
// and 0.1 to 0.2 ms per manifest, most of it building the data's CUE value.
// A Plan is the shape of the constraint, derived once from its cue.Value:
// structs with their fields, closedness and pattern, lists with their
// element constraints, unions whose alternatives admit different kinds, and
// scalar Tests (kinds, literals, !=, =~, !~, bounds, strings.MinRunes and
// strings.MaxRunes, and their & and |, with an error("...") alternative as
// the disjunction's message). Walk follows a plan through data presented by
// a View — schema's evaluated intent tree and policies' YAML nodes — and
// asks CUE only what the plan cannot judge: a scalar whose test is unsure
// (remembered per distinct value), or a subtree under a constraint the plan
// cannot follow (a validator on a struct, a disjunction of structs), which
// the View converts into CUE syntax.
//
// Plans are sound where no constraint refers to a field whose value the data
// could change: then CUE evaluation is compositional, and the errors of
// unifying a struct with data are the errors of each field plus closedness.
// Callers decide whether their constraints qualify (policies' safe); the
// intent schema does by construction. Differential tests in schema and
// policies, and their fuzz targets, hold walks to CUE's own verdict.
//
// Options say how the caller's users see data: the intent reports values of
// a kind the schema does not admit and explains failed tests natively, in
// its own words; policies leave other kinds to MR900, treat null as absent
// as the Kubernetes API server does, and phrase CUE's own messages.
package cueplan
