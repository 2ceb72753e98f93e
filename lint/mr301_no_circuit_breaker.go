package lint

import (
	networking "istio.io/api/networking/v1"
)

func noCircuitBreaker() *Rule {
	return &Rule{
		ID:          "MR301",
		Name:        "no-circuit-breaker",
		Severity:    Warning,
		SeverityWhy: `Warning: a resilience best practice; traffic flows without it.`,
		Summary:     "a DestinationRule without outlier detection or connection pool limits",
		Doc: `Without outlier detection Envoy keeps sending requests to an instance that
fails them; without connection pool limits a slow service gathers an unbounded
queue of requests from every caller. Either way one bad instance or one slow
dependency spreads into a cascade of failures.

Give the DestinationRule a trafficPolicy with outlierDetection (eject instances
that keep failing) and connectionPool limits (bound connections and pending
requests), at the top level or in every subset.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - {name: v1, labels: {version: v1}}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 100}
      http: {http1MaxPendingRequests: 100, maxRequestsPerConnection: 10}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 30s
  subsets:
  - {name: v1, labels: {version: v1}}
`,
		Since:  since,
		Anchor: "best practice: circuit breakers",
		Run:    runNoCircuitBreaker,
	}
}

func runNoCircuitBreaker(pass *Pass) {
	for _, r := range pass.Index.DestinationRules {
		dr := r.DestinationRule()
		if dr.GetHost() == "" || HasCircuitBreaker(dr.GetTrafficPolicy()) {
			continue
		}
		subsets := dr.GetSubsets()
		all := len(subsets) > 0
		for _, s := range subsets {
			all = all && HasCircuitBreaker(s.GetTrafficPolicy())
		}
		if all {
			continue
		}
		path := "spec.host"
		if dr.GetTrafficPolicy() != nil {
			path = "spec.trafficPolicy"
		}
		pass.Reportf(r, path, "no outlierDetection or connectionPool limits for host %s, so failing or slow instances keep getting traffic: add trafficPolicy.outlierDetection and connectionPool limits",
			dr.GetHost())
	}
}

// HasCircuitBreaker reports whether a traffic policy sets outlier detection
// or a connection pool limit, itself or for every port it lists.
func HasCircuitBreaker(tp *networking.TrafficPolicy) bool {
	if tp == nil {
		return false
	}
	if tp.GetOutlierDetection() != nil || hasPoolLimit(tp.GetConnectionPool()) {
		return true
	}
	ports := tp.GetPortLevelSettings()
	for _, p := range ports {
		if p.GetOutlierDetection() == nil && !hasPoolLimit(p.GetConnectionPool()) {
			return false
		}
	}
	return len(ports) > 0
}

func hasPoolLimit(cp *networking.ConnectionPoolSettings) bool {
	tcp, http := cp.GetTcp(), cp.GetHttp()
	return tcp.GetMaxConnections() > 0 ||
		http.GetHttp1MaxPendingRequests() > 0 || http.GetHttp2MaxRequests() > 0 ||
		http.GetMaxRequestsPerConnection() > 0 || http.GetMaxRetries() > 0 ||
		http.GetMaxConcurrentStreams() > 0
}
