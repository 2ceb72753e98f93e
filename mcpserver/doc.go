// Package mcpserver is meshroll's Model Context Protocol server (meshroll
// mcp): the traffic-shifting workflow of the seeds — read the rollout and
// its DestinationRule, shift weights, verify, analyse — offered as MCP
// tools over the GitOps repository instead of a cluster, so that every
// change is an edit of intent that a person reviews as a pull request.
//
// It is built on the official Go SDK (github.com/modelcontextprotocol/go-sdk,
// whose package is named mcp; this package is named mcpserver so that the
// two never need an import alias). Each tool has a JSON input schema, and
// answers with text a person reads and structuredContent a program uses:
//
//	list_rollouts  every rollout: live phase, weights, since, hold left, gate
//	get_rollout    the intent (file:line) and the rendered objects of a phase
//	route          where a request goes, as meshroll route
//	set_phase      edit the live phase as meshroll advance (holds obeyed)
//	rollback       as meshroll rollback
//	diff           what the working tree changes against a revision
//	lint, check    findings as meshroll lint and check -o json
//	gate           the metric verdict from Prometheus, as meshroll gate
//
// The tools call the library packages the CLI calls (repo, shift, probe,
// render, traffic, diff, gate): they run no command but git's plumbing for
// diff (through diff/revision, as meshroll diff --base), never talk to a
// cluster, and write nothing but intent files inside the repository, under
// the lock meshroll advance takes. Writes are serialised within the
// server too. An unknown rollout, a path outside the repository or invalid
// intent is a tool error (isError) with the sentence the CLI would print.
//
// The server reads the repository that holds the working directory, as
// every meshroll command does (meshroll mcp --root DIR changes into DIR
// first). Serve speaks newline-delimited JSON-RPC on a pair of streams; a
// line that is not a JSON-RPC message is answered with a JSON-RPC error and
// the session goes on.
package mcpserver
