package report

import (
	"os"
	"testing"

	"github.com/meshroll/meshroll/internal/bound"
)

// TestMain lets the test binary serve bounded CUE evaluations, as
// meshroll's main does: loading intent and policies runs CUE in a child
// process, which is this binary started again.
func TestMain(m *testing.M) {
	bound.Serve()
	os.Exit(m.Run())
}
