package gate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/meshroll/meshroll/schema"
)

// Istio's standard metrics, which the templates query.
const (
	metricRequests = "istio_requests_total"
	metricDuration = "istio_request_duration_milliseconds_bucket"
)

// Target is what selects a rollout's canary in Istio's metrics.
type Target struct {
	// Namespace and Service are destination_service_namespace and
	// destination_service_name: the canary's host, short name, and its
	// namespace.
	Namespace, Service string
	// Version is destination_version: the version label of a subset
	// track; "" for a track that is a host of its own.
	Version string
}

// TargetOf returns the canary target of r, which has a canary. A host
// written name.namespace(.svc...) names its namespace; a short host is in
// the rollout's namespace.
func TargetOf(r *schema.Rollout) Target {
	host := r.Canary.Host
	labels := strings.Split(host, ".")
	t := Target{Namespace: r.Namespace, Service: labels[0]}
	if len(labels) == 2 || len(labels) > 2 && labels[2] == "svc" {
		t.Namespace = labels[1]
	}
	if r.Canary.Subset != "" {
		t.Version = r.Canary.Labels["version"]
	}
	return t
}

// Selector returns the label matchers of the target, in PromQL:
// destination_service_namespace="bookinfo",destination_service_name="reviews",destination_version="v2".
func (t Target) Selector() string {
	s := "destination_service_namespace=" + quote(t.Namespace) + ",destination_service_name=" + quote(t.Service)
	if t.Version != "" {
		s += ",destination_version=" + quote(t.Version)
	}
	return s
}

// quote writes s as a PromQL string literal.
func quote(s string) string { return strconv.Quote(s) }

// Range writes d as a PromQL duration: 1m, 90s, 1h30m.
func Range(d time.Duration) string { return model.Duration(d).String() }

// Query returns the PromQL of metric m of rollout r: the template's query,
// or the rollout's own with its variables expanded.
func Query(r *schema.Rollout, m schema.Metric) string {
	t := TargetOf(r)
	iv := Range(r.Analysis.Interval)
	sel := `reporter="destination",` + t.Selector()
	switch m.Template {
	case schema.TemplateSuccessRate:
		// The share of requests the canary did not answer with a 5xx, in
		// percent.
		return fmt.Sprintf(`100 * sum(rate(%s{%s,response_code!~"5.."}[%s])) / sum(rate(%s{%s}[%s]))`, metricRequests, sel, iv, metricRequests, sel, iv)
	case schema.TemplateDuration:
		// The 99th percentile of the canary's request durations, in
		// milliseconds.
		return fmt.Sprintf(`histogram_quantile(0.99, sum by (le) (rate(%s{%s}[%s])))`, metricDuration, sel, iv)
	}
	return Expand(m.Query, Vars(r))
}

// Vars returns the values of the query variables for rollout r.
func Vars(r *schema.Rollout) map[string]string {
	t := TargetOf(r)
	return map[string]string{
		"namespace": t.Namespace,
		"service":   t.Service,
		"version":   t.Version,
		"canary":    t.Selector(),
		"interval":  Range(r.Analysis.Interval),
		"rollout":   r.Name,
	}
}

// Expand replaces each {{name}} in query with vars[name]; the schema has
// refused queries that use other names.
func Expand(query string, vars map[string]string) string {
	var b strings.Builder
	for {
		i := strings.Index(query, "{{")
		if i < 0 {
			break
		}
		j := strings.Index(query[i:], "}}")
		if j < 0 {
			break
		}
		name := strings.TrimSpace(query[i+2 : i+j])
		v, ok := vars[name]
		if !ok {
			b.WriteString(query[:i+j+2])
			query = query[i+j+2:]
			continue
		}
		b.WriteString(query[:i])
		b.WriteString(v)
		query = query[i+j+2:]
	}
	b.WriteString(query)
	return b.String()
}
