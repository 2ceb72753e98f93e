package probe

import (
	"reflect"
	"testing"

	"github.com/meshroll/meshroll/internal/cookie"
	"github.com/meshroll/meshroll/route"
)

func TestBuild(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec Spec
		want route.Request
		err  string
	}{
		{name: "a header given twice is joined with a comma",
			spec: Spec{Headers: []Pair{{Name: "End-User", Value: "bob"}, {Name: "end-user", Value: "jason"}}},
			want: route.Request{Headers: map[string]string{"end-user": "bob,jason"}}},
		{name: "cookies alone stay cookies",
			spec: Spec{Headers: []Pair{{Cookie: true, Name: "user", Value: "beta"}}},
			want: route.Request{Cookies: []cookie.Cookie{{Name: "user", Value: "beta"}}}},
		{name: "cookies and a cookie header make one header, in order",
			spec: Spec{Headers: []Pair{{Cookie: true, Name: "a", Value: "1"}, {Name: "Cookie", Value: "theme=dark"}, {Cookie: true, Name: "user", Value: "beta"}}},
			want: route.Request{Headers: map[string]string{"cookie": "a=1; theme=dark; user=beta"}}},
		{name: "the first value of a query parameter",
			spec: Spec{Query: []Pair{{Name: "v", Value: "1"}, {Name: "v", Value: "2"}}, Method: "post", URI: "/a"},
			want: route.Request{QueryParams: map[string]string{"v": "1"}, Method: "POST", URI: "/a"}},
		{name: "through a gateway the host is the authority",
			spec: Spec{Gateway: "shop/public", Host: "app.example.com", Port: 443, Scheme: "https"},
			want: route.Request{Gateway: "shop/public", Authority: "app.example.com", Port: 443, Scheme: "https"}},
		{name: "mesh is a sidecar", spec: Spec{Gateway: "mesh", Host: "x"}, want: route.Request{}},
		{name: "two hosts", spec: Spec{Authority: "a", Headers: []Pair{{Name: "Host", Value: "b"}}},
			err: "a request has one host: give --authority or one --header host=..., not both or twice"},
		{name: "a relative uri", spec: Spec{URI: "a"}, err: `--uri "a" must start with /`},
		{name: "a scheme", spec: Spec{Scheme: "ftp"}, err: `--scheme must be http or https, not "ftp"`},
		{name: "a port", spec: Spec{Port: 70000}, err: "--port 70000: a port is a number from 1 to 65535"},
		{name: "a namespace", spec: Spec{SourceNamespace: "Shop"}, err: `--source-namespace "Shop" is not a namespace name (a DNS-1123 label)`},
		{name: "a gateway", spec: Spec{Gateway: "public"}, err: `--gateway "public": give the gateway as NAMESPACE/NAME (or mesh, for sidecars)`},
		{name: "a nameless label", spec: Spec{SourceLabels: []Pair{{Name: " ", Value: "x"}}}, err: `--source-label " =x": want name=value`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Build(tt.spec, Flags)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParsePair(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Pair
		err  bool
	}{
		{"a=b", Pair{Name: "a", Value: "b"}, false},
		{"a=", Pair{Name: "a"}, false},
		{"a=b=c", Pair{Name: "a", Value: "b=c"}, false},
		{"a", Pair{}, true},
		{"=b", Pair{}, true},
	} {
		got, err := ParsePair("--header", tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParsePair(%q) = %+v, %v", tt.in, got, err)
		}
	}
}
