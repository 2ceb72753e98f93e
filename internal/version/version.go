package version

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// Release is the meshroll release that the documentation pins and that
// meshroll init writes into the files it scaffolds when the running binary
// is not a release build (go build from a clone, a pseudo-version): a
// scaffold must name a tag pre-commit and GitHub can fetch, never a branch.
// Bump it with every release.
const Release = "v0.1.0"

// These are set by release builds through the linker
// (-X github.com/meshroll/meshroll/internal/version.version=v0.1.0 and
// likewise commit and date; see .goreleaser.yaml). A plain go build or go
// install leaves them empty and Get reads the build information instead.
var (
	version = ""
	commit  = ""
	date    = ""
)

// Devel is the version of a binary that knows none: go build of a checkout
// without version control information.
const Devel = "(devel)"

// Info describes the running binary.
type Info struct {
	// Version is the module version: a release tag (v0.1.0) for a release
	// build or go install ...@v0.1.0, a pseudo-version for a build of a
	// commit between releases, or Devel.
	Version string `json:"version"`
	// Commit is the full hash of the commit built, "" when unknown.
	Commit string `json:"commit,omitempty"`
	// Date is the commit's time (RFC 3339, UTC), "" when unknown.
	Date string `json:"date,omitempty"`
	// Modified tells that the working tree had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"goVersion"`
	// Platform is GOOS/GOARCH.
	Platform string `json:"platform"`
}

// Get returns the running binary's Info: the values linked in by a release
// build win, the build information fills what they leave empty.
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return fromBuild(bi, version, commit, date)
}

// fromBuild computes Info from build information (nil when there is none)
// and the linked-in values.
func fromBuild(bi *debug.BuildInfo, linkedVersion, linkedCommit, linkedDate string) Info {
	in := Info{
		Version:   linkedVersion,
		Commit:    linkedCommit,
		Date:      linkedDate,
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi == nil {
		if in.Version == "" {
			in.Version = Devel
		}
		return in
	}
	if bi.GoVersion != "" {
		in.GoVersion = bi.GoVersion
	}
	if in.Version == "" {
		in.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if in.Commit == "" {
				in.Commit = s.Value
			}
		case "vcs.time":
			if in.Date == "" {
				in.Date = s.Value
			}
		case "vcs.modified":
			in.Modified = in.Modified || s.Value == "true"
		}
	}
	if in.Version == "" {
		in.Version = Devel
	}
	return in
}

// String is the one-line form meshroll version prints:
// "v0.1.0 (commit 0123456789ab, 2026-11-20T09:00:00Z)".
func (in Info) String() string {
	var about []string
	if in.Commit != "" {
		c := in.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		if in.Modified {
			c += ", modified"
		}
		about = append(about, "commit "+c)
	}
	if in.Date != "" {
		about = append(about, in.Date)
	}
	about = append(about, in.GoVersion, in.Platform)
	return in.Version + " (" + strings.Join(about, ", ") + ")"
}

// releaseTag matches a semantic version tag that is not a Go
// pseudo-version (v0.0.0-20260101120000-0123456789ab) and carries no build
// metadata such as +dirty: a tag that can be fetched.
var (
	releaseTag    = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	pseudoVersion = regexp.MustCompile(`[0-9]{14}-[0-9a-f]{12}$`)
)

// IsRelease reports whether v is a release tag rather than a
// pseudo-version, a version with build metadata, or Devel.
func IsRelease(v string) bool {
	return releaseTag.MatchString(v) && !pseudoVersion.MatchString(v)
}

// Pin is the release that files written by a binary of version v should
// name: v itself when it is a release, else Release.
func Pin(v string) string {
	if IsRelease(v) {
		return v
	}
	return Release
}

// Semantic returns v as a SemVer 2.0 version without the leading "v"
// (0.1.0, 0.0.0-20260101120000-0123456789ab+dirty), as SARIF's
// semanticVersion wants, or "" when v is not one (Devel).
func Semantic(v string) string {
	s, ok := strings.CutPrefix(v, "v")
	if !ok || !semver.MatchString(s) {
		return ""
	}
	return s
}

// semver is the regular expression of semver.org for a version.
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
