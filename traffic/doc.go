// Package traffic answers, for rollout intent, the reviewer's question: who
// ends up where. It renders a rollout's VirtualService for a phase, runs
// requests through Istio's matching semantics (package route) and names the
// destinations by the intent's tracks and subsets; it checks the routing
// expectations written in the intent, and tabulates what each A/B route and
// everyone else reach in every phase. Requests may come from a sidecar or
// through a gateway, where every rollout bound to it takes part
// (Simulator.Ingress, IngressMatrix).
package traffic
