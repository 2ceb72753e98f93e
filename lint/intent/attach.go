package intent

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// Attach points the findings on the rendered tree in directory dir, loaded
// from disk into m, at the intent that produced them, as check reports them:
// every resource of a file under dir that is byte for byte what in renders
// there (its live phase, or every phase of an --all-phases tree) reports at
// the intent's line, with the rendered line as the finding's Origin. Files
// that are stale, hand-written or not under dir keep their own positions: the
// intent no longer says what is in them. It returns how many files it
// attached.
func Attach(in *schema.Intent, m *manifest.Manifests, dir string) (int, error) {
	byID := map[string]*schema.Rollout{}
	for _, r := range in.Rollouts {
		byID[r.Namespace+"/"+r.Name] = r
	}
	var rendered [2]map[string][]byte // by mode, path relative to dir → content
	render1 := func(mode render.Mode) (map[string][]byte, error) {
		if rendered[mode] == nil {
			files, err := render.Tree(in, mode)
			if err != nil {
				return nil, err
			}
			rendered[mode] = map[string][]byte{}
			for _, f := range files {
				rendered[mode][f.Path] = f.Content
			}
		}
		return rendered[mode], nil
	}
	// same caches, per file on disk, whether it is what the intent renders
	// and in which mode.
	type verdict struct {
		ok   bool
		mode render.Mode
	}
	same := map[string]verdict{}
	// traces share one rendering with provenance per file.
	traces := map[string]func() map[string]*render.Provenance{}
	attached := 0
	for _, res := range m.Resources {
		rel, ok := under(dir, res.File)
		if !ok {
			continue
		}
		v, seen := same[res.File]
		if !seen {
			disk, err := os.ReadFile(res.File)
			if err == nil {
				for _, mode := range []render.Mode{render.Live, render.AllPhases} {
					files, err := render1(mode)
					if err != nil {
						return attached, err
					}
					if want, ok := files[rel]; ok && bytes.Equal(want, disk) {
						v = verdict{true, mode}
						attached++
						break
					}
				}
			}
			same[res.File] = v
		}
		if !v.ok {
			continue
		}
		phase, rest := "", rel
		if v.mode == render.AllPhases {
			phase, rest, _ = strings.Cut(rel, "/")
		}
		ns, file, _ := strings.Cut(rest, "/")
		r := byID[ns+"/"+strings.TrimSuffix(file, ".yaml")]
		if r != nil && v.mode == render.Live {
			phase = r.Phase
		}
		trace, ok := traces[res.File]
		if !ok {
			trace = tracer(r, phase)
			traces[res.File] = trace
		}
		res.Remap = remapper(in, r, ns, trace, res)
	}
	return attached, nil
}

// under returns file's slash-separated path relative to dir, and whether it
// is inside dir.
func under(dir, file string) (string, bool) {
	ad, err1 := filepath.Abs(dir)
	af, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(ad, af)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
