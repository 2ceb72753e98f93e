// Package intent lints rollout intent: it renders every phase of every
// rollout in memory, lints each phase's tree as meshroll lint would lint it
// on disk, and reports each finding at the line of the intent that produced
// it (from the provenance render records, render.Trace) — people edit
// intent, not output — together with the intent-level rules (MR206, MR210,
// MR601), which it feeds the facts they check.
package intent
