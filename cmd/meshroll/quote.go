package main

import (
	"regexp"
	"strings"
)

// shellSafe matches words a POSIX shell reads as they are: no spaces, quotes,
// globs, variables or other characters with a meaning to the shell.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes a word for a POSIX shell, so that a command meshroll
// suggests can be pasted as it is whatever the paths in it hold: a safe word
// stays as it is, anything else goes in single quotes (a single quote inside is
// closed, escaped with a backslash and reopened).
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellJoin joins words into a command line, quoting each as needed.
func shellJoin(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shellQuote(w)
	}
	return strings.Join(q, " ")
}
