// Package suppress names the annotation that suppresses a lint rule on one
// resource, and the IDs of the rules that code outside lint suppresses. It
// is the one home of both for lint, which honours suppressions, and render,
// which writes one, so that render need not import lint (and with it the
// whole engine) for two strings.
package suppress
