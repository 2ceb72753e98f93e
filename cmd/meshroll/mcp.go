package main

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/mcpserver"
	"github.com/meshroll/meshroll/repo"
)

func newMCPCmd(a *app) *cobra.Command {
	var root, configPath string
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the rollout workflow as MCP tools on stdio, over the repository",
		Long: `Mcp serves the Model Context Protocol on standard input and output, for MCP
clients such as Claude Desktop, IDE agents and the MCP Inspector. Its tools
are the rollout workflow over the GitOps repository instead of the cluster:

  list_rollouts  every rollout: live phase, weights, since, hold left, gate
  get_rollout    the intent (file:line) and the rendered objects of a phase
  route          where a request goes, as meshroll route
  set_phase      edit the live phase in place, as meshroll advance
  rollback       as meshroll rollback
  diff           what the working tree changes against a revision (HEAD)
  lint, check    findings as meshroll lint and check -o json
  gate           the metric verdict, as meshroll gate

and the prompts shift_next_phase and roll_back walk through them.

The server is rooted at the repository that holds the working directory (or
--root DIR), with the settings of its .meshroll.yaml, as every command. It
never talks to a cluster and runs nothing but git's plumbing (for diff, as
meshroll diff --base does): set_phase and rollback
edit intent files inside the repository, under the lock meshroll advance
takes, one at a time; nothing else is written. Commit the edits, render,
and open a pull request, as after meshroll advance.

Notices go to standard error; standard output carries only the protocol.`,
		Example: `  meshroll mcp
  meshroll mcp --root ~/src/gitops
  meshroll mcp --config deploy/.meshroll.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath != "" {
				abs, err := filepath.Abs(configPath)
				if err != nil {
					return usageErrorf("--config: %v", err)
				}
				configPath = abs
			}
			if root != "" {
				if err := os.Chdir(root); err != nil {
					return usageErrorf("--root: %v", err)
				}
			}
			// The server works from the repository's root, so that the
			// paths it names and takes are relative to it.
			cfg, err := repo.LoadConfig(configPath)
			if err != nil {
				return err
			}
			dir, err := repo.Root(cfg)
			if err != nil {
				return err
			}
			if err := os.Chdir(dir); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return mcpserver.Serve(ctx, mcpserver.Options{Version: buildVersion(), Config: configPath, Getenv: a.getenv, Log: a.stderr},
				a.stdin, flushing{a.stdout})
		},
	}
	cmd.Flags().StringVar(&root, "root", "", "serve the repository that holds `DIR` (default: the working directory's)")
	cmd.Flags().StringVar(&configPath, "config", "", "configuration file (default: .meshroll.yaml at the repository root)")
	return cmd
}

// flushing writes through a buffered standard output at once: each
// protocol message must reach the client when it is written.
type flushing struct {
	w interface{ Write([]byte) (int, error) }
}

func (f flushing) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(interface{ Flush() error }); ok && err == nil {
		err = fl.Flush()
	}
	return n, err
}
