package gateway

import "testing"

func TestResolve(t *testing.T) {
	tests := []struct{ name, namespace, want string }{
		{"public-gateway", "shop", "shop/public-gateway"},
		{"./public-gateway", "shop", "shop/public-gateway"},
		{"istio-system/ingress", "shop", "istio-system/ingress"},
		{"ingress.istio-system.svc.cluster.local", "shop", "istio-system/ingress"},
		{"ingress.istio-system", "shop", "istio-system/ingress"},
		{"mesh", "shop", "mesh"},
		{"", "shop", ""},
		{"public-gateway", "", "public-gateway"},
		{"./public-gateway", "", "./public-gateway"},
	}
	for _, tt := range tests {
		if got := Resolve(tt.name, tt.namespace); got != tt.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tt.name, tt.namespace, got, tt.want)
		}
	}
}
