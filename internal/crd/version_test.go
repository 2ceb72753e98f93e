package crd

import (
	"slices"
	"strings"
	"testing"
)

// requestAuthPresence is valid in Istio 1.32, which added jwtRules[].presence.
const requestAuthPresence = `apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  jwtRules:
  - issuer: https://example.com
    presence: OPTIONAL
`

func TestVersions(t *testing.T) {
	if got := Versions(); !slices.Equal(got, []string{"1.30", "1.31", "1.32"}) {
		t.Errorf("Versions() = %v", got)
	}
	if got := DefaultVersion(); got != "1.32" {
		t.Errorf("DefaultVersion() = %q, want the istio.io/api minor in go.mod", got)
	}
	for _, tt := range []struct {
		a, b string
		want int
	}{{"1.9", "1.30", -1}, {"1.31", "1.31", 0}, {"1.32", "1.31", 1}, {"2.0", "1.40", 1}} {
		if got := compareVersions(tt.a, tt.b); (got < 0 && tt.want >= 0) || (got > 0 && tt.want <= 0) || (got == 0 && tt.want != 0) {
			t.Errorf("compareVersions(%s, %s) = %d", tt.a, tt.b, got)
		}
	}
}

func TestValidateFor(t *testing.T) {
	doc := parse(t, requestAuthPresence)
	if errs, ok := Validate(doc); !ok || len(errs) != 0 {
		t.Errorf("the default release rejects jwtRules[].presence: %v", errs)
	}
	errs, ok, err := ValidateFor(doc, "1.32")
	if err != nil || !ok || len(errs) != 0 {
		t.Errorf("ValidateFor 1.32 = %v, %v, %v", errs, ok, err)
	}
	for _, v := range []string{"1.30", "1.31"} {
		errs, ok, err := ValidateFor(doc, v)
		if err != nil || !ok || len(errs) != 1 {
			t.Fatalf("ValidateFor %s = %v, %v, %v; want one error", v, errs, ok, err)
		}
		e := errs[0]
		want := "spec.jwtRules[0].presence needs Istio 1.32; this repository targets " + v
		if e.Path != "spec.jwtRules[0].presence" || e.Line != 7 || !strings.HasPrefix(e.Message, want) || e.Newer != "1.32" {
			t.Errorf("ValidateFor %s: %+v; want %q at line 7", v, e, want)
		}
	}
	// An error every release rejects keeps its message.
	bad := parse(t, strings.Replace(requestAuthPresence, "presence: OPTIONAL", "presense: OPTIONAL", 1))
	errs, _, _ = ValidateFor(bad, "1.31")
	if len(errs) != 1 || errs[0].Newer != "" || strings.Contains(errs[0].Message, "needs Istio") {
		t.Errorf("a typo got %+v; want a plain unknown-field error", errs)
	}
	if _, _, err := ValidateFor(doc, "1.12"); err == nil || !strings.Contains(err.Error(), "1.30, 1.31, 1.32") {
		t.Errorf("ValidateFor an unknown release: %v", err)
	}
}
