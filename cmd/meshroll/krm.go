package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/krm"
	"github.com/meshroll/meshroll/schema"
)

func newKRMCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "krm",
		Short: "Run as a kustomize generator (KRM function) that renders intent",
		Long: `Krm runs meshroll as a KRM function: kustomize passes it a ResourceList on
standard input, and it appends the Istio manifests of the live phase of every
rollout in the intents its configuration names, so that kustomize build renders
intent without a rendered tree in the repository. Name it in a kustomization's
generators, in a file such as meshroll.yaml:

  apiVersion: meshroll.dev/v1alpha1
  kind: Generator
  metadata:
    name: rollouts
    annotations:
      config.kubernetes.io/function: |
        exec:
          path: meshroll
          args: [krm]
  spec:
    intents: [intents]     # relative to the kustomization (default: intents)

and build with kustomize build --enable-alpha-plugins --enable-exec DIR.
Intent paths may not leave the kustomization's directory. Invalid intent, or
routing expectations that fail, fail the build with the problems on standard
error; nothing is generated.`,
		Example: `  kustomize build --enable-alpha-plugins --enable-exec deploy/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return krm.Run(a.stdin, a.stdout, krm.Options{Dir: ".", Check: func(in *schema.Intent) error {
				failed, err := checkExpectations(a.stderr, in)
				if err != nil {
					return err
				}
				if failed {
					return errors.New("routing expectations fail (see meshroll test); nothing was generated")
				}
				return nil
			}})
		},
	}
}
