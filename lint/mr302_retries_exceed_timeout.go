package lint

import (
	"time"
)

func retriesExceedTimeout() *Rule {
	return &Rule{
		ID:          "MR302",
		Name:        "retries-exceed-timeout",
		Severity:    Warning,
		SeverityWhy: `Warning: Istio accepts it and the route timeout still bounds the request; the later retries never happen.`,
		Summary:     "attempts × perTryTimeout is longer than the route timeout",
		Doc: `The route timeout bounds the whole request, retries included. When attempts ×
perTryTimeout is longer, the timeout cuts the later attempts off: the retry
policy promises more than it can deliver, and a slow backend gets the full
timeout's worth of load before the caller gives up.

Make attempts × perTryTimeout fit within the timeout: fewer attempts, a shorter
perTryTimeout, or a longer timeout.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    timeout: 5s
    retries: {attempts: 3, perTryTimeout: 3s}  # 9s > 5s
    route:
    - destination: {host: reviews}
`,
		Good: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    timeout: 10s
    retries: {attempts: 3, perTryTimeout: 3s, retryOn: "5xx,reset"}
    route:
    - destination: {host: reviews}
`,
		Since:  since,
		Anchor: "Istio docs",
		Run:    runRetriesExceedTimeout,
	}
}

func runRetriesExceedTimeout(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			h := rt.HTTP
			if h == nil || h.GetTimeout() == nil || h.GetRetries().GetPerTryTimeout() == nil {
				continue
			}
			timeout := h.GetTimeout().AsDuration()
			per := h.GetRetries().GetPerTryTimeout().AsDuration()
			attempts := h.GetRetries().GetAttempts()
			if timeout <= 0 || per <= 0 || attempts <= 0 {
				continue
			}
			total := time.Duration(attempts) * per
			if total/time.Duration(attempts) != per || total > timeout {
				pass.Reportf(vs, rt.Path()+".retries.perTryTimeout", "%d attempts × perTryTimeout %s = %s, longer than the route timeout %s, which cuts the later attempts off: lower attempts or perTryTimeout, or raise timeout",
					attempts, per, total, timeout)
			}
		}
	}
}
