package yamlfast

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

const benchDoc = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: svc-00001
  namespace: team-000
  labels:
    app.kubernetes.io/managed-by: meshroll
  annotations:
    meshroll.dev/rollout: svc-00001
    meshroll.dev/phase: canary
spec:
  hosts:
  - svc-00001
  http:
  - name: jason
    match:
    - headers:
        end-user:
          exact: jason
    route:
    - destination:
        host: svc-00001
        subset: canary
  - name: weighted
    timeout: 10s
    retries:
      attempts: 3
      perTryTimeout: 3s
      retryOn: 5xx,reset
    route:
    - destination:
        host: svc-00001
        subset: stable
      weight: 90
    - destination:
        host: svc-00001
        subset: canary
      weight: 10
`

// BenchmarkParse compares the fast path with yaml.v3 on a rendered
// VirtualService.
func BenchmarkParse(b *testing.B) {
	b.Run("yamlfast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := Parse([]byte(benchDoc)); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(benchDoc), &n); err != nil {
				b.Fatal(err)
			}
		}
	})
}
