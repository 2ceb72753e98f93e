package manifest

import (
	"strconv"

	"go.yaml.in/yaml/v3"
	networking "istio.io/api/networking/v1"
	security "istio.io/api/security/v1"
)

// Service is what the rules need of a Kubernetes Service in the input:
// the pods it selects and its ports.
type Service struct {
	r        *Resource
	selector map[string]string
	ports    []servicePort
}

// servicePort is a Service port and the container port it forwards to: a
// number, or a name ("" and 0 when it is the same number as port).
type servicePort struct {
	port       uint32
	targetPort uint32
	targetName string
}

// Ports returns the numbers of the Service's ports.
func (s *Service) Ports() []uint32 {
	out := make([]uint32, len(s.ports))
	for i, sp := range s.ports {
		out[i] = sp.port
	}
	return out
}

// readService reads a core/v1 Service from its node.
func readService(r *Resource) *Service {
	spec := field(r.Node(), "spec")
	s := &Service{r: r, selector: stringMap(field(spec, "selector"))}
	ports := field(spec, "ports")
	if ports == nil || ports.Kind != yaml.SequenceNode {
		return s
	}
	for _, p := range ports.Content {
		n, err := strconv.ParseUint(scalar(field(p, "port")), 10, 32)
		if err != nil {
			continue
		}
		sp := servicePort{port: uint32(n), targetPort: uint32(n)}
		if t := field(p, "targetPort"); t != nil {
			if tn, err := strconv.ParseUint(scalar(t), 10, 32); err == nil {
				sp.targetPort = uint32(tn)
			} else if scalar(t) != "" {
				sp.targetPort, sp.targetName = 0, scalar(t)
			}
		}
		s.ports = append(s.ports, sp)
	}
	return s
}

// Service returns the Kubernetes Service in the input for an in-cluster
// host name.ns.svc.<domain>, or nil.
func (ix *Index) Service(h Host) *Service {
	name, ns, ok := h.Service(ix.ClusterDomain)
	if !ok {
		return nil
	}
	return ix.services[nsHost{ns, Host(name)}]
}

// inMesh reports whether workloads of namespace ns get sidecars, as far as
// the input tells: a Namespace object in the input without an injection
// label (istio-injection=enabled, or istio.io/rev) or with
// istio-injection=disabled has none, and ambient mode
// (istio.io/dataplane-mode=ambient) counts as in the mesh. Without a
// Namespace object in the input the namespace is assumed in the mesh.
func (ix *Index) InMesh(ns string) bool {
	r := ix.namespaceObjects[ns]
	if r == nil {
		return true
	}
	switch {
	case r.Labels.Get("istio-injection") == "disabled":
		return false
	case r.Labels.Get("istio-injection") == "enabled", r.Labels.Get("istio.io/rev") != "", r.Labels.Get("istio.io/dataplane-mode") == "ambient":
		return true
	}
	return false
}

// externalServiceEntry returns a MESH_EXTERNAL ServiceEntry visible from
// namespace client whose hosts cover h: traffic to it leaves the mesh, and
// no sidecar of Istio's answers it.
func (ix *Index) ExternalServiceEntry(h Host, client string) *Resource {
	for _, r := range ix.ServiceEntries {
		se, ok := r.Spec.(*networking.ServiceEntry)
		if !ok || se.GetLocation() != networking.ServiceEntry_MESH_EXTERNAL || !exportedTo(r, se.GetExportTo(), client) {
			continue
		}
		for _, name := range se.GetHosts() {
			if p := ix.Resolve(r, name); p.Matches(h) || h.Matches(p) {
				return r
			}
		}
	}
	return nil
}

// selects reports whether a workload selector (matchLabels) can select pods
// of a Service: every label both name has the same value. With no Service
// known, any selector may.
func selects(matchLabels map[string]string, svc *Service) bool {
	if svc == nil {
		return true
	}
	for k, v := range matchLabels {
		if sv, ok := svc.selector[k]; ok && sv != v {
			return false
		}
	}
	return true
}

// RelaxedPorts describes where the workloads behind a host accept plain
// text although the namespace or mesh requires STRICT mTLS: workload-level
// PeerAuthentications of the host's namespace that select them (or may,
// when the Service is not in the input) with mode PERMISSIVE or DISABLE,
// whole or for some container ports.
type RelaxedPorts struct {
	all   *Resource            // a policy that relaxes every port
	ports map[uint32]*Resource // container port → a policy that relaxes it
}

func (ix *Index) Relaxed(ns string, svc *Service) RelaxedPorts {
	out := RelaxedPorts{ports: map[uint32]*Resource{}}
	relaxes := func(m security.PeerAuthentication_MutualTLS_Mode) bool {
		return m == security.PeerAuthentication_MutualTLS_PERMISSIVE || m == security.PeerAuthentication_MutualTLS_DISABLE
	}
	for _, r := range ix.paByNS[ns] {
		pa := r.PeerAuthentication()
		if len(pa.GetSelector().GetMatchLabels()) == 0 || !selects(pa.GetSelector().GetMatchLabels(), svc) {
			continue
		}
		if relaxes(pa.GetMtls().GetMode()) && out.all == nil {
			out.all = r
		}
		for port, m := range pa.GetPortLevelMtls() {
			if relaxes(m.GetMode()) {
				out.ports[port] = r
			}
		}
	}
	return out
}

// accepts returns the policy under which the workloads accept plain text
// on service port port (0: every port of the Service), or nil. Without the
// Service, a port-level exception may cover the port, so it counts.
func (rp RelaxedPorts) Accepts(svc *Service, port uint32) *Resource {
	if rp.all != nil {
		return rp.all
	}
	if len(rp.ports) == 0 {
		return nil
	}
	if svc == nil {
		for _, r := range rp.ports {
			return r
		}
	}
	var found *Resource
	for _, sp := range svc.ports {
		if port != 0 && sp.port != port {
			continue
		}
		r := rp.ports[sp.targetPort]
		if sp.targetName != "" {
			// A named target port cannot be matched to a number from the
			// input alone; give the benefit of the doubt.
			for _, any := range rp.ports {
				r = any
				break
			}
		}
		if r == nil {
			return nil // this port is still STRICT
		}
		found = r
	}
	return found
}

// strictFor returns the PeerAuthentication that makes the workloads of
// namespace ns require STRICT mTLS: the namespace-wide policies of ns, or
// when it has none with a mode, those of the root namespace, all STRICT.
// nil when they say otherwise, or disagree among themselves: istiod then
// takes the oldest, and the input does not tell which that is.
func (ix *Index) StrictFor(ns string) *Resource {
	for _, n := range []string{ns, ix.RootNamespace} {
		var strict *Resource
		decided := false
		for _, r := range ix.paByNS[n] {
			pa := r.PeerAuthentication()
			if len(pa.GetSelector().GetMatchLabels()) > 0 {
				continue
			}
			switch pa.GetMtls().GetMode() {
			case security.PeerAuthentication_MutualTLS_UNSET:
				continue
			case security.PeerAuthentication_MutualTLS_STRICT:
				if strict == nil {
					strict = r
				}
			default:
				return nil
			}
			decided = true
		}
		if decided {
			return strict
		}
	}
	return nil
}

// podTemplate is the pod template of a workload controller in the input
// (Deployment, StatefulSet, DaemonSet, ReplicaSet, Rollout).
type podTemplate struct {
	ns       string
	labels   map[string]string
	injected bool // false when the template opts out of the sidecar
}

// workloadKinds are the controllers whose pod templates say whether pods get
// a sidecar.
var workloadKinds = map[string]bool{"Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true, "Rollout": true}

func readPodTemplate(r *Resource) (podTemplate, bool) {
	tmpl := field(field(r.Node(), "spec"), "template")
	meta := field(tmpl, "metadata")
	if meta == nil {
		return podTemplate{}, false
	}
	labels := stringMap(field(meta, "labels"))
	annotations := stringMap(field(meta, "annotations"))
	inject := annotations["sidecar.istio.io/inject"]
	if v, ok := labels["sidecar.istio.io/inject"]; ok {
		inject = v // the label wins over the annotation since Istio 1.16
	}
	return podTemplate{ns: r.Namespace, labels: labels, injected: inject != "false"}, true
}

// withoutSidecars reports whether the input shows that the pods behind a
// Service get no sidecar: every workload of its namespace whose pod
// template the Service selects opts out (sidecar.istio.io/inject: "false"),
// and there is at least one. Unknown workloads count as in the mesh.
func (ix *Index) WithoutSidecars(svc *Service) bool {
	if svc == nil || len(svc.selector) == 0 {
		return false
	}
	found := false
	for _, t := range ix.templates {
		if t.ns != svc.r.Namespace || !labelsMatch(svc.selector, t.labels) {
			continue
		}
		if t.injected {
			return false
		}
		found = true
	}
	return found
}

// labelsMatch reports whether every label of selector is in labels.
func labelsMatch(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}
