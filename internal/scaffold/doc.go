// Package scaffold holds the files meshroll init writes into a repository —
// an example rollout intent, .meshroll.yaml, a pre-commit configuration and a
// GitHub Actions workflow — embedded in the binary, and writes them without
// ever overwriting a file.
//
// The workflow is the same file as examples/github/meshroll.yml, which users
// copy by hand; a test holds the two to the same bytes.
package scaffold
