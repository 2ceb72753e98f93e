package gen

import (
	"testing"

	"github.com/meshroll/meshroll/schema"
)

// TestIntentsAreValid checks that generated intent passes the schema and
// holds the patterns it promises.
func TestIntentsAreValid(t *testing.T) {
	dir := t.TempDir()
	if err := Intents(dir, 120); err != nil {
		t.Fatal(err)
	}
	in, err := schema.Load([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Rollouts) != 120 {
		t.Fatalf("loaded %d rollouts, want 120", len(in.Rollouts))
	}
	var hostTracks, mirrors, faults, rolledBack int
	for _, r := range in.Rollouts {
		if r.Stable.Subset == "" {
			hostTracks++
		}
		if r.Mirror != nil {
			mirrors++
		}
		if r.Fault != nil {
			faults++
		}
		if r.Phase == schema.PhaseRollback {
			rolledBack++
		}
	}
	if hostTracks == 0 || mirrors == 0 || faults == 0 || rolledBack == 0 {
		t.Errorf("patterns missing: %d host tracks, %d mirrors, %d faults, %d rolled back", hostTracks, mirrors, faults, rolledBack)
	}
}
