// Package review judges what a change does to each rollout's progress, by
// comparing its intent at a base revision with the working tree's: whether
// the live phase moved forward more than one step, or left a phase before
// its hold had passed, without a reason recorded with the move; and what
// changed in the phase ladder. meshroll check --base fails on such a move
// (rule MR602) and meshroll diff --base shows both next to the weights.
//
// A move counts as forced when the rollout's reason is set and differs from
// the one at the base: meshroll advance --force --reason and rollback
// --reason write it, and a plain advance removes it, so a reason left over
// from an earlier move does not excuse a new one.
package review
