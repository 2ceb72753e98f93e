package lint

import (
	"fmt"
	"strings"
)

func faultInjection() *Rule {
	return &Rule{
		ID:       "MR303",
		Name:     "fault-injection",
		Severity: Warning,
		Summary:  "a fault block is present",
		Doc: `A fault block makes the sidecar delay or fail real requests on purpose. It is
meant for chaos experiments and resilience tests; left in a manifest that
reaches production, it degrades the service for real users, and nothing in
the metrics says the errors are self-inflicted.

Remove the fault block when the experiment ends, or restrict it with a match
(a test header) so that only test traffic gets it. Suppress the finding with an
annotation that says why when the fault is deliberate.`,
		Bad: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - name: default
    fault:
      abort: {percentage: {value: 10}, httpStatus: 500}
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
    route:
    - destination: {host: reviews}
`,
		Since:  since,
		Anchor: "seeds",
		Run:    runFaultInjection,
	}
}

func runFaultInjection(pass *Pass) {
	for _, vs := range pass.Index.VirtualServices {
		for _, rt := range pass.Index.Routes(vs) {
			f := rt.HTTP.GetFault()
			if f == nil {
				continue
			}
			var what []string
			if d := f.GetDelay(); d != nil {
				what = append(what, fmt.Sprintf("delays %s of requests by %s", percent(d.GetPercentage().GetValue(), d.GetPercentage() != nil), d.GetFixedDelay().AsDuration()))
			}
			if a := f.GetAbort(); a != nil {
				status := "an error"
				if s := a.GetHttpStatus(); s != 0 {
					status = fmt.Sprintf("HTTP %d", s)
				}
				what = append(what, fmt.Sprintf("fails %s of requests with %s", percent(a.GetPercentage().GetValue(), a.GetPercentage() != nil), status))
			}
			desc := "injects faults"
			if len(what) > 0 {
				desc = strings.Join(what, " and ")
			}
			pass.Reportf(vs, rt.Path+".fault", "route %s on purpose: remove the fault block outside chaos tests, or limit it to test traffic with a match", desc)
		}
	}
}

// percent formats a fault percentage; Istio applies a fault to every request
// when no percentage is given.
func percent(v float64, set bool) string {
	if !set {
		return "100%"
	}
	return fmt.Sprintf("%g%%", v)
}
