// Package jsonschema generates the JSON Schema (draft 2020-12) of rollout
// intent from the CUE schema, schema/intent.cue, with CUE's own encoder, for
// editors: yaml-language-server, VS Code and JetBrains IDEs check intent
// written in YAML or JSON against it as it is typed. The CUE schema stays the
// single source of truth; the published copy, schema/intent.schema.json, is
// held to it by a test, and a second test holds the JSON Schema to the CUE
// schema on the same valid and invalid intents.
//
// The JSON Schema checks what the CUE schema checks: fields, types, ranges,
// patterns. What meshroll checks beyond the schema when it loads intent (that
// the live phase exists, that routes name a defined subset, that no two
// rollouts claim one host) needs meshroll itself.
package jsonschema
