package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/probe"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/schema"
	"github.com/meshroll/meshroll/traffic"
)

type routeOptions struct {
	src              intentSource
	phase            string
	allPhases        bool
	pairs            []flagPair // --header and --cookie, in the order given
	sourceLabels     []string
	sourceNamespace  string
	uri              string
	method           string
	scheme           string
	authority        string
	port             uint32
	query            []string
	gateway          string
	gatewayManifests []string
	output           string
	manifests        []string
	host             string
	namespace        string
}

// flagPair is one name=value of a repeatable flag, with the flag it came
// from, so that --header cookie=... and --cookie keep their order.
type flagPair struct {
	flag, value string
}

// orderedPairs is a pflag.Value that appends to a list shared by several
// flags.
type orderedPairs struct {
	flag string
	list *[]flagPair
}

func (o orderedPairs) Set(v string) error {
	*o.list = append(*o.list, flagPair{o.flag, v})
	return nil
}
func (o orderedPairs) String() string { return "" }
func (o orderedPairs) Type() string   { return "name=value" }

func newRouteCmd(a *app) *cobra.Command {
	var o routeOptions
	cmd := &cobra.Command{
		Use:   "route (ROLLOUT | --gateway NAMESPACE/NAME --host HOST | --manifests PATH --host HOST)",
		Short: "Show which destinations a request reaches",
		Long: `Route runs a request through a rollout's VirtualService as Istio would — routes
in order, the first match wins, conditions of a match block all hold, match blocks
are alternatives — and prints the route that matched, why each earlier one did
not, where the request goes with what probability, and the mirror and fault that
apply. The phase is the live one unless --phase says otherwise.

The request is what Envoy sees: a header given more than once is matched as its
values joined with "," (end-user=bob and end-user=jason make "bob,jason"), and
the cookies of --cookie and of --header cookie=... make one cookie header,
joined with "; " in the order given. A query parameter given twice matches its
first value.

With --gateway NAMESPACE/NAME the request enters through that ingress gateway
instead of a sidecar: only VirtualServices bound to the gateway apply, and its
host (--host, or --authority) picks the one that routes it. Without a ROLLOUT,
every rollout of the intents takes part, as the gateway sees them all. The
Gateway's servers decide which hosts and ports it takes: give the manifests that
hold it with --gateway-manifests (with --manifests they are read from there);
without them its servers are not checked. --port defaults to 80, or 443 with
--scheme https.

With --all-phases it prints a matrix instead: one row per A/B route and one for
everyone else, one column per phase, and a row for the request when one is given
(through a gateway: always).

With --manifests it reads any VirtualServices — rendered or hand-written, files,
directories, kustomize directories or - for standard input — and simulates the
one that routes --host (a short name resolves in --namespace), following routes
that delegate to other VirtualServices.`,
		Example: `  meshroll route reviews --intents fixtures/intents --header end-user=jason
  meshroll route reviews --intents fixtures/intents --phase expand --cookie theme=dark --cookie user=beta
  meshroll route reviews --intents fixtures/intents --source-label app=productpage -o json
  meshroll route reviews --intents fixtures/intents --all-phases
  meshroll route --intents fixtures/intents --gateway shop/public-gateway --host app.example.com --port 443 --gateway-manifests fixtures/gateways
  meshroll route --intents fixtures/intents --gateway shop/public-gateway --host app.example.com --scheme https --all-phases
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
					return usageErrorf("--manifests simulates the VirtualServices as they are: give --host, not a ROLLOUT, --phase or --all-phases")
				}
				return o.routeManifests(a, req)
			}
			if len(args) == 0 && !o.throughGateway() {
				return usageErrorf("name a ROLLOUT, or give --gateway NAMESPACE/NAME --host HOST, or --manifests PATH --host HOST")
			}
			if o.allPhases && o.phase != "" {
				return usageErrorf("--phase and --all-phases exclude each other")
			}
			if len(args) == 0 && o.phase != "" {
				return usageErrorf("--phase needs a ROLLOUT: each rollout has its own phases")
			}
			paths, err := o.src.paths(nil)
			if err != nil {
				return err
			}
			in, err := o.src.load(paths)
			if err != nil {
				return err
			}
			sim := traffic.NewSimulator()
			if len(o.gatewayManifests) > 0 {
				ex, err := o.src.excludes()
				if err != nil {
					return err
				}
				gm, err := manifest.Load(o.gatewayManifests, manifest.LoadOptions{Stdin: a.stdin, Exclude: ex})
				if err != nil {
					return err
				}
				sim.Gateways = traffic.Gateways(gm)
				if o.throughGateway() && !probe.HasGateway(sim.Gateways, o.gateway) {
					return usageError(traffic.NoGatewayError(sim.Gateways, o.gateway, "the --gateway-manifests"))
				}
			}
			if len(args) == 0 {
				return o.routeIngress(a, sim, in, req)
			}
			r, err := in.Find(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			if o.throughGateway() && req.Authority == "" {
				req.Authority = traffic.PublicHost(r)
			}
			if o.allPhases {
				if o.throughGateway() {
					m, err := sim.IngressMatrix(r, nil, nil, o.gateway, req)
					if err != nil {
						return err
					}
					return writeIngressMatrix(a.stdout, r, m, req, o.output)
				}
				return writeMatrix(a.stdout, r, req, o.hasRequest(), o.output)
			}
			phase := o.phase
			if phase == "" {
				phase = r.Phase
			}
			if err := probe.CheckPhase(r, phase); err != nil {
				return usageError(err)
			}
			out, err := sim.Simulate(r, phase, req)
			if err != nil {
				return err
			}
			if o.output == "json" {
				return writeOutcomeJSON(a.stdout, out, req)
			}
			writeArrival(a.stdout, out.Result.Arrival, o.gatewayManifests)
			probe.WriteOutcome(a.stdout, out, req)
			return nil
		},
	}
	o.src.register(cmd, true)
	f := cmd.Flags()
	f.StringVar(&o.phase, "phase", "", "phase to simulate (default: the live phase)")
	f.BoolVar(&o.allPhases, "all-phases", false, "print the matrix of A/B routes and phases")
	f.Var(orderedPairs{"--header", &o.pairs}, "header", "request header name=value (repeatable; a header given twice is matched as its values joined with \",\")")
	f.Var(orderedPairs{"--cookie", &o.pairs}, "cookie", "request cookie name=value (repeatable; joined with --header cookie=... into one cookie header, in the order given)")
	f.StringArrayVar(&o.sourceLabels, "source-label", nil, "label key=value of the calling workload, or of the gateway's pods (repeatable)")
	f.StringVar(&o.sourceNamespace, "source-namespace", "", "namespace of the calling workload")
	f.StringVar(&o.uri, "uri", "", "request path, with an optional ?query (default /)")
	f.StringVar(&o.method, "method", "", "request method (default GET)")
	f.StringVar(&o.scheme, "scheme", "", "request scheme, http or https (default http; through a gateway, https on a TLS port)")
	f.StringVar(&o.authority, "authority", "", "request authority (Host header); through a gateway it defaults to --host")
	f.Uint32Var(&o.port, "port", 0, "port the request is sent to (through a gateway: default 80, or 443 with --scheme https)")
	f.StringArrayVar(&o.query, "query", nil, "query parameter name=value (repeatable)")
	f.StringVar(&o.gateway, "gateway", "", "send the request through this gateway, NAMESPACE/NAME, instead of from a sidecar")
	f.StringSliceVar(&o.gatewayManifests, "gateway-manifests", nil, "manifests that hold the Gateway of --gateway: its servers decide which hosts and ports it takes")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	f.StringSliceVar(&o.manifests, "manifests", nil, "simulate the VirtualServices of these manifests instead of a rollout")
	f.StringVar(&o.host, "host", "", "the host the request is for: with --manifests, the one whose VirtualService to simulate; through a gateway, its authority")
	f.StringVar(&o.namespace, "namespace", "default", "with --manifests, the namespace of the client: short host names resolve in it")
	return cmd
}

// throughGateway reports whether the request enters through a gateway
// rather than from a sidecar.
func (o *routeOptions) throughGateway() bool { return probe.ThroughGateway(o.gateway) }

// routeIngress simulates a request through a gateway across every rollout
// of the intents, or tabulates it over the phases of the rollout that takes
// it.
func (o *routeOptions) routeIngress(a *app, sim *traffic.Simulator, in *schema.Intent, req route.Request) error {
	if req.Authority == "" {
		return usageErrorf("--gateway without a ROLLOUT needs --host: the host the request is for")
	}
	live := func(r *schema.Rollout) string { return r.Phase }
	out, err := sim.Ingress(in.Rollouts, live, o.gateway, req)
	if err != nil {
		return err
	}
	if o.allPhases {
		r := out.Rollout
		if r == nil {
			// The gateway itself turns the request away (a port or host it
			// does not serve, a redirect): the rollout is the one whose
			// VirtualService would route the host, its servers aside.
			bare, err := traffic.NewSimulator().Ingress(in.Rollouts, live, o.gateway, req)
			if err != nil {
				return err
			}
			r = bare.Rollout
		}
		if r == nil {
			return usageErrorf("no rollout routes host %s through gateway %s: %s", req.Authority, o.gateway, out.Result.Reason)
		}
		m, err := sim.IngressMatrix(r, in.Rollouts, nil, o.gateway, req)
		if err != nil {
			return err
		}
		return writeIngressMatrix(a.stdout, r, m, req, o.output)
	}
	if o.output == "json" {
		return writeOutcomeJSON(a.stdout, out, req)
	}
	writeArrival(a.stdout, out.Result.Arrival, o.gatewayManifests)
	probe.WriteOutcome(a.stdout, out, req)
	return nil
}

// routeManifests simulates the request on the VirtualServices among the
// manifests: through a gateway, or on the one that routes o.host.
func (o *routeOptions) routeManifests(a *app, req route.Request) error {
	if o.host == "" && !(o.throughGateway() && req.Authority != "") {
		return usageErrorf("--manifests needs --host: the host the request is for")
	}
	// The manifests are read as meshroll lint reads them: exclude in
	// .meshroll.yaml and --exclude apply.
	ex, err := o.src.excludes()
	if err != nil {
		return err
	}
	m, err := manifest.Load(o.manifests, manifest.LoadOptions{Stdin: a.stdin, Exclude: ex})
	if err != nil {
		return err
	}
	var extra *manifest.Manifests
	if len(o.gatewayManifests) > 0 {
		if extra, err = manifest.Load(o.gatewayManifests, manifest.LoadOptions{Stdin: a.stdin, Exclude: ex}); err != nil {
			return err
		}
	}
	tab := traffic.Table(m, extra)
	if o.throughGateway() {
		if tab.Gateway(o.gateway) == nil {
			return usageError(traffic.NoGatewayError(traffic.Gateways(m, extra), o.gateway, "the manifests"))
		}
		out := traffic.ManifestOutcome(tab.Ingress(o.gateway, req))
		if o.output == "json" {
			return writeOutcomeJSON(a.stdout, out, req)
		}
		writeArrival(a.stdout, out.Result.Arrival, nil)
		if id := out.Result.VirtualService; id != "" {
			if r := findResource(m, "VirtualService/"+id); r != nil {
				fmt.Fprintf(a.stdout, "%s (%s)\n", r.ID(), r.Position("").String())
			}
		}
		probe.WriteOutcome(a.stdout, out, req)
		return nil
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
	out := traffic.ManifestOutcome(tab.Evaluate(vs.Namespace+"/"+vs.Name, req))
	if o.output == "json" {
		return writeOutcomeJSON(a.stdout, out, req)
	}
	fmt.Fprintf(a.stdout, "%s (%s), host %s\n", vs.ID(), vs.Position("").String(), o.host)
	probe.WriteOutcome(a.stdout, out, req)
	return nil
}

func findResource(m *manifest.Manifests, id string) *manifest.Resource {
	for _, r := range m.Resources {
		if r.ID() == id {
			return r
		}
	}
	return nil
}

func (o *routeOptions) hasRequest() bool {
	return len(o.pairs)+len(o.sourceLabels)+len(o.query) > 0 || o.uri != "" || o.method != "" ||
		o.sourceNamespace != "" || o.scheme != "" || o.authority != "" || o.port != 0
}

// request builds the simulated request from the flags, through package
// probe.
func (o *routeOptions) request() (route.Request, error) {
	s := probe.Spec{SourceNamespace: o.sourceNamespace, URI: o.uri, Method: o.method, Scheme: o.scheme,
		Authority: o.authority, Port: o.port, Gateway: o.gateway, Host: o.host}
	for _, p := range o.pairs {
		kv, err := probe.ParsePair(p.flag, p.value)
		if err != nil {
			return route.Request{}, usageError(err)
		}
		kv.Cookie = p.flag == "--cookie"
		s.Headers = append(s.Headers, kv)
	}
	for _, v := range o.sourceLabels {
		kv, err := probe.ParsePair("--source-label", v)
		if err != nil {
			return route.Request{}, usageError(err)
		}
		s.SourceLabels = append(s.SourceLabels, kv)
	}
	for _, v := range o.query {
		kv, err := probe.ParsePair("--query", v)
		if err != nil {
			return route.Request{}, usageError(err)
		}
		s.Query = append(s.Query, kv)
	}
	req, err := probe.Build(s, probe.Flags)
	if err != nil {
		return req, usageError(err)
	}
	if len(o.gatewayManifests) > 0 && !o.throughGateway() {
		return req, usageErrorf("--gateway-manifests needs --gateway: the gateway the request enters through")
	}
	return req, nil
}

// writeArrival writes how a gateway took the request, before the outcome.
func writeArrival(w io.Writer, a *route.Arrival, gatewayManifests []string) {
	hint := "give --gateway-manifests with the Gateway to check them"
	if len(gatewayManifests) > 0 {
		hint = "the Gateway is not in the manifests given"
	}
	probe.WriteArrival(w, a, hint)
}

func writeOutcomeJSON(w io.Writer, o traffic.Outcome, req route.Request) error {
	return writeJSON(w, probe.JSON(o, req))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// matrixRow is one row of the printed matrix.
type matrixRow struct {
	name  string
	cells []string
}

func writeMatrix(w io.Writer, r *schema.Rollout, req route.Request, withRequest bool, format string) error {
	m, err := traffic.PhaseMatrix(r, nil)
	if err != nil {
		return err
	}
	var rows []matrixRow
	if withRequest {
		s := traffic.NewSimulator()
		rr := matrixRow{name: "request: " + traffic.DescribeRequest(req)}
		for _, p := range m.Phases {
			o, err := s.Simulate(r, p, req)
			if err != nil {
				return err
			}
			rr.cells = append(rr.cells, traffic.Describe(o.Shares))
		}
		rows = append(rows, rr)
	}
	rows = append(rows, matrixRows(m.Rows)...)
	var notes []string
	if len(r.Routes) > 0 {
		notes = append(notes, "* the phase has no such route: its requests take the weighted split")
	}
	return printMatrix(w, r, fmt.Sprintf("rollout %s, live phase %s", r.ID(), r.Phase), m.Phases, rows, notes, format)
}

func matrixRows(in []traffic.Row) []matrixRow {
	var rows []matrixRow
	for _, mr := range in {
		rr := matrixRow{name: mr.Route}
		for _, c := range mr.Cells {
			var cell string
			switch {
			case c.Answer != "":
				cell = c.Answer
			case mr.NotAtGateway:
				cell = "-"
			default:
				cell = traffic.Describe(c.Shares)
				if c.FallsThrough {
					cell += " *"
				}
			}
			rr.cells = append(rr.cells, cell)
		}
		rows = append(rows, rr)
	}
	return rows
}

// writeIngressMatrix prints the matrix of requests through a gateway.
func writeIngressMatrix(w io.Writer, r *schema.Rollout, m traffic.Ingress, req route.Request, format string) error {
	// The title names the gateway, host, port and scheme; the row names the
	// rest of the request.
	rest := req
	rest.Gateway, rest.Authority, rest.Port, rest.Scheme = "", "", 0, ""
	rr := matrixRow{name: "request"}
	if d := traffic.DescribeRequest(rest); d != "any request" {
		rr.name += ": " + d
	}
	for _, o := range m.Request {
		rr.cells = append(rr.cells, ingressCell(o, r))
	}
	rows := append([]matrixRow{rr}, matrixRows(m.Rows)...)
	var notes []string
	if len(r.Routes) > 0 {
		notes = append(notes, "* the phase has no such route: its requests take the weighted split")
	}
	for _, row := range m.Rows {
		if row.NotAtGateway {
			notes = append(notes, "- the route matches labels of the calling workload; through the gateway that is the gateway's pods, which do not carry them")
			break
		}
	}
	title := fmt.Sprintf("rollout %s, live phase %s, through gateway %s", r.ID(), r.Phase, req.Gateway)
	if len(m.Request) > 0 {
		if a := m.Request[0].Result.Arrival; a != nil {
			title += ", host " + req.Authority
			if a.Port != 0 {
				title += fmt.Sprintf(", port %d", a.Port)
			}
			if req.Scheme != "" {
				title += ", " + req.Scheme
			}
			if !a.Known {
				title += " (the gateway's servers are not known)"
			}
		}
	}
	return printMatrix(w, r, title, m.Phases, rows, notes, format)
}

// ingressCell is where the request goes in one phase through the gateway.
func ingressCell(o traffic.Outcome, r *schema.Rollout) string {
	res := o.Result
	switch {
	case res.Matched && o.Rollout != r:
		return "routed by " + res.VirtualService
	case res.Matched:
		return traffic.Describe(o.Shares)
	case res.Redirect != nil:
		return fmt.Sprintf("%d to %s", res.Redirect.Code, res.Redirect.Scheme)
	}
	return "no route"
}

func printMatrix(w io.Writer, r *schema.Rollout, title string, phases []string, rows []matrixRow, notes []string, format string) error {
	if format == "json" {
		type jsonRow struct {
			Route string            `json:"route"`
			Cells map[string]string `json:"phases"`
		}
		out := struct {
			Rollout string    `json:"rollout"`
			Phases  []string  `json:"phases"`
			Rows    []jsonRow `json:"rows"`
		}{Rollout: r.ID(), Phases: phases}
		for _, rr := range rows {
			jr := jsonRow{Route: rr.name, Cells: map[string]string{}}
			for i, p := range phases {
				jr.Cells[p] = rr.cells[i]
			}
			out.Rows = append(out.Rows, jr)
		}
		return writeJSON(w, out)
	}
	widths := make([]int, len(phases)+1)
	widths[0] = len("ROUTE")
	for i, p := range phases {
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
	fmt.Fprintf(w, "%s\n\n", title)
	line := func(first string, cells []string) {
		var b strings.Builder
		fmt.Fprintf(&b, "%-*s", widths[0], first)
		for i, c := range cells {
			fmt.Fprintf(&b, "  %-*s", widths[i+1], c)
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	header := make([]string, len(phases))
	for i, p := range phases {
		header[i] = p
		if p == r.Phase {
			header[i] = "[" + p + "]"
		}
	}
	line("ROUTE", header)
	for _, rr := range rows {
		line(rr.name, rr.cells)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	return nil
}
