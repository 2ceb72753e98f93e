package gate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/meshroll/meshroll/schema"
)

// DefaultTimeout bounds one query, connection included.
const DefaultTimeout = 30 * time.Second

// Options say how to reach Prometheus.
type Options struct {
	// URL is Prometheus's base URL, such as http://prometheus:9090.
	URL string
	// Token, when set, is sent as a bearer token.
	Token string
	// Timeout bounds each query; DefaultTimeout when zero.
	Timeout time.Duration
}

// Client queries one Prometheus.
type Client struct {
	api     v1.API
	url     string
	timeout time.Duration
}

// New returns a client for the Prometheus at o.URL. It does not connect.
func New(o Options) (*Client, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the Prometheus address %q is not an http or https URL such as http://prometheus:9090", o.URL)
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: timeout}).DialContext
	tr.ResponseHeaderTimeout = timeout
	var rt http.RoundTripper = tr
	if o.Token != "" {
		rt = bearer{token: o.Token, next: tr}
	}
	c, err := api.NewClient(api.Config{Address: o.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("the Prometheus address %q: %w", o.URL, err)
	}
	return &Client{api: v1.NewAPI(c), url: redact(u), timeout: timeout}, nil
}

// bearer adds a bearer token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// redact writes u without a password, for messages.
func redact(u *url.URL) string { return u.Redacted() }

// Verdicts of a gate.
const (
	Pass   = "pass"
	Fail   = "fail"
	NoData = "no-data"
)

// Result is the verdict on one rollout: Fail when a metric is out of
// bounds, else NoData when a query returned nothing, else Pass.
type Result struct {
	Rollout *schema.Rollout
	Phase   string
	Verdict string
	Metrics []MetricResult
}

// MetricResult is one metric's value and verdict.
type MetricResult struct {
	Name  string
	Query string
	// Value is the query's value; nil when there is none (no data, NaN).
	Value    *float64
	Min, Max *float64
	// Pass is set when the value is within the bounds.
	Pass bool
	// NoData is set when the query returned no sample, or NaN.
	NoData bool
	// Note says what the value is when it is not a plain number, or why
	// there is none: "no series", "NaN", "+Inf".
	Note string
}

// Explain describes the metric's verdict in a sentence fragment: "success
// 97.5, below min 99", "latency 120 (max 500)", "errors: no data (no
// series)".
func (m MetricResult) Explain() string {
	switch {
	case m.NoData:
		return m.Name + ": no data (" + m.Note + ")"
	case m.Value == nil:
		return m.Name + " " + m.Note
	}
	v := FormatValue(*m.Value)
	switch {
	case m.Min != nil && *m.Value < *m.Min:
		return fmt.Sprintf("%s %s, below min %s", m.Name, v, FormatValue(*m.Min))
	case m.Max != nil && *m.Value > *m.Max:
		return fmt.Sprintf("%s %s, above max %s", m.Name, v, FormatValue(*m.Max))
	}
	return m.Name + " " + v + " (" + Bounds(m.Min, m.Max) + ")"
}

// Bounds writes the bounds of a metric: "min 99", "max 500", "min 1, max 2".
func Bounds(min, max *float64) string {
	var parts []string
	if min != nil {
		parts = append(parts, "min "+FormatValue(*min))
	}
	if max != nil {
		parts = append(parts, "max "+FormatValue(*max))
	}
	return strings.Join(parts, ", ")
}

// FormatValue writes a value with at most three decimals, trailing zeros
// dropped: 99.5, 97.123, 500, +Inf.
func FormatValue(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// Failing returns the metrics that failed, then those without data, as
// sentence fragments.
func (r *Result) Failing() []string {
	var fail, nodata []string
	for _, m := range r.Metrics {
		switch {
		case m.NoData:
			nodata = append(nodata, m.Explain())
		case !m.Pass:
			fail = append(fail, m.Explain())
		}
	}
	return append(fail, nodata...)
}

// Error is a gate that cannot say: Prometheus unreachable, too slow, or a
// query whose answer is not one number.
type Error struct {
	Rollout, Metric, Query string
	Err                    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("rollout %s: metric %s: %v\n  query: %s", e.Rollout, e.Metric, e.Err, e.Query)
}

func (e *Error) Unwrap() error { return e.Err }

// Evaluate queries every metric of r's analysis at time at and returns the
// verdict. r must have an analysis.
func (c *Client) Evaluate(ctx context.Context, r *schema.Rollout, at time.Time) (*Result, error) {
	if r.Analysis == nil {
		return nil, fmt.Errorf("rollout %s has no analysis to gate on; add an analysis block to its intent", r.Name)
	}
	res := &Result{Rollout: r, Phase: r.Phase, Verdict: Pass}
	for _, m := range r.Analysis.Metrics {
		q := Query(r, m)
		mr := MetricResult{Name: m.Name, Query: q, Min: m.Min, Max: m.Max}
		v, err := c.value(ctx, q, at)
		if err != nil {
			return nil, &Error{Rollout: r.ID(), Metric: m.Name, Query: q, Err: err}
		}
		switch {
		case v == nil:
			mr.NoData, mr.Note = true, "the query returned no series"
		case math.IsNaN(*v):
			mr.NoData, mr.Note = true, "the query returned NaN: no requests in the window?"
		case math.IsInf(*v, 0):
			mr.Note = FormatValue(*v)
			mr.Pass = within(*v, m.Min, m.Max)
		default:
			mr.Value = v
			mr.Pass = within(*v, m.Min, m.Max)
		}
		res.Metrics = append(res.Metrics, mr)
	}
	for _, m := range res.Metrics {
		if !m.NoData && !m.Pass {
			res.Verdict = Fail
		}
	}
	if res.Verdict == Pass {
		for _, m := range res.Metrics {
			if m.NoData {
				res.Verdict = NoData
			}
		}
	}
	return res, nil
}

func within(v float64, min, max *float64) bool {
	return (min == nil || v >= *min) && (max == nil || v <= *max)
}

// value runs one instant query and returns its one number; nil when it
// returned no sample.
func (c *Client) value(ctx context.Context, q string, at time.Time) (*float64, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	val, _, _, err := c.api.Query(ctx, q, at, v1.WithTimeout(c.timeout))
	if err != nil {
		return nil, c.explain(ctx, err)
	}
	switch v := val.(type) {
	case *model.Scalar:
		f := float64(v.Value)
		return &f, nil
	case model.Vector:
		switch len(v) {
		case 0:
			return nil, nil
		case 1:
			f := float64(v[0].Value)
			return &f, nil
		}
		return nil, fmt.Errorf("the query returned %d series where the gate needs one number: %s; aggregate them, with sum(...) or max(...), or select one", len(v), seriesList(v))
	case model.Matrix:
		return nil, errors.New("the query returned a range vector; the gate needs one number: drop the [range] outside a function, or wrap it in one such as rate(...)")
	case *model.String:
		return nil, errors.New("the query returned a string; the gate needs one number")
	}
	return nil, fmt.Errorf("the query returned a %s; the gate needs one number", val.Type())
}

// seriesList names up to three series of v, sorted.
func seriesList(v model.Vector) string {
	var names []string
	for _, s := range v {
		names = append(names, s.Metric.String())
	}
	sort.Strings(names)
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("and %d more", len(names)-3))
	}
	return strings.Join(names, ", ")
}

// explain turns a client error into a sentence that says what to do.
func (c *Client) explain(ctx context.Context, err error) error {
	var pe *v1.Error
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("Prometheus at %s did not answer within %s; is it overloaded? (raise --timeout)", c.url, c.timeout)
	case errors.As(err, &pe) && pe.Type == v1.ErrBadData:
		return fmt.Errorf("Prometheus at %s rejects the query: %s", c.url, pe.Msg)
	case errors.As(err, &pe) && pe.Type == v1.ErrTimeout:
		return fmt.Errorf("Prometheus at %s timed out evaluating the query: %s", c.url, pe.Msg)
	case errors.As(err, &pe) && pe.Type == v1.ErrExec:
		return fmt.Errorf("Prometheus at %s could not evaluate the query: %s", c.url, pe.Msg)
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return fmt.Errorf("Prometheus at %s is unreachable: %v", c.url, oe.Err)
	}
	return fmt.Errorf("querying Prometheus at %s: %v", c.url, err)
}
