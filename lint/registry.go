package lint

import (
	"slices"
	"strings"
)

// since is the release that introduced the first rules.
const since = "v0.1.0"

// All returns the built-in rules, sorted by ID. Each call returns fresh
// values, so a caller may change them without affecting another.
func All() []*Rule {
	rules := []*Rule{
		subsetNotFound(),
		destinationRuleMissing(),
		duplicateSubset(),
		unusedSubset(),
		conflictingDestinationRules(),
		halfQualifiedHost(),
		weightsSum(),
		weightRange(),
		missingDefaultRoute(),
		unreachableRoute(),
		largeFirstCanaryStep(),
		invalidRegex(),
		undocumentedRoute(),
		overlappingMatch(),
		ladderSanity(),
		routingExpectation(),
		holdSkipped(),
		cookieRegexSeparator(),
		noCircuitBreaker(),
		retriesExceedTimeout(),
		mirrorMisuse(),
		tlsModeConflict(),
		meaninglessSubsetName(),
		invalidManifest(),
		invalidSuppression(),
		unreadableInput(),
		skippedInput(),
		duplicateObject(),
		invalidIntent(),
	}
	rules = append(rules, policyRules()...)
	slices.SortFunc(rules, func(a, b *Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules
}
