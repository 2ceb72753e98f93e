package diff

import (
	"cmp"
	"slices"
)

// Status is what happened to a resource or a rollout.
type Status string

// The statuses of resources, rollouts and A/B routes.
const (
	StatusAdded   Status = "added"
	StatusRemoved Status = "removed"
	StatusChanged Status = "changed"
	// StatusMoved is an A/B route that changed places with others.
	StatusMoved Status = "moved"
)

// Result is the difference between two sets of manifests: a summary per
// rollout first, then every resource added, removed or changed.
type Result struct {
	// Rollouts summarises each rollout whose resources changed, sorted by
	// namespace and name.
	Rollouts []*Rollout
	// MTLS lists the namespaces whose mTLS mode changed, sorted.
	MTLS []MTLSChange
	// Resources lists the resources added, removed or changed, sorted by
	// rollout (resources of no rollout last), then by ID and file.
	Resources []*Resource
	// Unchanged counts the resources present and equal in both trees.
	Unchanged int
	// Progress is what the change does to the rollouts' ladders and live
	// phases, sorted by rollout; set by SetProgress when the intents of
	// both sides are known (diff --base).
	Progress []Progress
}

// Empty reports whether the two sides mean the same: the manifests, and
// the ladders when they are known.
func (r *Result) Empty() bool { return len(r.Resources) == 0 && len(r.Progress) == 0 }

// Count returns how many resources have status s.
func (r *Result) Count(s Status) int {
	n := 0
	for _, res := range r.Resources {
		if res.Status == s {
			n++
		}
	}
	return n
}

// countRollouts returns how many rollouts have status s.
func (r *Result) countRollouts(s Status) int {
	n := 0
	for _, ro := range r.Rollouts {
		if ro.Status == s {
			n++
		}
	}
	return n
}

// Others returns the changed resources that belong to no rollout.
func (r *Result) Others() []*Resource {
	var out []*Resource
	for _, res := range r.Resources {
		if res.rollout == nil {
			out = append(out, res)
		}
	}
	return out
}

// Resource is one resource added, removed or changed.
type Resource struct {
	Kind       string
	APIVersion string
	Namespace  string
	Name       string
	// File holds the resource: in the new tree, or in the old one when it
	// was removed.
	File string
	// OldFile is the file in the old tree when the resource moved files.
	OldFile string
	Status  Status
	// Summary describes a resource added or removed as a whole.
	Summary string
	// Changes are the field-level changes of a changed resource.
	Changes []Change
	// Ambiguous is set when other resources share the ID, so that File
	// tells them apart.
	Ambiguous bool

	rollout *Rollout
	old     *doc
	new     *doc
}

// ID returns Kind/namespace/name, Kind/name without a namespace, and the
// kind alone for an object without a name.
func (r *Resource) ID() string {
	switch {
	case r.Name == "":
		return r.Kind
	case r.Namespace == "":
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// Label is the ID, with the file when the ID alone is ambiguous.
func (r *Resource) Label() string {
	if r.Ambiguous || r.Name == "" {
		return r.ID() + " (" + r.File + ")"
	}
	return r.ID()
}

// Rollout returns the rollout the resource belongs to, or nil.
func (r *Resource) Rollout() *Rollout { return r.rollout }

// Files compares the manifests of two trees. It fails only on files that
// do not parse; objects are matched by API group, kind, namespace and
// name, wherever they are filed.
func Files(old, new []File) (*Result, error) {
	oldDocs, newDocs, err := parseTrees(old, new)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	var all []pair
	for _, p := range pairDocs(oldDocs, newDocs) {
		all = append(all, p)
		r := compareDocs(p)
		if r == nil {
			res.Unchanged++
			continue
		}
		res.Resources = append(res.Resources, r)
	}
	summarise(res, all)
	slices.SortFunc(res.Resources, func(a, b *Resource) int {
		ra, rb := a.rollout, b.rollout
		switch {
		case ra != nil && rb == nil:
			return -1
		case ra == nil && rb != nil:
			return 1
		case ra != nil && ra != rb:
			return compareRollouts(ra, rb)
		}
		return cmp.Or(
			cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)),
			cmp.Compare(a.ID(), b.ID()),
			cmp.Compare(a.File, b.File),
		)
	})
	// Each rollout lists its resources in the same order.
	for _, ro := range res.Rollouts {
		ro.Resources = ro.Resources[:0]
	}
	for _, r := range res.Resources {
		if r.rollout != nil {
			r.rollout.Resources = append(r.rollout.Resources, r)
		}
	}
	return res, nil
}

// kindRank puts a rollout's VirtualService before its DestinationRules.
func kindRank(kind string) int {
	switch kind {
	case "VirtualService":
		return 0
	case "DestinationRule":
		return 1
	}
	return 2
}

// compareDocs returns the resource p is as a change, or nil when the two
// sides are equal.
func compareDocs(p pair) *Resource {
	d := p.new
	if d == nil {
		d = p.old
	}
	r := &Resource{
		Kind:       d.kind,
		APIVersion: d.apiVersion,
		Namespace:  d.namespace,
		Name:       d.name,
		File:       d.file,
		Ambiguous:  p.ambiguous,
		old:        p.old,
		new:        p.new,
	}
	switch {
	case p.old == nil:
		r.Status = StatusAdded
		r.Summary = describeResource(d.kind, d.v)
	case p.new == nil:
		r.Status = StatusRemoved
		r.Summary = describeResource(d.kind, d.v)
	default:
		c := &comparer{}
		c.compare(nil, nil, p.old.v, p.new.v)
		if len(c.changes) == 0 {
			return nil
		}
		r.Status = StatusChanged
		r.Changes = c.changes
		if p.old.file != p.new.file {
			r.OldFile = p.old.file
		}
	}
	return r
}
