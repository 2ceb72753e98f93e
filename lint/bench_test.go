package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/meshroll/meshroll/lint/internal/gentree"
	"github.com/meshroll/meshroll/manifest"
)

// BenchmarkLint loads and lints a generated GitOps tree (a VirtualService
// and a DestinationRule per service, through kustomizations) end to end.
func BenchmarkLint(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if err := gentree.Write(dir, gentree.Config{Services: n, PlantedFaults: true}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				m, err := manifest.Load([]string{dir}, manifest.LoadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Run(m, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLintFile lints one rendered file, as a pre-commit hook does.
func BenchmarkLintFile(b *testing.B) {
	dir := b.TempDir()
	if err := gentree.Write(dir, gentree.Config{Services: 1}); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(dir, "team-000", "svc-00000.yaml")
	b.ReportAllocs()
	for b.Loop() {
		m, err := manifest.Load([]string{file}, manifest.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(m, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGeneratedTree checks that the generator's planted faults are found,
// and nothing else above info, so the benchmark measures a realistic tree.
func TestGeneratedTree(t *testing.T) {
	dir := t.TempDir()
	const n = 260
	if err := gentree.Write(dir, gentree.Config{Services: n, PlantedFaults: true}); err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Load([]string{dir}, manifest.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, d := range rep.Diagnostics {
		if d.Severity > Info {
			got[d.Rule]++
		}
	}
	if want := gentree.Faults(n); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings = %v, want %v", got, want)
	}
	namespaces := (n + 49) / 50 // a PeerAuthentication and a kustomization each
	if rep.Resources != 2*n+namespaces || rep.Files != n+namespaces {
		t.Errorf("resources = %d, files = %d", rep.Resources, rep.Files)
	}
}

// manyHostsVS is one VirtualService routing n hosts.
func manyHostsVS(n int) []byte {
	var b []byte
	b = append(b, "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  hosts:\n"...)
	for i := range n {
		b = fmt.Appendf(b, "  - h%06d.example.com\n", i)
	}
	b = append(b, "  http:\n  - name: all\n    route:\n    - destination:\n        host: web\n"...)
	return b
}

// BenchmarkLintHosts lints one VirtualService with a long host list: linear
// in its length.
func BenchmarkLintHosts(b *testing.B) {
	for _, n := range []int{1000, 30000, 100000} {
		b.Run(fmt.Sprintf("hosts=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("long host list skipped in -short mode")
			}
			data := manyHostsVS(n)
			for b.Loop() {
				m := manifest.Parse("vs.yaml", data, manifest.LoadOptions{})
				if _, err := Run(m, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// tinyDocuments is n documents of about 60 bytes each in one stream.
func tinyDocuments(n int) []byte {
	var b []byte
	for i := range n {
		b = fmt.Appendf(b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%07d\n", i)
	}
	return b
}

// BenchmarkLintDocuments lints one file of many tiny documents. It reports
// the heap that the loaded manifests keep (heap-MiB): what lint keeps per
// document must be small, so that 700,000 of them fit in 1 GiB.
func BenchmarkLintDocuments(b *testing.B) {
	for _, n := range []int{10000, 700000, 1000000} {
		b.Run(fmt.Sprintf("documents=%d", n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("large file skipped in -short mode")
			}
			data := tinyDocuments(n)
			for b.Loop() {
				m := manifest.Parse("tiny.yaml", data, manifest.LoadOptions{})
				if _, err := Run(m, Options{}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
				if os.Getenv("MESHROLL_HEAP_PROFILE") != "" {
					f, _ := os.Create(os.Getenv("MESHROLL_HEAP_PROFILE"))
					pprof.WriteHeapProfile(f)
					f.Close()
				}
				runtime.KeepAlive(m)
				b.StartTimer()
			}
		})
	}
}
