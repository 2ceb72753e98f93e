// Package repo is a GitOps repository as meshroll's commands see it: its
// configuration (.meshroll.yaml at the repository root), the intents read
// under the one path policy (the exclude patterns of the configuration and
// of the command line), the rendered tree and where it may lie, and the
// checks, lint runs and comparisons made over them.
//
// The CLI and the MCP server (meshroll mcp) both go through it, so that
// they read the same files, refuse the same paths and judge with the same
// settings.
package repo
