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

// BenchmarkColdStart measures what the first document of a process pays:
// reading the index, decoding and preparing the schemas of VirtualService,
// DestinationRule and PeerAuthentication, building the CEL environment and
// compiling the rules the documents use.
func BenchmarkColdStart(b *testing.B) {
	var docs []*yaml.Node
	for _, src := range []string{
		"testdata/bench-virtualservice.yaml",
		"testdata/bench-destinationrule.yaml",
	} {
		text, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(text, &doc); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, &doc)
	}
	docs = append(docs, parse(b, pa("  selector: {matchLabels: {app: x}}\n  portLevelMtls:\n    \"80\": {mode: STRICT}\n")))
	b.ReportAllocs()
	for b.Loop() {
		r := registry{dir: releases().newest().dir}
		var c ruleCache
		for _, doc := range docs {
			if errs, ok := validate(doc, &r, &c); !ok || len(errs) > 0 {
				b.Fatal(errs)
			}
		}
	}
}
