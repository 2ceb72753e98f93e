// Package shift moves a rollout's live phase the way meshroll advance and
// rollback do, for every caller that does it (the CLI's advance, rollback
// and promote, and the MCP server's set_phase and rollback tools): it finds
// the rollout, takes the lock under which intent files are edited, reads
// the intent again once the lock is held, obeys the live phase's hold
// unless forced with a reason, and edits the phase, since and reason fields
// in place through package edit, which leaves every other byte of the file
// as it was.
package shift
