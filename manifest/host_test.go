package manifest

import "testing"

func TestResolveHost(t *testing.T) {
	isNS := func(s string) bool { return s == "bookinfo" || s == "default" }
	tests := []struct{ name, ns, want string }{
		{"reviews", "default", "reviews.default.svc.cluster.local"},
		{"Reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local"},
		// Istio expands only names without a dot (issue 9).
		{"reviews.bookinfo", "default", "reviews.bookinfo"},
		{"reviews.bookinfo.svc", "default", "reviews.bookinfo.svc"},
		{"10.0.0.1", "default", "10.0.0.1"},
		{"reviews.bookinfo.svc.cluster.local", "default", "reviews.bookinfo.svc.cluster.local"},
		{"reviews.bookinfo.svc.cluster.local.", "default", "reviews.bookinfo.svc.cluster.local"},
		{"example.com", "default", "example.com"}, // com is no namespace here
		{"api.example.com", "default", "api.example.com"},
		{"*.example.com", "default", "*.example.com"},
		{"*", "default", "*"},
		{"", "default", ""},
	}
	for _, tt := range tests {
		if got := ResolveHost(tt.name, tt.ns, "cluster.local", isNS); string(got) != tt.want {
			t.Errorf("ResolveHost(%q, %q) = %q, want %q", tt.name, tt.ns, got, tt.want)
		}
	}
}

func TestHalfQualified(t *testing.T) {
	isNS := func(s string) bool { return s == "bookinfo" }
	tests := []struct {
		name string
		want string
		ok   bool
	}{
		{"reviews.bookinfo", "reviews.bookinfo.svc.cluster.local", true},
		{"reviews.bookinfo.svc", "reviews.bookinfo.svc.cluster.local", true},
		{"example.com", "", false},
		{"reviews", "", false},
		{"reviews.bookinfo.svc.cluster.local", "", false},
		{"*.bookinfo", "", false},
	}
	for _, tt := range tests {
		got, ok := HalfQualified(tt.name, "cluster.local", isNS)
		if string(got) != tt.want || ok != tt.ok {
			t.Errorf("HalfQualified(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHostMatches(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", true},
		{"reviews.default.svc.cluster.local", "ratings.default.svc.cluster.local", false},
		{"*", "anything.example.com", true},
		{"*.example.com", "api.example.com", true},
		{"*.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "*.api.example.com", true},
		{"*.default.svc.cluster.local", "reviews.default.svc.cluster.local", true},
		{"*.default.svc.cluster.local", "reviews.bookinfo.svc.cluster.local", false},
		{"api.example.com", "*.example.com", false},
	}
	for _, tt := range tests {
		if got := Host(tt.pattern).Matches(Host(tt.host)); got != tt.want {
			t.Errorf("Host(%q).Matches(%q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
		}
	}
}

func TestHostService(t *testing.T) {
	tests := []struct {
		host, name, ns string
		ok             bool
	}{
		{"reviews.bookinfo.svc.cluster.local", "reviews", "bookinfo", true},
		{"*.bookinfo.svc.cluster.local", "*", "bookinfo", true},
		{"api.example.com", "", "", false},
		{"a.b.c.svc.cluster.local", "", "", false},
		{"*", "", "", false},
	}
	for _, tt := range tests {
		name, ns, ok := Host(tt.host).Service("cluster.local")
		if name != tt.name || ns != tt.ns || ok != tt.ok {
			t.Errorf("Host(%q).Service() = %q, %q, %v; want %q, %q, %v", tt.host, name, ns, ok, tt.name, tt.ns, tt.ok)
		}
	}
}
