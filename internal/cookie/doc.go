// Package cookie is the cookie header as browsers send it and Envoy matches
// it, for both sides of meshroll: intent (schema checks that a cookie match
// can be sent, render writes the header regex that matches it) and
// simulation (route joins a request's cookies into the one header Envoy
// sees). Keeping them together keeps the regex meshroll renders and the
// header it is tested against in step, and lets schema and render use them
// without the routing engine.
//
// Istio has no cookie match of its own: a VirtualService matches the
// "cookie" header with a regex, which Envoy applies as a full match
// (https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest).
package cookie
