// Package action checks what actionlint cannot: the shell steps of the
// composite action in action.yml, run through shellcheck as the runner would
// run them, and that every action the repository's workflows, its example
// workflow and its action use is pinned by commit with the release in a
// comment.
package action
