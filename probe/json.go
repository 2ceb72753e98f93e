package probe

import (
	"fmt"
	"strings"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/route"
	"github.com/meshroll/meshroll/traffic"
)

// JSONOutcome is the -o json form of meshroll route.
type JSONOutcome struct {
	Rollout   string       `json:"rollout,omitempty"`
	Namespace string       `json:"namespace,omitempty"`
	Phase     string       `json:"phase,omitempty"`
	Request   requestJSON  `json:"request"`
	Gateway   *arrivalJSON `json:"gateway,omitempty"`
	// VirtualService is set when the request met several (a gateway, a
	// delegate): namespace/name of the one whose route matched.
	VirtualService string            `json:"virtualService,omitempty"`
	Route          *routeRef         `json:"route"`
	Reason         string            `json:"reason,omitempty"`
	Redirect       *redirectJSON     `json:"redirect,omitempty"`
	Destinations   []destinationJSON `json:"destinations"`
	Mirror         *mirrorJSON       `json:"mirror"`
	Fault          *faultJSON        `json:"fault"`
	Warnings       []string          `json:"warnings,omitempty"`
}

// requestJSON echoes the request as Envoy sees it, with the field names of
// an expectation's request: headers joined, cookies in the cookie header,
// the defaults that do not depend on the VirtualService filled in.
type requestJSON struct {
	Gateway         string            `json:"gateway,omitempty"`
	Method          string            `json:"method"`
	Scheme          string            `json:"scheme"`
	Authority       string            `json:"authority,omitempty"`
	Port            uint32            `json:"port,omitempty"`
	URI             string            `json:"uri"`
	Query           map[string]string `json:"query,omitempty"`
	Headers         map[string]string `json:"headers,omitempty"`
	SourceLabels    map[string]string `json:"sourceLabels,omitempty"`
	SourceNamespace string            `json:"sourceNamespace,omitempty"`
}

type arrivalJSON struct {
	Name string `json:"name"`
	// Known is false when the Gateway was not given: its servers were not
	// checked.
	Known    bool     `json:"known"`
	Port     uint32   `json:"port,omitempty"`
	Server   string   `json:"server,omitempty"`
	Protocol string   `json:"protocol,omitempty"`
	Host     string   `json:"host,omitempty"`
	Routes   []string `json:"virtualServices,omitempty"`
	Refused  string   `json:"refused,omitempty"`
}

type redirectJSON struct {
	Code uint32 `json:"code"`
	URL  string `json:"url"`
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
	// Via names the delegating route, "namespace/name [index]", when the
	// route is a delegate's.
	Via string `json:"via,omitempty"`
}

type destinationJSON struct {
	Target string  `json:"target"`
	Host   string  `json:"host"`
	Subset string  `json:"subset,omitempty"`
	Weight float64 `json:"weight"`
}

// echoRequest is the request as Envoy sees it.
func echoRequest(req route.Request, a *route.Arrival) requestJSON {
	out := requestJSON{Gateway: req.Gateway, Method: req.Method, Scheme: req.Scheme, Authority: req.Authority, Port: req.Port,
		URI: req.URI, Query: req.QueryParams, SourceLabels: req.SourceLabels, SourceNamespace: req.SourceNamespace}
	if out.Method == "" {
		out.Method = "GET"
	}
	if out.URI == "" {
		out.URI = "/"
	}
	if a != nil && a.Port != 0 {
		out.Port = a.Port
	}
	if out.Scheme == "" {
		out.Scheme = "http"
		if a != nil && a.TLS {
			out.Scheme = "https"
		}
	}
	if len(req.Headers) > 0 || len(req.Cookies) > 0 {
		out.Headers = make(map[string]string, len(req.Headers)+1)
		for k, v := range req.Headers {
			out.Headers[strings.ToLower(k)] = v
		}
		if len(req.Cookies) > 0 {
			c := cookie.Header(req.Cookies)
			if h := out.Headers["cookie"]; h != "" {
				c = h + "; " + c
			}
			out.Headers["cookie"] = c
		}
	}
	return out
}

// JSON gives the outcome of req the form of meshroll route -o json.
func JSON(o traffic.Outcome, req route.Request) *JSONOutcome {
	res := o.Result
	out := &JSONOutcome{Phase: o.Phase, Destinations: []destinationJSON{}, Request: echoRequest(req, res.Arrival),
		VirtualService: res.VirtualService, Warnings: res.Warnings}
	if r := o.Rollout; r != nil {
		out.Rollout, out.Namespace = r.Name, r.Namespace
	}
	if a := res.Arrival; a != nil {
		out.Gateway = &arrivalJSON{Name: a.Gateway, Known: a.Known, Port: a.Port, Server: a.ServerName, Protocol: a.Protocol,
			Host: a.Host, Routes: a.VirtualServices, Refused: a.Refused}
	}
	if f := res.Fault; f != nil {
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
	if res.Matched {
		out.Route = &routeRef{Name: res.Name, Index: res.Index}
		if v := res.Via; v != nil {
			out.Route.Via = fmt.Sprintf("%s [%d]", v.VirtualService, v.Index)
		}
	} else {
		out.Reason = res.Reason
		if rd := res.Redirect; rd != nil {
			out.Redirect = &redirectJSON{Code: rd.Code, URL: rd.Scheme + "://" + rd.Authority + rd.URI}
		}
	}
	for _, s := range o.Shares {
		out.Destinations = append(out.Destinations, destinationJSON{Target: s.Target, Host: s.Host, Subset: s.Subset, Weight: s.Percent})
	}
	if m := o.Mirror; m != nil {
		out.Mirror = &mirrorJSON{Target: m.Target, Host: m.Host, Subset: m.Subset, Percent: m.Percent}
	}
	return out
}
