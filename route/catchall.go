package route

import (
	"slices"

	networkingv1 "istio.io/api/networking/v1"

	"github.com/meshroll/meshroll/internal/gateway"
)

// BoundTo reports whether vs applies to traffic through gateway gw
// (gateway.Mesh for the sidecars): its gateways list names it, or is empty and gateway is
// the mesh.
func BoundTo(vs *networkingv1.VirtualService, gw string) bool {
	return contains(resolveGateways(vs.GetGateways(), "", true), gateway.Resolve(gw, ""))
}

// CatchAll returns the first http route of vs that takes every request
// arriving through gateway gw on port (0: on any port), with the same notion
// of covering as Unreachable: a route without match blocks, or with a block
// whose conditions every such request meets. A block's gateways, when set,
// must include gw. -1 when no route does.
func CatchAll(vs *networkingv1.VirtualService, gw string, port uint32) int {
	vsGW := resolveGateways(vs.GetGateways(), "", true)
	probe := &networkingv1.HTTPMatchRequest{Gateways: []string{gateway.Resolve(gw, "")}, Port: port}
	for i, h := range vs.GetHttp() {
		if h == nil {
			continue
		}
		if len(h.GetMatch()) == 0 {
			return i
		}
		for _, m := range h.GetMatch() {
			if m == nil || coversHTTP(m, probe, vsGW) {
				return i
			}
		}
	}
	return -1
}

// MatchPorts returns the ports that the http match blocks of vs applying to
// gateway name, sorted: the ports its routes are written for.
func MatchPorts(vs *networkingv1.VirtualService, gw string) []uint32 {
	vsGW := resolveGateways(vs.GetGateways(), "", true)
	gw = gateway.Resolve(gw, "")
	var out []uint32
	for _, h := range vs.GetHttp() {
		for _, m := range h.GetMatch() {
			if m.GetPort() == 0 || slices.Contains(out, m.GetPort()) {
				continue
			}
			eff := resolveGateways(m.GetGateways(), "", false)
			if len(eff) == 0 {
				eff = vsGW
			}
			if contains(eff, gw) {
				out = append(out, m.GetPort())
			}
		}
	}
	slices.Sort(out)
	return out
}
