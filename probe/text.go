package probe

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/traffic"
)

// routeName names an http route in the trace; Istio routes need no name.
func routeName(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

// DescribeShares names where shares of the traffic go: "canary 10% (reviews/v2) / stable 90% (reviews/v1)".
func DescribeShares(shares []traffic.Share) string {
	var parts []string
	for _, s := range shares {
		if s.Percent == 0 && len(shares) > 1 {
			continue
		}
		where := s.Host
		if s.Subset != "" {
			where += "/" + s.Subset
		}
		part := s.Target + " " + traffic.Percent(s.Percent)
		if where != s.Target {
			part += " (" + where + ")"
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "nowhere"
	}
	return strings.Join(parts, " / ")
}

// WriteArrival writes how a gateway took the request, before the outcome;
// hint says how to make the gateway's servers known when they are not.
func WriteArrival(w io.Writer, a *route.Arrival, hint string) {
	if a == nil {
		return
	}
	line := "gateway " + a.Gateway
	if a.Port != 0 {
		line += fmt.Sprintf(", port %d", a.Port)
	}
	if a.Server >= 0 {
		name := a.ServerName
		if name == "" {
			name = fmt.Sprintf("servers[%d]", a.Server)
		}
		line += fmt.Sprintf(": server %s (%s)", name, a.Protocol)
	}
	if a.Host != "" {
		line += ", host " + a.Host
	}
	fmt.Fprintln(w, line)
	if !a.Known {
		fmt.Fprintf(w, "  the gateway's servers are not known (%s): every host and port are taken to be served\n", hint)
	}
}

// routeLabel names a route of the trace: with its VirtualService when the
// request met several, and the delegating route it was reached through.
func routeLabel(index int, name, vs string, via *route.Via, showVS bool) string {
	s := fmt.Sprintf("[%d] %s", index, routeName(name))
	if showVS && vs != "" {
		s = vs + " " + s
	}
	if via != nil {
		s += fmt.Sprintf(" (via %s [%d] %s)", via.VirtualService, via.Index, routeName(via.Name))
	}
	return s
}

// WriteOutcome writes the outcome of req for a person: the rollout and
// phase, the request, why each route before the one that matched did not,
// the route that matched and where the request goes, with mirror, fault
// and warnings.
func WriteOutcome(w io.Writer, o traffic.Outcome, req route.Request) {
	if r := o.Rollout; r != nil {
		fmt.Fprintf(w, "rollout %s/%s, phase %s\n", r.Namespace, r.Name, o.Phase)
	}
	fmt.Fprintf(w, "request: %s\n\n", traffic.DescribeRequest(req))
	res := o.Result
	// Route indices need their VirtualService when the request met several.
	showVS := res.Arrival != nil && len(res.Arrival.VirtualServices) > 1 || res.Via != nil
	for _, m := range res.Trace {
		showVS = showVS || m.Via != nil
	}
	for _, m := range res.Trace {
		fmt.Fprintf(w, "  no   %s: %s\n", routeLabel(m.Index, m.Name, m.VirtualService, m.Via, showVS), m.Why)
	}
	if !res.Matched {
		if rd := res.Redirect; rd != nil {
			fmt.Fprintf(w, "%sis answered by the gateway: %d redirect to %s://%s%s (%s)\n", blankIf(len(res.Trace) > 0), rd.Code, rd.Scheme, rd.Authority, rd.URI, res.Reason)
		} else {
			fmt.Fprintf(w, "%sno route: %s\n", blankIf(len(res.Trace) > 0), res.Reason)
		}
		writeWarnings(w, res.Warnings)
		return
	}
	var held []string
	if res.Match >= 0 {
		held = append(held, res.Path)
	}
	if v := res.Via; v != nil && v.Match >= 0 {
		held = append(held, fmt.Sprintf("%s spec.http[%d].match[%d]", v.VirtualService, v.Index, v.Match))
	}
	how := "matches every request"
	if len(held) > 0 {
		how = "matches (" + strings.Join(held, " and ") + ")"
	}
	fmt.Fprintf(w, "  yes  %s: %s\n\n", routeLabel(res.Index, res.Name, res.VirtualService, res.Via, showVS), how)
	switch res.Action {
	case route.ActionForward:
		fmt.Fprintf(w, "goes to %s\n", DescribeShares(o.Shares))
	default:
		fmt.Fprintf(w, "is answered by the proxy: %s\n", res.Action)
	}
	if m := o.Mirror; m != nil {
		fmt.Fprintf(w, "mirrored to %s\n", DescribeShares([]traffic.Share{*m}))
	}
	if f := res.Fault; f != nil {
		if d := f.Delay; d != nil {
			fmt.Fprintf(w, "fault: %s of requests delayed by %s\n", traffic.Percent(d.Percent), d.FixedDelay)
		}
		if ab := f.Abort; ab != nil {
			fmt.Fprintf(w, "fault: %s of requests aborted with %d\n", traffic.Percent(ab.Percent), ab.HTTPStatus)
		}
	}
	writeWarnings(w, res.Warnings)
}

func blankIf(b bool) string {
	if b {
		return "\n"
	}
	return ""
}

func writeWarnings(w io.Writer, warnings []string) {
	for _, warn := range warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}
