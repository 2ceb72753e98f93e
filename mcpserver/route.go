package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/meshroll/meshroll/manifest"
	"github.com/meshroll/meshroll/probe"
	"github.com/meshroll/meshroll/traffic"
)

// headerValues is a header's value, or its values when it is given more
// than once: a string or a list of strings.
type headerValues []string

func (h *headerValues) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*h = headerValues{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("a header's value is a string, or a list of strings for a header given more than once")
	}
	*h = many
	return nil
}

type routeInput struct {
	Rollout string `json:"rollout" jsonschema:"the rollout: its name, or namespace/name when the name is ambiguous"`
	Phase   string `json:"phase,omitempty" jsonschema:"the phase to simulate (default: the live phase)"`
	// Headers are set by headersSchema, which allows a list of values.
	Headers         map[string]headerValues `json:"headers,omitempty"`
	Cookies         []string                `json:"cookies,omitempty" jsonschema:"cookies as name=value, joined in this order into one cookie header (after any cookie header of headers)"`
	SourceLabels    map[string]string       `json:"sourceLabels,omitempty" jsonschema:"labels of the calling workload (through a gateway: of the gateway's pods)"`
	SourceNamespace string                  `json:"sourceNamespace,omitempty" jsonschema:"namespace of the calling workload"`
	URI             string                  `json:"uri,omitempty" jsonschema:"request path, with an optional ?query (default /)"`
	Method          string                  `json:"method,omitempty" jsonschema:"request method (default GET)"`
	Scheme          string                  `json:"scheme,omitempty" jsonschema:"http or https (default http; through a gateway, https on a TLS port)"`
	Authority       string                  `json:"authority,omitempty" jsonschema:"the request's authority (Host header); through a gateway it defaults to the rollout's public host"`
	Port            uint32                  `json:"port,omitempty" jsonschema:"port the request is sent to (through a gateway: default 80, or 443 with scheme https)"`
	Query           map[string]string       `json:"query,omitempty" jsonschema:"query parameters, name to value"`
	Gateway         string                  `json:"gateway,omitempty" jsonschema:"send the request through this ingress gateway, NAMESPACE/NAME, instead of from a sidecar"`
	// GatewayManifests are files or directories of the repository that
	// hold the Gateway, so that its servers are checked.
	GatewayManifests []string `json:"gatewayManifests,omitempty" jsonschema:"manifests of the repository that hold the Gateway of gateway: its servers decide which hosts and ports it takes"`
}

// routeNames name the parts of a request by the route tool's fields in
// errors.
var routeNames = probe.Names{Header: "headers", Cookie: "cookies", SourceLabel: "sourceLabels", SourceNamespace: "sourceNamespace",
	URI: "uri", Scheme: "scheme", Authority: "authority", Port: "port", Query: "query", Gateway: "gateway"}

// routeSchema is the route tool's input schema: the one inferred from
// routeInput, with headers that take a string or a list of strings.
func routeSchema() *jsonschema.Schema {
	s, err := jsonschema.For[routeInput](nil)
	if err != nil {
		panic(err) // routeInput is a fixed type: this cannot fail at run time
	}
	s.Properties["headers"] = &jsonschema.Schema{
		Type:        "object",
		Description: `request headers, name to value; a header given more than once is a list of values, matched as Envoy joins them (with ",", or "; " for cookie)`,
		AdditionalProperties: &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string"},
			{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
		}},
	}
	return s
}

// spec is the request of in, headers in name order (the order of one
// header's values kept).
func (in routeInput) spec() (probe.Spec, error) {
	s := probe.Spec{SourceNamespace: in.SourceNamespace, URI: in.URI, Method: in.Method, Scheme: in.Scheme,
		Authority: in.Authority, Port: in.Port, Gateway: in.Gateway}
	names := make([]string, 0, len(in.Headers))
	for name := range in.Headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range in.Headers[name] {
			s.Headers = append(s.Headers, probe.Pair{Name: name, Value: v})
		}
	}
	for _, c := range in.Cookies {
		kv, err := probe.ParsePair("cookies", c)
		if err != nil {
			return s, err
		}
		kv.Cookie = true
		s.Headers = append(s.Headers, kv)
	}
	for _, k := range sortedKeys(in.SourceLabels) {
		s.SourceLabels = append(s.SourceLabels, probe.Pair{Name: k, Value: in.SourceLabels[k]})
	}
	for _, k := range sortedKeys(in.Query) {
		s.Query = append(s.Query, probe.Pair{Name: k, Value: in.Query[k]})
	}
	return s, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *server) addRoute(srv *mcp.Server) {
	mcp.AddTool(srv, &mcp.Tool{
		Name: "route",
		Description: "Run a request through a rollout's VirtualService as Istio would, as meshroll route does: which route matches (and why each earlier one did not), where the request goes with what probability, and the mirror and fault that apply. " +
			"The phase is the live one unless phase says otherwise. Through gateway NAMESPACE/NAME the request enters at that ingress gateway.",
		Annotations: readOnly("Route a request"),
		InputSchema: routeSchema(),
	}, func(ctx context.Context, _ *mcp.CallToolRequest, in routeInput) (*mcp.CallToolResult, any, error) {
		spec, err := in.spec()
		if err != nil {
			return nil, nil, err
		}
		req, err := probe.Build(spec, routeNames)
		if err != nil {
			return nil, nil, err
		}
		if len(in.GatewayManifests) > 0 && !probe.ThroughGateway(in.Gateway) {
			return nil, nil, errors.New("gatewayManifests needs gateway: the gateway the request enters through")
		}
		e, err := s.env()
		if err != nil {
			return nil, nil, toolError(err)
		}
		r, err := e.find(in.Rollout)
		if err != nil {
			return nil, nil, toolError(err)
		}
		sim := traffic.NewSimulator()
		hint := "give gatewayManifests with the Gateway to check them"
		if len(in.GatewayManifests) > 0 {
			hint = "the Gateway is not in the manifests given"
			paths := make([]string, len(in.GatewayManifests))
			for i, p := range in.GatewayManifests {
				if paths[i], err = e.inside(p); err != nil {
					return nil, nil, err
				}
			}
			m, err := manifest.Load(paths, manifest.LoadOptions{Exclude: e.ex})
			if err != nil {
				return nil, nil, toolError(err)
			}
			sim.Gateways = traffic.Gateways(m)
			if !probe.HasGateway(sim.Gateways, in.Gateway) {
				return nil, nil, traffic.NoGatewayError(sim.Gateways, in.Gateway, "the gatewayManifests")
			}
		}
		if probe.ThroughGateway(in.Gateway) && req.Authority == "" {
			req.Authority = traffic.PublicHost(r)
		}
		phase := in.Phase
		if phase == "" {
			phase = r.Phase
		}
		if err := probe.CheckPhase(r, phase); err != nil {
			return nil, nil, err
		}
		out, err := sim.Simulate(r, phase, req)
		if err != nil {
			return nil, nil, toolError(err)
		}
		var text bytes.Buffer
		probe.WriteArrival(&text, out.Result.Arrival, hint)
		probe.WriteOutcome(&text, out, req)
		return result(text.String(), probe.JSON(out, req)), nil, nil
	})
}
