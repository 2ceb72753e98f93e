package schema

import "testing"

// TestFQDN pins the completion rule that manifest.ResolveHost shares: only a
// name without a dot is completed (issue 9).
func TestFQDN(t *testing.T) {
	tests := []struct{ host, ns, want string }{
		{"reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local"},
		{"reviews.bookinfo", "default", "reviews.bookinfo"},
		{"reviews.bookinfo.svc", "default", "reviews.bookinfo.svc"},
		{"reviews.bookinfo.svc.cluster.local", "default", "reviews.bookinfo.svc.cluster.local"},
		{"api.example.com", "default", "api.example.com"},
		{"*.example.com", "default", "*.example.com"},
	}
	for _, tt := range tests {
		if got := FQDN(tt.host, tt.ns); got != tt.want {
			t.Errorf("FQDN(%q, %q) = %q, want %q", tt.host, tt.ns, got, tt.want)
		}
	}
}
