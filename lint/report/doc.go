// Package report writes lint reports: text for terminals, JSON, SARIF 2.1.0
// for code scanning, GitHub workflow commands that annotate a pull request's
// diff, and Markdown for a pull request comment. Each format is a Reporter in
// a file of its own; all print the diagnostics in the report's order.
package report
