// Package policies evaluates CUE policies against Kubernetes manifests: the
// built-in policies embedded from builtin/*.cue (MR303 fault-injection, MR401
// non-strict-mtls) and the directories a team passes to meshroll lint
// --policy DIR.
//
// # Writing a policy
//
// A policy directory holds .cue files of one CUE package (files whose names
// start with . or _ are ignored, as CUE ignores them; subdirectories are not
// read). No cue.mod is needed, nothing is fetched, and only the CUE standard
// library may be imported. The package declares its policies under the
// top-level field policies, keyed by ID:
//
//	package acme
//
//	// Comments above a policy are its documentation (meshroll explain).
//	policies: ACME001: {
//		name:     "require-route-timeout" // kebab-case
//		severity: "warning"               // "error" | "warning" | "info"
//		message:  "every http route needs a timeout; set spec.http[].timeout"
//		kinds: ["VirtualService"]         // at least one Kind
//		apiGroups: ["networking.istio.io"] // optional; "" is the core group
//		namespaces: ["prod"]              // optional; no namespace means default
//		constraint: spec: http?: [...{timeout: string, ...}]
//	}
//
// An ID is capital letters followed by digits (ACME001); IDs starting with
// MR are reserved for meshroll's built-in rules. Other top-level fields,
// definitions and hidden fields are free for helpers. A policy file is
// checked against the contract in contract.cue: an unknown field, a bad
// severity, name or kind, a missing field, a bad ID, an ID defined twice, an
// import from outside the standard library, a constraint that does not
// compile, is not a struct, or has a field that can never be satisfied
// (timeout: string & 5) is an Error with the file, line and column to edit.
//
// # What a constraint means
//
// Each manifest of a policy's kinds (and API groups and namespaces) must
// unify with the constraint and be concrete: a regular field must be
// present (unless its constraint has a value of its own, such as a default
// or an open list), name! must be present, name? is checked only where
// present, and an optional field whose value is an error forbids the field:
//
//	fault?: error("a fault block is present")
//
// Every field that fails becomes one Violation, placed on the field's key in
// the manifest, or for a missing field on its nearest existing parent. Two
// rules keep one mistake from giving two diagnostics. A policy judges
// values, not types: where the manifest holds a different kind of value
// than the constraint admits (a string where it expects a list, a number
// where it expects a string), the policy is silent, because MR900 reports
// malformed manifests. And a field whose value is null counts as absent, as
// it does for the Kubernetes API server.
//
// A message may use {path} (the field's path, spec.http[1].fault) and
// {value} (its scalar value, PERMISSIVE). Without them, the reason CUE gives
// is appended in parentheses: "every http route needs a timeout; set
// spec.http[].timeout (spec.http[0].timeout is missing; want string)".
//
// # How it is fast
//
// Unifying a parsed manifest with a constraint costs CUE 0.1 to 0.2 ms, most
// of it building the manifest's CUE value, while the linter must get through
// 10,000 manifests in a second on two cores, every rule included. So each
// constraint is compiled once by internal/cueplan (the compiler the intent
// schema uses too) into a plan that the engine follows through the YAML
// nodes (view.go), asking CUE only about the scalars it cannot judge, once
// per distinct value, and the subtrees under constraints it cannot follow (a
// validator on a struct, a disjunction of structs). A policy that applies
// costs about a microsecond per manifest that satisfies it.
//
// Plans are sound only when no constraint refers to a field whose value a
// manifest could change, so the engine builds them only for packages where
// every reference resolves to an import, a predeclared identifier, a
// top-level field, a definition or a hidden field, and with no
// comprehensions, let clauses, aliases or pattern constraints other than
// [string] and [_]. Other packages are evaluated by unifying each manifest
// whole, which is correct and slow (about 0.3 ms per manifest and policy).
// A differential test and a fuzz target hold plans to CUE's answers.
//
// # Bounds
//
// A policy package is arbitrary CUE, and a few hundred bytes of it can ask
// the evaluator for gigabytes or hours. Compile first compiles user
// packages in a child process under internal/bound's limits, and compiles
// them in-process only when that succeeded. A user policy without a plan is
// evaluated over all manifests at once by EvaluateAll, in a child too, since
// its constraint can refer to a manifest's fields from a comprehension;
// lint calls EvaluateAll for such policies. A limit passed is an Error
// naming the policy's file (and the manifest being checked).
//
// # Concurrency
//
// An Engine is safe for concurrent use. cuelang.org/go v0.17 makes
// cue.Value operations safe for concurrent use, on values of one Context
// (cue/concurrent_test.go, the regression suite for cue-lang/cue#2733, covers
// Unify, FillPath, Validate and BuildExpr); the engine keeps one Context
// for all policies and locks its memos.
package policies
