// Package edit changes the live phase of a rollout in its intent file in
// place: it rewrites the bytes of the `phase` and `since` values (or inserts
// them beside the rollout's other fields) and leaves every other byte of the
// file, its formatting and its comments, as it was.
//
// It edits CUE (through cue/parser positions), YAML (through yaml.v3 node
// positions) and JSON (through encoding/json token offsets). Every edit is
// proved before it is offered: the edited files are loaded again with
// schema.Load, and the result must hold the new phase and since and be
// otherwise the same intent, rollout for rollout. Next decides which phase an
// advance goes to and whether the live phase's hold allows it.
package edit
