package policies

import (
	"os"
	"testing"

	"github.com/meshroll/meshroll/internal/bound"
)

// TestMain lets the test binary serve the bounded compilation of policies,
// as meshroll's main does: Compile runs CUE in a child process, which is
// this binary started again.
func TestMain(m *testing.M) {
	bound.Serve()
	os.Exit(m.Run())
}
