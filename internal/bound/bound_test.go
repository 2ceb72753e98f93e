package bound

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Serve()
	os.Exit(m.Run())
}

// The jobs of these tests; a test binary serves them like meshroll serves
// its own.
var (
	echoJob = Register("bound.test/echo", func(in []byte, progress Progress) ([]byte, error) {
		progress("input.cue")
		return append([]byte("echo:"), in...), nil
	})
	failJob = Register("bound.test/fail", func(in []byte, progress Progress) ([]byte, error) {
		return nil, errors.New("input.cue:1:1: no good")
	})
	growJob = Register("bound.test/grow", func(in []byte, progress Progress) ([]byte, error) {
		progress("bomb.cue")
		var keep [][]byte
		for {
			b := make([]byte, 8<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	})
	spinJob = Register("bound.test/spin", func(in []byte, progress Progress) ([]byte, error) {
		progress("first.cue")
		progress("slow.cue")
		for {
			time.Sleep(time.Hour)
		}
	})
	garbageJob = Register("bound.test/garbage", func(in []byte, progress Progress) ([]byte, error) {
		// As a test binary without Serve in its TestMain would.
		os.Stdout.WriteString("PASS\n")
		for {
			time.Sleep(time.Hour)
		}
	})
	crashJob = Register("bound.test/crash", func(in []byte, progress Progress) ([]byte, error) {
		progress("crash.cue")
		os.Stderr.WriteString("something broke\n")
		os.Exit(3)
		return nil, nil
	})
)

func TestRun(t *testing.T) {
	lim := Limits{Memory: 256 << 20, Time: 20 * time.Second}
	tests := []struct {
		name    string
		job     *Job
		lim     Limits
		want    string // the output
		wantErr string
	}{
		{"result from the child", echoJob, lim, "echo:hello", ""},
		{"result in-process", echoJob, Limits{}, "echo:hello", ""},
		{"the job's own error", failJob, lim, "", "input.cue:1:1: no good"},
		{"memory", growJob, Limits{Memory: 64 << 20, Time: 20 * time.Second}, "", "bomb.cue: evaluation exceeded 64 MiB"},
		{"time", spinJob, Limits{Memory: 256 << 20, Time: 300 * time.Millisecond}, "", "slow.cue: evaluation exceeded 0.3 s"},
		{"not the protocol", garbageJob, lim, "", `bound: reading a bounded evaluation: unknown frame type 'P'`},
		{"crash", crashJob, lim, "", "bound: the evaluation of crash.cue failed (exit status 3): something broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.job.Run([]byte("hello"), tt.lim)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("got error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Fatalf("got %q, want %q", out, tt.want)
			}
		})
	}
}

func TestExceededError(t *testing.T) {
	var e error = &ExceededError{Subject: "a.cue", Memory: true, Limits: Defaults()}
	var ee *ExceededError
	if !errors.As(e, &ee) || ee.Reason() != "evaluation exceeded 1024 MiB" {
		t.Fatalf("got %v", e)
	}
	e = &ExceededError{Subject: "a.cue", Limits: Defaults()}
	if !strings.HasSuffix(e.Error(), "evaluation exceeded 20 s") {
		t.Fatalf("got %v", e)
	}
}
