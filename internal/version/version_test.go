package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuild(t *testing.T) {
	settings := []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "vcs.time", Value: "2026-11-20T09:00:00Z"},
		{Key: "vcs.modified", Value: "false"},
	}
	for _, tt := range []struct {
		name                string
		bi                  *debug.BuildInfo
		linkV, linkC, linkD string
		wantV, wantC, wantD string
		wantMod             bool
	}{
		{name: "no build info", wantV: Devel},
		{name: "go build without VCS", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, wantV: Devel},
		{name: "go install @v0.1.0", bi: &debug.BuildInfo{Main: debug.Module{Version: "v0.1.0"}}, wantV: "v0.1.0"},
		{name: "go build of a clone", bi: &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20261120090000-0123456789ab+dirty"},
			Settings: append(settings[:2:2], debug.BuildSetting{Key: "vcs.modified", Value: "true"})},
			wantV: "v0.1.1-0.20261120090000-0123456789ab+dirty", wantC: settings[0].Value, wantD: "2026-11-20T09:00:00Z", wantMod: true},
		{name: "release build", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings},
			linkV: "v0.2.0", linkC: "fedcba", linkD: "2026-12-01T00:00:00Z",
			wantV: "v0.2.0", wantC: "fedcba", wantD: "2026-12-01T00:00:00Z"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := fromBuild(tt.bi, tt.linkV, tt.linkC, tt.linkD)
			if got.Version != tt.wantV || got.Commit != tt.wantC || got.Date != tt.wantD || got.Modified != tt.wantMod {
				t.Errorf("got %+v, want version %q commit %q date %q modified %v", got, tt.wantV, tt.wantC, tt.wantD, tt.wantMod)
			}
		})
	}
}

func TestPinAndSemantic(t *testing.T) {
	for _, tt := range []struct {
		v, pin, semantic string
	}{
		{"v0.1.0", "v0.1.0", "0.1.0"},
		{"v1.2.3-rc.1", "v1.2.3-rc.1", "1.2.3-rc.1"},
		{"v0.1.1-0.20261120090000-0123456789ab", Release, "0.1.1-0.20261120090000-0123456789ab"},
		{"v0.1.0+dirty", Release, "0.1.0+dirty"},
		{Devel, Release, ""},
		{"", Release, ""},
		{"main", Release, ""},
	} {
		if got := Pin(tt.v); got != tt.pin {
			t.Errorf("Pin(%q) = %q, want %q", tt.v, got, tt.pin)
		}
		if got := Semantic(tt.v); got != tt.semantic {
			t.Errorf("Semantic(%q) = %q, want %q", tt.v, got, tt.semantic)
		}
	}
	if !IsRelease(Release) {
		t.Errorf("Release %q is not a release tag", Release)
	}
}

func TestString(t *testing.T) {
	in := Info{Version: "v0.1.0", Commit: "0123456789abcdef", Date: "2026-11-20T09:00:00Z", GoVersion: "go1.26.8", Platform: "linux/amd64"}
	if got, want := in.String(), "v0.1.0 (commit 0123456789ab, 2026-11-20T09:00:00Z, go1.26.8, linux/amd64)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
