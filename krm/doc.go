// Package krm is meshroll as a KRM function: a kustomize generator that reads
// rollout intent and emits the Istio manifests of every rollout's live phase,
// so that kustomize build (with --enable-alpha-plugins --enable-exec), and
// the GitOps tools that run it, render intent without a rendered tree in the
// repository.
//
// The function follows the Configuration Functions Specification: it reads
// a ResourceList on standard input, whose functionConfig is a Generator
// naming the intents, appends the manifests to its items and writes it to
// standard output. kustomize runs it in the directory of the kustomization,
// and intent paths are relative to it and may not leave it, as kustomize's
// own load restrictions require of the files it reads.
package krm
