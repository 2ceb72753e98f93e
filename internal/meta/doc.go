// Package meta holds the names meshroll writes into the manifests it renders
// and reads back from them: its labels and annotations, the name of the
// weighted route, and the annotation that suppresses a lint rule on one
// resource. It is their one home for render, which writes them, and for lint,
// diff and traffic, which read them, so that none of those copies them or
// imports another for a few strings.
package meta
