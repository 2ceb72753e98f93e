// Package diff compares two sets of Kubernetes manifests — trees rendered
// by meshroll or written by hand — and tells what the change does to live
// traffic: a summary per rollout (phase, stable and canary shares, A/B
// routes, mirrors, faults, mTLS), then every resource added, removed or
// changed, with field-level changes at data paths such as
// spec.http[4].route[0].weight.
//
// Manifests are read through package manifest, as every command reads them:
// the same files, documents, objects and limits, with aliases and merge keys
// resolved; the VirtualService spec the summary reads is the one manifest
// decoded. Documents are compared as the API server reads them: key order,
// comments (the "# Code generated" header among them), quoting and
// anchors do not count, nor do numbers written 100 and 100.0. Objects are
// matched by API group, kind, namespace and name wherever they are filed.
// Lists of named items — routes, subsets, ports, containers — are matched
// by name, route destinations by host, subset and port, lists of scalars
// by a longest common subsequence, and other lists by index; so inserting
// an A/B route reads "+ spec.http[1] (route beta-users → reviews/v2)", not
// as a change to every later route.
//
// Three formats write a Result: Text, Markdown (a pull request comment
// kept under GitHub's size limit) and JSON. With the intents of both sides
// (diff --base), a Result also tells what the change does to each rollout's
// phase ladder and live phase (Progress): phases added, removed, renamed,
// reweighted or held differently, and moves that were forced, with their
// reasons, or that skip a step or cut a hold short.
//
// # JSON schema
//
// JSON writes one object; every field is always present (version 1):
//
//	{
//	  "version": 1,                  // JSONVersion
//	  "empty": false,                // true when nothing changed
//	  "summary": {
//	    "headline": "rollouts: 1 changed; resources: 2 changed, 0 unchanged",
//	    "rollouts": [{               // rollouts whose resources changed, by namespace and name
//	      "rollout": "reviews", "namespace": "bookinfo",
//	      "status": "changed",       // added | removed | changed
//	      "file": "bookinfo/reviews.yaml",
//	      "headline": "canary → expand, stable 90% → 75%, canary 10% → 25%",
//	      "phase":  {"before": "canary", "after": "expand"},   // "" when none
//	      "stable": {"before": 90, "after": 75},              // percent; null when none
//	      "canary": {"before": 10, "after": 25},
//	      "routes": [{"name": "beta-users", "status": "added"}], // added | removed | changed | moved
//	      "mirror": {"before": "", "after": "reviews/v2 100%"},
//	      "fault":  {"before": "", "after": ""},
//	      "mtls":   {"before": "STRICT", "after": "STRICT"},
//	      "otherChanges": false,     // changes the fields above do not tell
//	      "resources": ["VirtualService/bookinfo/reviews"]
//	    }],
//	    "mtls": [{"namespace": "shop", "before": "STRICT", "after": "PERMISSIVE"}],
//	    "progress": [{               // diff --base only: ladders and moves, by rollout
//	      "rollout": "bookinfo/reviews",
//	      "move": {"from": "canary", "to": "half", // null when the move is ordinary
//	        "reason": "",            // recorded with a forced move or a rollback
//	        "problem": "rollout reviews moved from canary to half, ..."}, // "" when the move keeps the ladder
//	      "ladder": [{"kind": "hold", // added | removed | renamed | weight | hold | order
//	        "phase": "expand", "before": "2h", "after": "1h"}]
//	    }],
//	    "resources": {"added": 0, "removed": 0, "changed": 2, "unchanged": 0}
//	  },
//	  "resources": [{                // resources added, removed or changed
//	    "resource": "VirtualService/bookinfo/reviews",
//	    "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
//	    "namespace": "bookinfo", "name": "reviews",
//	    "file": "bookinfo/reviews.yaml", // in the new tree, or the old one when removed
//	    "oldFile": "",               // the old file when the resource moved files
//	    "status": "changed",         // added | removed | changed
//	    "rollout": "bookinfo/reviews", // "" for resources of no rollout
//	    "summary": "",               // a resource added or removed, in words
//	    "changes": [{
//	      "op": "changed",           // added | removed | changed | moved
//	      "path": "spec.http[5].route[0].weight",
//	      "from": "",                // the old path of a moved item
//	      "before": "90", "after": "75", // as YAML shows them; "" on the side that has none
//	      "brief": false             // before/after describe a subtree in words
//	    }]
//	  }]
//	}
package diff
