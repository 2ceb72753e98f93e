package render

import (
	"strings"

	"github.com/meshroll/meshroll/internal/yamlpath"
	"github.com/meshroll/meshroll/schema"
)

// IntentPath maps a field of an object rendered from rollout r in phase —
// kind names the object, name its metadata name, path a data path such as
// spec.http[5].route[1].weight — to the intent field that produced it, as a
// path relative to the rollout (for r.Pos): phases[1].canaryWeight. Fields
// that no single intent field produced map to the rollout itself (nil).
func IntentPath(r *schema.Rollout, phase, kind, name, path string) []any {
	p, err := yamlpath.Parse(path)
	if err != nil || len(p) < 2 || p[0].Key != "spec" {
		return nil
	}
	switch kind {
	case "VirtualService":
		return vsOrigin(r, phase, p[1:])
	case "DestinationRule":
		return drOrigin(r, name, p[1:])
	case "PeerAuthentication":
		return []any{"mtls"}
	}
	return nil
}

func vsOrigin(r *schema.Rollout, phase string, p yamlpath.Path) []any {
	switch p[0].Key {
	case "hosts":
		if len(p) > 1 && p[1].IsIndex && p[1].Index > 0 {
			return []any{"hosts", p[1].Index - 1}
		}
		return []any{"host"}
	case "gateways":
		if len(p) > 1 && p[1].IsIndex {
			return []any{"gateways", p[1].Index}
		}
		return []any{"gateways"}
	case "http":
	default:
		return nil
	}
	if len(p) < 2 || !p[1].IsIndex {
		return []any{"routes"}
	}
	i, rest := p[1].Index, p[2:]
	ab := phase != schema.PhaseRollback && i < len(r.Routes)
	if len(rest) == 0 {
		if ab {
			return []any{"routes", i}
		}
		return phaseField(r, phase)
	}
	// What every route carries comes from the rollout's own fields.
	switch f := rest[0].Key; f {
	case "timeout":
		return []any{"timeout"}
	case "retries", "fault":
		return append([]any{f}, keys(rest[1:])...)
	case "mirror", "mirrorPercentage":
		if f == "mirrorPercentage" {
			return []any{"mirror", "percent"}
		}
		return []any{"mirror", "to"}
	}
	if ab {
		switch rest[0].Key {
		case "match":
			out := []any{"routes", i, "match"}
			if len(rest) > 2 && rest[2].Key == "headers" && len(rest) > 3 {
				if rest[3].Key == "cookie" && r.Routes[i].Match.Cookie != nil {
					return append(out, "cookie")
				}
				return append(out, "headers", rest[3].Key)
			}
			if len(rest) > 2 {
				return append(out, rest[2].Key)
			}
			return out
		case "route":
			return []any{"routes", i, "to"}
		case "name":
			return []any{"routes", i, "name"}
		}
		return []any{"routes", i}
	}
	// The weighted route: its weights come from the phase, its destinations
	// from the tracks.
	if rest[0].Key == "route" && len(rest) > 2 && rest[1].IsIndex {
		switch rest[2].Key {
		case "destination":
			if rest[1].Index == 0 {
				return []any{schema.TrackStable}
			}
			return []any{schema.TrackCanary}
		case "weight":
			return phaseField(r, phase)
		}
	}
	return phaseField(r, phase)
}

// phaseField is where the intent sets the weights of phase: its ladder step
// when the rollout writes its own ladder, else the phase field.
func phaseField(r *schema.Rollout, phase string) []any {
	if r.Declares("phases") {
		for i, ph := range r.Phases {
			if ph.Name == phase {
				return []any{"phases", i, "canaryWeight"}
			}
		}
	}
	return []any{"phase"}
}

func drOrigin(r *schema.Rollout, name string, p yamlpath.Path) []any {
	switch p[0].Key {
	case "host":
		if strings.HasSuffix(name, "-"+schema.TrackCanary) && r.Canary != nil && r.Canary.Host != r.Host {
			return []any{schema.TrackCanary, "host"}
		}
		if strings.HasSuffix(name, "-"+schema.TrackStable) && r.Stable.Host != r.Host {
			return []any{schema.TrackStable, "host"}
		}
		return []any{"host"}
	case "trafficPolicy":
		return append([]any{"trafficPolicy"}, keys(p[1:])...)
	case "subsets":
		// The subset's name says which track or extra subset it is; the
		// caller looks it up in the rendered object.
		return []any{"subsets"}
	}
	return nil
}

// SubsetOrigin maps a rendered subset name of r to its intent field.
func SubsetOrigin(r *schema.Rollout, subset string) []any {
	switch {
	case subset == r.Stable.Subset:
		return []any{schema.TrackStable, "subset"}
	case r.Canary != nil && subset == r.Canary.Subset:
		return []any{schema.TrackCanary, "subset"}
	}
	return []any{"subsets", subset}
}

// keys keeps the map keys of a path, dropping list indexes and the
// "value" of percentages, which intent writes as plain numbers.
func keys(p yamlpath.Path) []any {
	var out []any
	for _, e := range p {
		switch {
		case e.IsIndex, e.Key == "value":
		case e.Key == "percentage":
			out = append(out, "percent")
		case e.Key == "httpDelayType":
		default:
			out = append(out, e.Key)
		}
	}
	return out
}
