package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/version"
)

func newVersionCmd(a *app) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the meshroll version",
		Long: `Version prints the release meshroll was built from, the commit and its date,
the Go toolchain and the platform. A release binary or go install ...@v0.1.0
prints the tag; a build of a commit between releases prints a Go
pseudo-version; a plain go build without version control prints (devel).`,
		Example: `  meshroll version
  meshroll version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := version.Get()
			switch output {
			case "text":
				fmt.Fprintf(a.stdout, "meshroll %s\n", in)
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			default:
				return usageErrorf("unknown output format %q (want text or json)", output)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// buildVersion is the running binary's version, for reports and scaffolds.
func buildVersion() string { return version.Get().Version }
