// Package config reads .meshroll.yaml, the repository's meshroll settings:
// where the intents and the rendered tree live, and how lint runs. The file
// sits at the repository root (the directory holding .git) and may be
// absent; every command reads it the same way.
//
//	intents: intents          # default intents path for commands taking a ROLLOUT
//	out: rendered             # the rendered tree
//	lint:
//	  failOn: error           # error|warning|info
//	  disable: [MR104]
//	  enable: [MR104]
//	  severity: {MR301: error}
//	  policies: [policies/acme]
//	  namespace: default
//	limits:                   # bounds on each evaluation of CUE intent or policies
//	  memory: 1Gi             # 128Mi..1024Gi; a bare number is MiB
//	  time: 20s               # 100ms..1h
//
// Unknown keys and values of the wrong type are errors with the file, line
// and column. Relative paths are relative to the directory of the file.
package config
