package crd

import "testing"

func TestClosest(t *testing.T) {
	fields := []string{"destination", "headers", "weight"}
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"wieght", fields, "weight"},
		{"weigth", fields, "weight"},
		{"Weight", fields, "weight"},
		{"destinaton", fields, "destination"},
		{"header", fields, "headers"},
		{"max_retries", []string{"maxRetries", "idleTimeout"}, "maxRetries"},
		{"max-retries", []string{"maxRetries"}, "maxRetries"},
		{"STRCT", []string{"UNSET", "DISABLE", "PERMISSIVE", "STRICT"}, "STRICT"},
		{"foo", fields, ""},
		{"w", fields, ""},
		{"route", []string{"retries", "rewrite"}, ""},
		{"", fields, ""},
	}
	for _, tt := range tests {
		if got := closest(tt.name, tt.candidates); got != tt.want {
			t.Errorf("closest(%q, %v) = %q, want %q", tt.name, tt.candidates, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "acb", 1},
		{"wieght", "weight", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
		{"abc", "", 3},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
