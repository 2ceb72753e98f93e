package route

import (
	"reflect"
	"testing"

	"github.com/meshroll/meshroll/internal/cookie"
)

// TestJoinHeaders follows Envoy: a header sent more than once is matched as
// its values joined with "," (HeaderUtility::getAllOfHeaderAsString in
// source/common/http/header_utility.cc), the cookie header's with "; " (the
// HTTP/2 codec's reconstituteCrumbledCookies, RFC 9113 section 8.2.3).
func TestJoinHeaders(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   []Header
		want map[string]string
	}{
		{"none", nil, nil},
		{"one value", []Header{{"end-user", "jason"}}, map[string]string{"end-user": "jason"}},
		{"repeated header joined in order with a comma", []Header{{"end-user", "bob"}, {"end-user", "jason"}}, map[string]string{"end-user": "bob,jason"}},
		{"names fold to lower case before joining", []Header{{"X-Env", "a"}, {"x-env", "b"}}, map[string]string{"x-env": "a,b"}},
		{"empty values keep their place", []Header{{"x", ""}, {"x", "1"}}, map[string]string{"x": ",1"}},
		{"cookie headers joined as one cookie header", []Header{{"cookie", "theme=dark"}, {"Cookie", "user=beta"}}, map[string]string{"cookie": "theme=dark; user=beta"}},
		{"other headers untouched", []Header{{"a", "1"}, {"b", "2"}, {"a", "3"}}, map[string]string{"a": "1,3", "b": "2"}},
	} {
		if got := JoinHeaders(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: JoinHeaders(%v) = %v, want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestRepeatedHeaderFallsThrough is the bug of issue 14: "end-user: bob" and
// "end-user: jason" sent together were simulated as "jason" and took the
// user route; Envoy matches "bob,jason" against exact "jason" and the
// request takes the default route.
func TestRepeatedHeaderFallsThrough(t *testing.T) {
	vs := parseSpec(t, seedJason)
	for _, tt := range []struct {
		headers []Header
		want    int
	}{
		{[]Header{{"end-user", "jason"}}, 0},
		{[]Header{{"end-user", "bob"}, {"end-user", "jason"}}, 1},
		{[]Header{{"end-user", "jason"}, {"end-user", "jason"}}, 1},
	} {
		got := Evaluate(vs, "bookinfo", Request{Headers: JoinHeaders(tt.headers)})
		if got.Index != tt.want {
			t.Errorf("%v: route %d, want %d (%+v)", tt.headers, got.Index, tt.want, got.Trace)
		}
	}
}

// TestCookiesMergeWithCookieHeader: a request carries one cookie header, so
// cookies given apart join the cookie header's, after them, with "; ".
func TestCookiesMergeWithCookieHeader(t *testing.T) {
	vs := parseSpec(t, `
hosts: [reviews]
http:
- name: beta-cookie
  match:
  - headers:
      cookie:
        regex: "`+escapeYAML(cookie.Regex("user", "beta"))+`"
  route:
  - destination: {host: reviews, subset: v2}
- route:
  - destination: {host: reviews, subset: v1}
`)
	for _, tt := range []struct {
		name string
		req  Request
		want int
	}{
		{"cookie from the header", Request{Headers: map[string]string{"cookie": "user=beta"}}, 0},
		{"cookie given apart after a cookie header", Request{Headers: map[string]string{"cookie": "theme=dark"}, Cookies: []cookie.Cookie{{Name: "user", Value: "beta"}}}, 0},
		{"cookie header after cookies given apart", Request{Headers: map[string]string{"cookie": "user=beta"}, Cookies: []cookie.Cookie{{Name: "theme", Value: "dark"}}}, 0},
		{"neither has it", Request{Headers: map[string]string{"cookie": "theme=dark"}, Cookies: []cookie.Cookie{{Name: "lang", Value: "en"}}}, 1},
	} {
		if got := Evaluate(vs, "bookinfo", tt.req); got.Index != tt.want {
			t.Errorf("%s: route %d, want %d (%+v)", tt.name, got.Index, tt.want, got.Trace)
		}
	}
}

func escapeYAML(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] == '"' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
