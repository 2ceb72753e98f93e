// Package gateway names Istio gateways the way istiod compares them, for
// both sides of meshroll: schema checks that an intent's expectation names
// one of its rollout's gateways, and route and traffic decide which
// VirtualServices a request through a gateway meets. One resolution keeps
// the two from disagreeing about which gateway a reference means, and lets
// schema check references without the routing engine.
package gateway
