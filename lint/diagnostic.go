package lint

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshroll/meshroll/manifest"
)

// Severity ranks a diagnostic. The zero value is not a severity, so that a
// rule that forgets to set one is caught by the registry test.
type Severity int

// The severities, lowest first, so that s >= threshold selects what fails.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Valid reports whether s is one of Info, Warning, Error.
func (s Severity) Valid() bool { return s >= Info && s <= Error }

// ParseSeverity reads "error", "warning" or "info".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "error":
		return Error, nil
	case "warning":
		return Warning, nil
	case "info":
		return Info, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want error, warning or info)", s)
}

// MarshalText writes the severity's name, as the JSON output shows it.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err == nil {
		*s = v
	}
	return err
}

// Diagnostic is one finding.
type Diagnostic struct {
	Rule     string   // rule ID, such as MR101
	Name     string   // rule name, such as subset-not-found
	Severity Severity // after any configured override
	// Resource is Kind/namespace/name of the object the finding is about;
	// empty for a document that did not parse.
	Resource string
	manifest.Position
	// Path is the data path of the offending field within the resource, such
	// as spec.http[0].route[1].destination.subset; empty when there is none.
	Path    string
	Message string
	// Origin is where the finding was found when it is reported elsewhere:
	// the line of the rendered manifest, for a finding moved to the intent
	// line that produced it (see Remapper). It is zero otherwise. SARIF
	// gives it as a related location.
	Origin manifest.Position
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s %s %s", d.Position, d.Severity, d.Rule, d.Message)
}

// SortDiagnostics orders ds by file, line, column, rule, resource and message,
// the order every output format uses.
func SortDiagnostics(ds []Diagnostic) {
	slices.SortStableFunc(ds, compareDiagnostics)
}

func compareDiagnostics(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Resource, b.Resource),
		cmp.Compare(a.Message, b.Message),
	)
}
