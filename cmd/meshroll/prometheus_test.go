package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// requirePrometheusEnv names the variable that turns a missing prometheus
// into a failure, so that CI cannot pass by skipping the test; .ci/run sets
// it.
const requirePrometheusEnv = "MESHROLL_REQUIRE_PROMETHEUS"

// gateTime is when the scripts in testdata/prometheus run (--now): the end
// of the half hour of metrics the test writes.
var gateTime = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// service is one destination of Istio's standard metrics, with the traffic
// it gets over the half hour before gateTime.
type service struct {
	reporter, namespace, name, version string
	rps                                float64 // requests per second
	errors                             float64 // share answered 500
	latency                            float64 // milliseconds, every request
}

// services are the metrics the test's Prometheus holds. The canaries the
// scripts gate: reviews and productpage healthy, cart answering 5% of its
// requests with 500, ratings slow (800ms), details without traffic (its
// counters stand still), frontend-canary a canary host of its own. The
// rest is what the templates must not select: the stable v1 of reviews,
// failing and slow, and the source side of reviews' canary.
var services = []service{
	{"destination", "bookinfo", "reviews", "v2", 10, 0, 40},
	{"destination", "bookinfo", "reviews", "v1", 10, 0.5, 2000},
	{"source", "bookinfo", "reviews", "v2", 10, 1, 3000},
	{"destination", "bookinfo", "productpage", "v2", 5, 0, 30},
	{"destination", "shop", "cart", "v2", 20, 0.05, 40},
	{"destination", "bookinfo", "ratings", "v2", 10, 0, 800},
	{"destination", "bookinfo", "details", "v2", 0, 0, 40},
	{"destination", "shop", "frontend-canary", "v7", 8, 0, 60},
}

var buckets = []float64{5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000}

// openMetrics writes the services' counters and duration histograms, a
// sample every 15s for the half hour before gateTime, in the OpenMetrics
// text format that promtool turns into TSDB blocks.
func openMetrics() []byte {
	var b bytes.Buffer
	const step, n = 15, 121
	end := gateTime.Unix()
	series := func(name, labels string, perSecond float64) {
		for i := 0; i < n; i++ {
			t := end - int64((n-1-i)*step)
			fmt.Fprintf(&b, "%s{%s} %g %d\n", name, labels, perSecond*float64(i*step), t)
		}
	}
	for _, s := range services {
		base := fmt.Sprintf(`reporter=%q,destination_service_namespace=%q,destination_service_name=%q,destination_version=%q`, s.reporter, s.namespace, s.name, s.version)
		series("istio_requests_total", base+`,response_code="200"`, s.rps*(1-s.errors))
		series("istio_requests_total", base+`,response_code="500"`, s.rps*s.errors)
		for _, le := range buckets {
			rate := 0.0
			if s.latency <= le {
				rate = s.rps
			}
			series("istio_request_duration_milliseconds_bucket", base+fmt.Sprintf(`,le="%g"`, le), rate)
		}
		series("istio_request_duration_milliseconds_bucket", base+`,le="+Inf"`, s.rps)
	}
	b.WriteString("# EOF\n")
	return b.Bytes()
}

// TestPrometheus runs the scripts of testdata/prometheus against a real
// Prometheus: Debian's prometheus package, started here on a free loopback
// port over TSDB blocks that promtool makes from openMetrics. The scripts
// also get a port where nothing listens (Prometheus down) and one that
// accepts connections and never answers (Prometheus too slow).
func TestPrometheus(t *testing.T) {
	for _, tool := range []string{"prometheus", "promtool"} {
		if _, err := exec.LookPath(tool); err != nil {
			msg := fmt.Sprintf("%s is not installed, so meshroll gate and promote are not tested against a real Prometheus (install it: apt-get install prometheus; .ci/run does)", tool)
			if os.Getenv(requirePrometheusEnv) == "1" {
				t.Fatalf("%s, and %s=1 requires it", msg, requirePrometheusEnv)
			}
			t.Skip(msg)
		}
	}
	ctx := t.Context()
	tmp := t.TempDir()
	om := filepath.Join(tmp, "metrics.om")
	if err := os.WriteFile(om, openMetrics(), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(tmp, "data")
	if out, err := exec.CommandContext(ctx, "promtool", "tsdb", "create-blocks-from", "openmetrics", om, data).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}
	cfg := filepath.Join(tmp, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	logFile := filepath.Join(tmp, "prometheus.log")
	log, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	prom := exec.Command("prometheus", "--config.file="+cfg, "--storage.tsdb.path="+data,
		"--storage.tsdb.retention.time=100y", "--web.listen-address="+addr)
	prom.Stdout, prom.Stderr = log, log
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		prom.Process.Kill()
		prom.Wait()
	})
	url := "http://" + addr
	waitReady(t, ctx, url, logFile)

	// A port nobody listens on, and a server that takes connections and
	// never answers.
	down := "http://" + freeAddr(t)
	slow, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slow.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := slow.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()

	testscript.Run(t, testscript.Params{
		Dir:           "testdata/prometheus",
		UpdateScripts: *updateScripts,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("PROMETHEUS", url)
			env.Setenv("PROMETHEUS_DOWN", down)
			env.Setenv("PROMETHEUS_SLOW", "http://"+slow.Addr().String())
			env.Setenv("NOW", gateTime.Format(time.RFC3339))
			return nil
		},
	})
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady waits, a minute at most, for Prometheus to serve queries.
func waitReady(t *testing.T, ctx context.Context, url, logFile string) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/-/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	log, _ := os.ReadFile(logFile)
	t.Fatalf("prometheus was not ready within a minute:\n%s", strings.TrimSpace(string(log)))
}
