// Package precommit tests meshroll's hooks for the pre-commit framework
// (.pre-commit-hooks.yaml) the way a user meets them: the real pre-commit
// builds meshroll from a snapshot of this checkout and runs the hooks on
// git commit in a scratch repository. It has no code besides the test.
//
// The test needs git, go and pre-commit on the PATH and skips, saying so,
// without them, unless MESHROLL_REQUIRE_PRECOMMIT=1 (as .ci/run sets), when it
// fails instead.
package precommit
