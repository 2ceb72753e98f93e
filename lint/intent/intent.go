package intent

import (
	"bytes"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/review"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

// Lint lints in: the tree files rendered from it in mode (render.Tree's
// output; nil renders it here), each phase tree on its own, with positions
// mapped to the intent, and the intent-level rules once.
func Lint(in *schema.Intent, files []render.File, mode render.Mode, opts lint.Options) (*lint.Report, error) {
	return LintChange(in, nil, time.Time{}, files, mode, opts, "")
}

// LintChange is Lint of in as a change of base, the intent at a base
// revision (nil: none): the rules that judge a change (MR602) compare each
// rollout's live phase with base's at time now. When the tree is also written
// in directory dir (the out of a configured repository), each finding moved
// to the intent keeps the line of dir's rendered file as its Origin; with dir
// "" the rendering exists only in memory, and findings have no Origin.
func LintChange(in, base *schema.Intent, now time.Time, files []render.File, mode render.Mode, opts lint.Options, dir string) (*lint.Report, error) {
	facts, err := Facts(in)
	if err != nil {
		return nil, err
	}
	if base != nil {
		addMoves(facts, review.Compare(base, in, now))
	}
	if files == nil {
		if files, err = render.Tree(in, mode); err != nil {
			return nil, err
		}
	}
	trees := Trees(in, files, mode)
	var all []lint.Diagnostic

	var rules []*lint.Rule
	resources, linted := 0, 0
	for i, m := range trees {
		rep, err := lint.Run(m, opts)
		if err != nil {
			return nil, err
		}
		// The findings carry their positions: the tree, and the provenance
		// its remappers recorded, can go before the next phase's.
		trees[i] = nil
		all = append(all, rep.Diagnostics...)
		rules = rep.Rules
		resources += rep.Resources
		linted += rep.Files
	}
	// The intent-level rules run once, on no manifests.
	intentOpts := opts
	intentOpts.Intent = facts
	rep, err := lint.Run(&manifest.Manifests{}, intentOpts)
	if err != nil {
		return nil, err
	}
	all = append(all, rep.Diagnostics...)
	if rules == nil {
		rules = rep.Rules
	}
	ds := dedupe(all)
	for i := range ds {
		ds[i].Origin = originIn(dir, ds[i].Origin)
	}
	// The summary counts what was linted: the rendered objects and files.
	return &lint.Report{Diagnostics: ds, Rules: rules, Files: linted, Resources: resources}, nil
}

// originIn places the origin of a finding, a position in a rendered file
// named relative to the tree, in dir; without a dir there is no file to
// point at.
func originIn(dir string, p manifest.Position) manifest.Position {
	if dir == "" || p.File == "" {
		return manifest.Position{}
	}
	p.File = filepath.Join(dir, filepath.FromSlash(p.File))
	return p
}

// dedupe sorts diagnostics and drops those that repeat one of an earlier
// phase: a finding in the intent shows once, however many phases have it.
func dedupe(ds []lint.Diagnostic) []lint.Diagnostic {
	lint.SortDiagnostics(ds)
	return slices.CompactFunc(ds, func(a, b lint.Diagnostic) bool {
		return a.Rule == b.Rule && a.Position == b.Position && a.Message == b.Message && a.Severity == b.Severity
	})
}

// Trees parses a rendered tree (render.Tree's files in mode) into
// manifests, one per phase tree — one in all for Live — whose positions map
// to the intent. The trees are in phase-name order.
func Trees(in *schema.Intent, files []render.File, mode render.Mode) []*manifest.Manifests {
	byID := map[string]*schema.Rollout{}
	for _, r := range in.Rollouts {
		byID[r.Namespace+"/"+r.Name] = r
	}
	trees := map[string]*manifest.Manifests{}
	var phases []string
	for _, f := range files {
		phase, rest := "", f.Path
		if mode == render.AllPhases {
			phase, rest, _ = strings.Cut(f.Path, "/")
		}
		ns, file := path.Split(rest)
		ns = strings.TrimSuffix(ns, "/")
		if file == render.KustomizationFile || ns == "" {
			continue
		}
		m, ok := trees[phase]
		if !ok {
			m = &manifest.Manifests{}
			trees[phase] = m
			phases = append(phases, phase)
		}
		r := byID[ns+"/"+strings.TrimSuffix(file, ".yaml")]
		rphase := phase
		if r != nil && mode == render.Live {
			rphase = r.Phase
		}
		parsed := manifest.Parse(f.Path, bytes.Clone(f.Content), manifest.LoadOptions{Inspect: lint.Inspect})
		trace := tracer(r, rphase)
		for _, res := range parsed.Resources {
			res.Remap = remapper(in, r, ns, trace, res)
		}
		m.Resources = append(m.Resources, parsed.Resources...)
		m.Problems = append(m.Problems, parsed.Problems...)
		m.Files = append(m.Files, parsed.Files...)
	}
	sort.Strings(phases)
	out := make([]*manifest.Manifests, len(phases))
	for i, p := range phases {
		out[i] = trees[p]
	}
	return out
}

// tracer returns the provenance of the objects rendered from rollout r in
// phase, by Kind/name. Render records it only when asked and lint asks only
// when a finding needs a position, so the rendering runs at most once per
// file, and only for files with findings. It is safe for concurrent use, as
// a Remapper must be.
func tracer(r *schema.Rollout, phase string) func() map[string]*render.Provenance {
	if r == nil {
		return nil
	}
	return sync.OnceValue(func() map[string]*render.Provenance {
		objs, err := render.Trace(r, phase)
		if err != nil {
			// The file was rendered from this rollout and phase: this cannot
			// fail, and without provenance findings land on the rollout.
			return nil
		}
		out := make(map[string]*render.Provenance, len(objs))
		for _, o := range objs {
			t, m := o.Meta()
			out[t.Kind+"/"+m.Name] = o.Provenance
		}
		return out
	})
}

// remapper maps the positions of a rendered resource to the intent: of its
// rollout r, through the provenance render recorded (trace, tracer's), or
// for a PeerAuthentication (r nil) of the rollout or mesh block that sets
// the namespace's mode.
func remapper(in *schema.Intent, r *schema.Rollout, ns string, trace func() map[string]*render.Provenance, res *manifest.Resource) manifest.Remapper {
	if r == nil {
		pos, ok := mtlsSource(in, ns)
		if !ok {
			return nil
		}
		return func(string, manifest.Position) manifest.Position { return pos }
	}
	return func(p string, at manifest.Position) manifest.Position {
		// An object render has no record of (not one of r's) maps to the
		// rollout as a whole, as does a field no intent field produced.
		prov := trace()[res.Kind+"/"+res.Name]
		if prov == nil {
			return position(r.Pos())
		}
		return position(prov.Pos(p))
	}
}

// mtlsSource is the intent field that sets the mode of namespace ns: the
// first rollout there that writes mtls, else the first rollout, else the
// mesh block.
func mtlsSource(in *schema.Intent, ns string) (manifest.Position, bool) {
	var first *schema.Rollout
	for _, r := range in.Rollouts {
		if r.Namespace != ns {
			continue
		}
		if r.Declares("mtls") {
			return position(r.Pos("mtls")), true
		}
		if first == nil {
			first = r
		}
	}
	if first != nil {
		return position(first.Pos()), true
	}
	if m := in.Mesh; m != nil && m.RootNamespace == ns {
		return position(m.Pos), true
	}
	return manifest.Position{}, false
}

func position(p schema.Pos) manifest.Position {
	return manifest.Position{File: p.File, Line: p.Line, Column: p.Col}
}

// addMoves adds the moves of the live phases to the facts.
func addMoves(facts *lint.Intent, cs []review.Change) {
	byID := map[string]*review.Change{}
	for i := range cs {
		byID[cs[i].Rollout.ID()] = &cs[i]
	}
	for i := range facts.Rollouts {
		ir := &facts.Rollouts[i]
		c := byID[ir.Namespace+"/"+ir.Name]
		if c == nil || c.Move == nil {
			continue
		}
		ir.Move = &lint.PhaseMove{From: c.Move.From, To: c.Move.To, Problem: c.Move.Problem, Pos: position(c.Pos)}
	}
}

// Facts computes what the intent-level rules check: each rollout's ladder
// and the verdict on each of its routing expectations.
func Facts(in *schema.Intent) (*lint.Intent, error) {
	checks, err := traffic.CheckAll(in)
	if err != nil {
		return nil, err
	}
	// One verdict per expectation, naming every phase where it fails.
	type key struct {
		r *schema.Rollout
		i int
	}
	verdicts := map[key]*lint.ExpectationCheck{}
	byRollout := map[*schema.Rollout][]*lint.ExpectationCheck{}
	for _, c := range checks {
		k := key{c.Rollout, c.Expectation.Index}
		v, ok := verdicts[k]
		if !ok {
			v = &lint.ExpectationCheck{Name: c.Name(), Pos: position(c.Expectation.Pos)}
			verdicts[k] = v
			byRollout[c.Rollout] = append(byRollout[c.Rollout], v)
		}
		v.Phases = append(v.Phases, c.Phase)
		if !c.OK() {
			if v.Failure != "" {
				v.Failure += "; "
			}
			v.Failure += c.Explain()
		}
	}
	out := &lint.Intent{}
	for _, r := range in.Rollouts {
		ir := lint.IntentRollout{Namespace: r.Namespace, Name: r.Name, Pos: position(r.Pos()), Canary: r.Canary != nil}
		for _, v := range byRollout[r] {
			ir.Checks = append(ir.Checks, *v)
		}
		for i, p := range r.Phases {
			pos := position(r.Pos("phase"))
			if r.Declares("phases") {
				pos = position(r.Pos("phases", i, "canaryWeight"))
			}
			ir.Phases = append(ir.Phases, lint.IntentPhase{Name: p.Name, CanaryWeight: p.CanaryWeight, Hold: p.Hold, Pos: pos})
		}
		out.Rollouts = append(out.Rollouts, ir)
	}
	return out, nil
}
