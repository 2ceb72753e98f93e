// Package input finds the files meshroll reads, under one policy that every
// command shares: intents for render, check, test and the rollout commands,
// manifests for lint, both sides of diff, and the files kustomizations name.
//
// The policy:
//
//   - A path named on the command line (or in the configuration) is read
//     whatever it is: a file, a directory, a symbolic link to either, a hidden
//     file, a pipe.
//   - Directories are walked recursively in lexical order. Hidden entries
//     (names starting with ".") and excluded paths (gitignore-style patterns)
//     are not entered; files are collected by extension.
//   - Symbolic links met in a walk are followed when their target lies inside
//     the boundary: the git repository that holds the walked argument, or the
//     argument itself outside any repository. A link that leads outside it,
//     or back into a directory the walk is inside of (a loop), is an error,
//     never silently skipped. A directory or file reached twice is read once.
//   - A walk that meets something other than a regular file or directory
//     with a wanted extension (a named pipe, a device, a socket) reports it.
//
// Reading is bounded too: ReadFile reads at most a given number of bytes.
package input
