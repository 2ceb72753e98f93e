// Package route simulates Istio's HTTP request matching offline and analyses
// which routes and match blocks of a VirtualService can never take effect.
//
// Simulation (Evaluate, Compile, Router.Evaluate) answers "which destination
// does this request reach": http routes are tried in order and the first that
// matches wins; within one HTTPMatchRequest every condition must hold (AND),
// and the match blocks of one route are alternatives (OR); a route without
// match blocks matches every request. See
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
// and #HTTPMatchRequest. Where the documentation is silent the package follows
// what istiod generates for Envoy (pilot/pkg/networking/core/route/route.go):
// header matches with an empty StringMatch (or regex "*") are presence checks,
// withoutHeaders treats a missing header as the empty string, regexes are RE2
// and must match the whole value (Envoy's safe_regex full match), ignoreUriCase
// applies to exact and prefix URI matches only, and match-level gateways
// replace sourceLabels and sourceNamespace as the source condition.
//
// It is the one routing engine of meshroll: how weights become shares
// (Shares, Istio's normalisation since 1.15) and what a route does once a
// request reaches it (Router.Route) are decided here for meshroll route, the
// matrix of who reaches what (package traffic) and the summary of
// meshroll diff alike.
//
// A request is given as Envoy sees it: JoinHeaders joins the values of a
// header sent more than once with "," (cookie headers with "; "), as
// Envoy's header matching does, and Request.Cookies join the cookie header
// (package internal/cookie, which also writes the regex meshroll renders for
// a cookie match).
//
// Table holds several VirtualServices and Gateways, for what one
// VirtualService cannot answer alone: Table.Evaluate follows routes that
// delegate to other VirtualServices as istiod merges them
// (pilot/pkg/model/virtualservice.go), and Table.Ingress simulates a request
// arriving at a gateway as istiod configures it
// (pilot/pkg/model/gateway.go, pilot/pkg/networking/core/gateway.go): the
// Gateway's servers take the port and host, the VirtualServices bound to it
// make the virtual hosts, and their routes are tried in Envoy's order.
//
// Coverage analysis (Unreachable, Ineffective) follows istioctl analyze's
// IST0130 (VirtualServiceUnreachableRule) and IST0131
// (VirtualServiceIneffectiveMatch) and extends IST0131 from prefix-only URI
// comparisons to every condition of a match block, always erring towards
// silence: a finding is reported only when every request the later match
// accepts is certainly accepted by the earlier one.
//
// Nothing here touches a cluster, the network or the file system.
package route
