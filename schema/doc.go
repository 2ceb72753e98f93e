// Package schema loads rollout intent — CUE files, or the same shape as YAML or
// JSON — and validates it against meshroll's CUE schema (intent.cue, embedded),
// returning typed rollouts with the file, line and column of every value.
//
// The schema is the single source of truth for the shape of an intent. Loading
// does not unify every rollout with it through the CUE evaluator, which costs
// about a millisecond per rollout: #Intent is compiled once by
// internal/cueplan — the one CUE compiler of meshroll, which policies use for
// manifests too — into a plan that enforces the same constraints on the
// evaluated intent natively (see checker.go, which phrases its findings),
// and tests hold it to CUE's own verdict on valid and invalid intents and
// to judging every constraint of intent.cue without CUE. What the schema
// cannot say — a live phase that exists, a route to a defined subset, one
// host per rollout — is checked in Go after.
//
// Intent that is plain data is read from its syntax tree; anything else is
// evaluated by CUE in a child process under the limits of internal/bound
// (see evaluate.go), which sends back the evaluated tree with its positions.
// Callers that may reach it run bound.Serve first in main and TestMain.
package schema
