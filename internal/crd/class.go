package crd

// Class names the check an Error failed, for the few checks whose faults a
// caller may want to tell apart from the rest: meshroll's lint has rules
// that explain these faults at more length than a validation error can
// (MR202 for weights, MR205 for regexes, ...), and leaves exactly these
// classes to them. Every other error, of the schema, a CEL rule or any other
// webhook check, is Other.
//
// A classified error is still an error of the object: Validate reports it
// like any other. It differs in one way: it does not stop the webhook checks
// of the fields that enclose it (see walker.value), because it is about one
// value and says nothing about the shape around it. So the errors of an
// object are the same whether a caller leaves the classified ones to
// someone else or not.
type Class uint8

const (
	// Other is every error not of a class below.
	Other Class = iota
	// NegativeWeight is a route destination's weight below 0
	// (validateWeight).
	NegativeWeight
	// ZeroTotalWeight is a route with several destinations whose weights
	// add up to 0 (validateHTTPRouteDestinations,
	// validateRouteDestinations).
	ZeroTotalWeight
	// BadRegex is a regular expression that does not compile as RE2
	// (validateStringRegexp). A regex longer than Envoy accepts is Other.
	BadRegex
	// MirrorPercentage is a mirror percentage outside 0..100: mirrorPercent,
	// mirrorPercentage or a mirrors entry's percentage
	// (validateHTTPRoute, validateHTTPMirrors).
	MirrorPercentage
	// DuplicateSubset is a DestinationRule subset whose name an earlier
	// subset already has (ValidateDestinationRule).
	DuplicateSubset
)

var classNames = [...]string{
	Other:            "other",
	NegativeWeight:   "negative-weight",
	ZeroTotalWeight:  "zero-total-weight",
	BadRegex:         "bad-regex",
	MirrorPercentage: "mirror-percentage",
	DuplicateSubset:  "duplicate-subset",
}

// String returns the class's name, such as "negative-weight".
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "unknown"
}
