package main

import (
	"os/exec"
	"testing"
)

func TestShellQuote(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"intents/orders.cue", "intents/orders.cue"},
		{"--out=rendered", "--out=rendered"},
		{"my intents", "'my intents'"},
		{"", "''"},
		{"it's", `'it'\''s'`},
		{"$HOME/*.cue", "'$HOME/*.cue'"},
		{"a;rm -rf x", "'a;rm -rf x'"},
	} {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestShellJoinRoundTrip has a real shell split what shellJoin wrote back
// into the words it was given.
func TestShellJoinRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on this machine")
	}
	words := []string{"render", "my intents", "it's", "$HOME", "`x`", "a\"b", "*", "new\nline"}
	out, err := exec.Command(sh, "-c", `for w in `+shellJoin(words...)+`; do printf '%s\0' "$w"; done`).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := ""
	for _, w := range words {
		want += w + "\x00"
	}
	if string(out) != want {
		t.Errorf("the shell read %q, want %q", out, want)
	}
}
