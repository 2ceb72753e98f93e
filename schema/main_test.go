package schema

import (
	"os"
	"testing"

	"github.com/meshroll/meshroll/internal/bound"
)

// TestMain lets the test binary serve the bounded evaluation of intent, as
// meshroll's main does: Load runs CUE in a child process, which is this
// binary started again.
func TestMain(m *testing.M) {
	bound.Serve()
	os.Exit(m.Run())
}
