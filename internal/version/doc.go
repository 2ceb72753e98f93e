// Package version says which meshroll this is: the release it was built
// from, the commit and the commit's date, read from the build information
// the Go toolchain stamps into every binary, or from the values a release
// build links in. It also holds Release, the one release the documentation
// and the files meshroll init writes pin when the running binary is not a
// release itself.
package version
