package route

import "strings"

// Header is one header field of a request as the client sends it: a name and
// one value. A header sent more than once is several Headers of one name.
type Header struct {
	Name, Value string
}

// JoinHeaders returns headers as Envoy's route matching sees them: names in
// lower case, and the values of a header sent more than once joined in the
// order sent. Envoy matches a header against all of its values joined with
// "," (HeaderUtility::getAllOfHeaderAsString, called by
// HeaderUtility::matchHeaders in source/common/http/header_utility.cc), so
// "end-user: bob" and "end-user: jason" are matched as "bob,jason" and no
// longer equal "jason". The cookie header is the exception: a client sends
// one (RFC 6265, section 5.4), and Envoy's HTTP/2 codec puts cookie headers
// that arrive split back together with "; " (reconstituteCrumbledCookies in
// source/common/http/http2/codec_impl.cc, as RFC 9113 section 8.2.3 asks), so
// cookie values are joined with "; ".
func JoinHeaders(headers []Header) map[string]string {
	if len(headers) == 0 {
		return nil
	}
	out := make(map[string]string, len(headers))
	for _, h := range headers {
		name := strings.ToLower(h.Name)
		prev, ok := out[name]
		if !ok {
			out[name] = h.Value
			continue
		}
		out[name] = prev + headerSeparator(name) + h.Value
	}
	return out
}

// headerSeparator is what Envoy puts between the values of a repeated header.
func headerSeparator(name string) string {
	if name == "cookie" {
		return "; "
	}
	return ","
}
