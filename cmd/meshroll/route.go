package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/lint"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

type routeOptions struct {
	src          intentSource
	phase        string
	allPhases    bool
	headers      []string
	cookies      []string
	sourceLabels []string
	uri          string
	method       string
	output       string
	manifests    []string
	host         string
	namespace    string
}

func newRouteCmd(a *app) *cobra.Command {
	var o routeOptions
	cmd := &cobra.Command{
		Use:   "route (ROLLOUT | --manifests PATH --host HOST)",
		Short: "Show which destinations a request reaches",
		Long: `Route runs a request through a rollout's VirtualService as Istio would — routes
in order, the first match wins, conditions of a match block all hold, match blocks
are alternatives — and prints the route that matched, why each earlier one did
not, where the request goes with what probability, and the mirror and fault that
apply. The phase is the live one unless --phase says otherwise.

With --all-phases it prints a matrix instead: one row per A/B route and one for
everyone else, one column per phase, and a row for the request when one is given.

With --manifests it reads any VirtualServices — rendered or hand-written, files,
directories, kustomize directories or - for standard input — and simulates the
one that routes --host (a short name resolves in --namespace).`,
		Example: `  meshroll route reviews --intents fixtures/intents --header end-user=jason
  meshroll route reviews --intents fixtures/intents --phase expand --cookie theme=dark --cookie user=beta
  meshroll route reviews --intents fixtures/intents --source-label app=productpage -o json
  meshroll route reviews --intents fixtures/intents --all-phases
  meshroll route --manifests rendered/ --host reviews --namespace bookinfo --header end-user=jason`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := o.request()
			if err != nil {
				return err
			}
			if o.output != "text" && o.output != "json" {
				return usageErrorf("-o must be text or json, not %q", o.output)
			}
			if len(o.manifests) > 0 {
				if len(args) > 0 || o.phase != "" || o.allPhases {
					return usageErrorf("--manifests simulates a VirtualService as it is: give --host, not a ROLLOUT, --phase or --all-phases")
				}
				return o.routeManifests(a, req)
			}
			if len(args) == 0 {
				return usageErrorf("name a ROLLOUT, or give --manifests PATH --host HOST")
			}
			if o.allPhases && o.phase != "" {
				return usageErrorf("--phase and --all-phases exclude each other")
			}
			paths, err := o.src.paths(nil)
			if err != nil {
				return err
			}
			in, err := o.src.load(paths)
			if err != nil {
				return err
			}
			r, err := in.Find(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			if o.allPhases {
				return writeMatrix(a.stdout, r, req, o.hasRequest(), o.output)
			}
			phase := o.phase
			if phase == "" {
				phase = r.Phase
			}
			if _, ok := r.PhaseNamed(phase); !ok && phase != schema.PhaseRollback {
				return usageErrorf("rollout %s has no phase %q; it has %s", r.Name, phase, strings.Join(append(phaseNames(r), schema.PhaseRollback), ", "))
			}
			out, err := traffic.NewSimulator().Simulate(r, phase, req)
			if err != nil {
				return err
			}
			if o.output == "json" {
				return writeOutcomeJSON(a.stdout, out)
			}
			writeOutcome(a.stdout, out, req)
			return nil
		},
	}
	o.src.register(cmd, true)
	cmd.Flags().StringVar(&o.phase, "phase", "", "phase to simulate (default: the live phase)")
	cmd.Flags().BoolVar(&o.allPhases, "all-phases", false, "print the matrix of A/B routes and phases")
	cmd.Flags().StringArrayVar(&o.headers, "header", nil, "request header name=value (repeatable)")
	cmd.Flags().StringArrayVar(&o.cookies, "cookie", nil, "request cookie name=value, sent in the order given (repeatable)")
	cmd.Flags().StringArrayVar(&o.sourceLabels, "source-label", nil, "label key=value of the calling workload (repeatable)")
	cmd.Flags().StringVar(&o.uri, "uri", "", "request path (default /)")
	cmd.Flags().StringVar(&o.method, "method", "", "request method (default GET)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringSliceVar(&o.manifests, "manifests", nil, "simulate the VirtualService of --host in these manifests instead of a rollout")
	cmd.Flags().StringVar(&o.host, "host", "", "with --manifests, the host the request is for")
	cmd.Flags().StringVar(&o.namespace, "namespace", "default", "with --manifests, the namespace of the client: short host names resolve in it")
	return cmd
}

// routeManifests simulates the request on the VirtualService that routes
// o.host among the manifests.
func (o *routeOptions) routeManifests(a *app, req route.Request) error {
	if o.host == "" {
		return usageErrorf("--manifests needs --host: the host the request is for")
	}
	m, err := lint.Load(o.manifests, lint.LoadOptions{Stdin: a.stdin})
	if err != nil {
		return err
	}
	vss := traffic.VirtualServicesFor(m, o.host, o.namespace)
	switch len(vss) {
	case 0:
		return usageError(traffic.NoVirtualServiceError(m, o.host))
	case 1:
	default:
		var ids []string
		for _, vs := range vss {
			ids = append(ids, vs.ID()+" ("+vs.Position("").String()+")")
		}
		return usageErrorf("%d VirtualServices route host %s, and Istio would use only one: %s; give --namespace or lint them (MR105 and IST0109)", len(vss), o.host, strings.Join(ids, ", "))
	}
	vs := vss[0]
	out := traffic.SimulateManifest(vs, req)
	if o.output == "json" {
		return writeOutcomeJSON(a.stdout, out)
	}
	fmt.Fprintf(a.stdout, "%s (%s), host %s\n", vs.ID(), vs.Position("").String(), o.host)
	writeOutcome(a.stdout, out, req)
	return nil
}

func phaseNames(r *schema.Rollout) []string {
	names := make([]string, len(r.Phases))
	for i, p := range r.Phases {
		names[i] = p.Name
	}
	return names
}

func (o *routeOptions) hasRequest() bool {
	return len(o.headers)+len(o.cookies)+len(o.sourceLabels) > 0 || o.uri != "" || o.method != ""
}

// request builds the simulated request from the flags.
func (o *routeOptions) request() (route.Request, error) {
	var req route.Request
	headers, err := parsePairs("--header", o.headers)
	if err != nil {
		return req, err
	}
	for _, kv := range headers {
		if req.Headers == nil {
			req.Headers = map[string]string{}
		}
		req.Headers[strings.ToLower(kv[0])] = kv[1]
	}
	cookies, err := parsePairs("--cookie", o.cookies)
	if err != nil {
		return req, err
	}
	for _, kv := range cookies {
		req.Cookies = append(req.Cookies, route.Cookie{Name: kv[0], Value: kv[1]})
	}
	labels, err := parsePairs("--source-label", o.sourceLabels)
	if err != nil {
		return req, err
	}
	for _, kv := range labels {
		if req.SourceLabels == nil {
			req.SourceLabels = map[string]string{}
		}
		req.SourceLabels[kv[0]] = kv[1]
	}
	if o.uri != "" && !strings.HasPrefix(o.uri, "/") {
		return req, usageErrorf("--uri %q must start with /", o.uri)
	}
	req.URI = o.uri
	req.Method = strings.ToUpper(o.method)
	return req, nil
}

// parsePairs splits name=value flag values; the value may be empty or hold
// further '=' signs, the name may not be empty.
func parsePairs(flag string, values []string) ([][2]string, error) {
	var out [][2]string
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usageErrorf("%s %q: want name=value", flag, v)
		}
		out = append(out, [2]string{k, val})
	}
	return out, nil
}

// routeName names an http route in the trace; Istio routes need no name.
func routeName(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

func describeShares(shares []traffic.Share) string {
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

func writeOutcome(w io.Writer, o traffic.Outcome, req route.Request) {
	if r := o.Rollout; r != nil {
		fmt.Fprintf(w, "rollout %s/%s, phase %s\n", r.Namespace, r.Name, o.Phase)
	}
	fmt.Fprintf(w, "request: %s\n\n", traffic.DescribeRequest(req))
	res := o.Result
	for _, m := range res.Trace {
		fmt.Fprintf(w, "  no   [%d] %s: %s\n", m.Index, routeName(m.Name), m.Why)
	}
	if !res.Matched {
		fmt.Fprintf(w, "\nno route matches: %s\n", res.Reason)
		return
	}
	how := "matches every request"
	if res.Match >= 0 {
		how = "matches (" + res.Path + ")"
	}
	fmt.Fprintf(w, "  yes  [%d] %s: %s\n\n", res.Index, routeName(res.Name), how)
	switch res.Action {
	case route.ActionForward:
		fmt.Fprintf(w, "goes to %s\n", describeShares(o.Shares))
	default:
		fmt.Fprintf(w, "is answered by the proxy: %s\n", res.Action)
	}
	if m := o.Mirror; m != nil {
		fmt.Fprintf(w, "mirrored to %s\n", describeShares([]traffic.Share{*m}))
	}
	if f := res.Fault; f != nil {
		if d := f.Delay; d != nil {
			fmt.Fprintf(w, "fault: %s of requests delayed by %s\n", traffic.Percent(d.Percent), d.FixedDelay)
		}
		if ab := f.Abort; ab != nil {
			fmt.Fprintf(w, "fault: %s of requests aborted with %d\n", traffic.Percent(ab.Percent), ab.HTTPStatus)
		}
	}
	for _, warn := range res.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// outcomeJSON is the -o json form of meshroll route.
type outcomeJSON struct {
	Rollout      string            `json:"rollout,omitempty"`
	Namespace    string            `json:"namespace,omitempty"`
	Phase        string            `json:"phase,omitempty"`
	Route        *routeRef         `json:"route"`
	Destinations []destinationJSON `json:"destinations"`
	Mirror       *mirrorJSON       `json:"mirror"`
	Fault        *faultJSON        `json:"fault"`
}

type mirrorJSON struct {
	Target  string  `json:"target"`
	Host    string  `json:"host"`
	Subset  string  `json:"subset,omitempty"`
	Percent float64 `json:"percent"`
}

type faultJSON struct {
	Delay *struct {
		Percent    float64 `json:"percent"`
		FixedDelay string  `json:"fixedDelay"`
	} `json:"delay,omitempty"`
	Abort *struct {
		Percent    float64 `json:"percent"`
		HTTPStatus int32   `json:"httpStatus"`
	} `json:"abort,omitempty"`
}

type routeRef struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
}

type destinationJSON struct {
	Target string  `json:"target"`
	Host   string  `json:"host"`
	Subset string  `json:"subset,omitempty"`
	Weight float64 `json:"weight"`
}

func writeOutcomeJSON(w io.Writer, o traffic.Outcome) error {
	out := outcomeJSON{Phase: o.Phase, Destinations: []destinationJSON{}}
	if r := o.Rollout; r != nil {
		out.Rollout, out.Namespace = r.Name, r.Namespace
	}
	if f := o.Result.Fault; f != nil {
		out.Fault = &faultJSON{}
		if d := f.Delay; d != nil {
			out.Fault.Delay = &struct {
				Percent    float64 `json:"percent"`
				FixedDelay string  `json:"fixedDelay"`
			}{d.Percent, d.FixedDelay.String()}
		}
		if ab := f.Abort; ab != nil {
			out.Fault.Abort = &struct {
				Percent    float64 `json:"percent"`
				HTTPStatus int32   `json:"httpStatus"`
			}{ab.Percent, ab.HTTPStatus}
		}
	}
	if o.Result.Matched {
		out.Route = &routeRef{Name: o.Result.Name, Index: o.Result.Index}
	}
	for _, s := range o.Shares {
		out.Destinations = append(out.Destinations, destinationJSON{Target: s.Target, Host: s.Host, Subset: s.Subset, Weight: s.Percent})
	}
	if m := o.Mirror; m != nil {
		out.Mirror = &mirrorJSON{Target: m.Target, Host: m.Host, Subset: m.Subset, Percent: m.Percent}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeMatrix(w io.Writer, r *schema.Rollout, req route.Request, withRequest bool, format string) error {
	m, err := traffic.PhaseMatrix(r, nil)
	if err != nil {
		return err
	}
	type row struct {
		name  string
		cells []string
	}
	var rows []row
	if withRequest {
		s := traffic.NewSimulator()
		rr := row{name: "request: " + traffic.DescribeRequest(req)}
		for _, p := range m.Phases {
			o, err := s.Simulate(r, p, req)
			if err != nil {
				return err
			}
			rr.cells = append(rr.cells, traffic.Describe(o.Shares))
		}
		rows = append(rows, rr)
	}
	for _, mr := range m.Rows {
		rr := row{name: mr.Route}
		for _, c := range mr.Cells {
			cell := traffic.Describe(c.Shares)
			if c.FallsThrough {
				cell += " *"
			}
			rr.cells = append(rr.cells, cell)
		}
		rows = append(rows, rr)
	}
	if format == "json" {
		type jsonRow struct {
			Route string            `json:"route"`
			Cells map[string]string `json:"phases"`
		}
		out := struct {
			Rollout string    `json:"rollout"`
			Phases  []string  `json:"phases"`
			Rows    []jsonRow `json:"rows"`
		}{Rollout: r.ID(), Phases: m.Phases}
		for _, rr := range rows {
			jr := jsonRow{Route: rr.name, Cells: map[string]string{}}
			for i, p := range m.Phases {
				jr.Cells[p] = rr.cells[i]
			}
			out.Rows = append(out.Rows, jr)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	widths := make([]int, len(m.Phases)+1)
	widths[0] = len("ROUTE")
	for i, p := range m.Phases {
		widths[i+1] = len(p)
		if p == r.Phase {
			widths[i+1] += 2
		}
	}
	for _, rr := range rows {
		widths[0] = max(widths[0], len(rr.name))
		for i, c := range rr.cells {
			widths[i+1] = max(widths[i+1], len(c))
		}
	}
	fmt.Fprintf(w, "rollout %s, live phase %s\n\n", r.ID(), r.Phase)
	line := func(first string, cells []string) {
		var b strings.Builder
		fmt.Fprintf(&b, "%-*s", widths[0], first)
		for i, c := range cells {
			fmt.Fprintf(&b, "  %-*s", widths[i+1], c)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	header := make([]string, len(m.Phases))
	for i, p := range m.Phases {
		header[i] = p
		if p == r.Phase {
			header[i] = "[" + p + "]"
		}
	}
	line("ROUTE", header)
	for _, rr := range rows {
		line(rr.name, rr.cells)
	}
	if len(r.Routes) > 0 {
		fmt.Fprintln(w, "\n* the phase has no such route: its requests take the weighted split")
	}
	return nil
}
