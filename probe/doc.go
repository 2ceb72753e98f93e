// Package probe is the request meshroll route sends through a rollout's
// routes, as a person gives it, and how its outcome is told.
//
// Build turns headers, cookies, source labels, query parameters and the
// rest into the request Envoy would see: a header given more than once is
// matched as its values joined with "," (cookie with "; "), and the cookies
// given on their own and those of a cookie header make one cookie header,
// in the order given. WriteOutcome writes the outcome for a person, and
// JSON gives it the form of meshroll route -o json. The CLI's route
// command and the MCP server's route tool both go through it.
package probe
