// Package gate evaluates the metric analysis of a rollout's intent against
// Prometheus and decides, for meshroll promote, whether a rollout advances,
// rolls back or waits.
//
// Each metric is one instant PromQL query at the time of the gate: a
// built-in template over Istio's standard metrics (istio_requests_total and
// istio_request_duration_milliseconds_bucket, reporter="destination"),
// selecting the canary by destination_service_namespace,
// destination_service_name (the canary's host, short name) and, for a
// subset track, destination_version (the track's version label); or the
// rollout's own PromQL with the variables of schema.QueryVariables
// expanded. A query must come back as one number: a scalar, or a vector of
// one sample. No sample, or NaN (a rate of no requests divides zero by
// zero), is no data; several samples, a range vector, a string, a query
// Prometheus rejects, a timeout or an unreachable server are errors — the
// gate cannot say, and meshroll writes nothing.
//
// It talks to Prometheus through the official client,
// github.com/prometheus/client_golang/api, with an optional bearer token.
package gate
