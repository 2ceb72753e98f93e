package crd

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

func benchmarkFile(b *testing.B, file string) {
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		b.Fatal(err)
	}
	if errs, ok := Validate(&doc); !ok || len(errs) != 0 {
		b.Fatalf("%s: ok=%v errs=%v", file, ok, errs)
	}
	b.ReportAllocs()
	for b.Loop() {
		Validate(&doc)
	}
}

// BenchmarkValidateVirtualService measures one typical VirtualService: three
// http routes with header, cookie and source-label matches, a weighted split,
// a timeout and retries.
func BenchmarkValidateVirtualService(b *testing.B) {
	benchmarkFile(b, "testdata/bench-virtualservice.yaml")
}

// BenchmarkValidateDestinationRule measures one typical DestinationRule:
// subsets and a traffic policy with connection pool, outlier detection, load
// balancer and TLS.
func BenchmarkValidateDestinationRule(b *testing.B) {
	benchmarkFile(b, "testdata/bench-destinationrule.yaml")
}
