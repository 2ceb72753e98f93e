// Package mdtext makes text from manifests and intent safe in the Markdown of
// a GitHub pull request comment: it can neither format the comment (HTML
// tags, entities, emphasis, links, table pipes) nor reach anyone (an
// @mention notifies a user or a team, #123 links an issue and leaves a trace
// in it).
package mdtext
