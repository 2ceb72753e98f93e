package main

import "time"

// clockAt returns the time a command runs at: now, or the value of its
// hidden --now flag when set (so that tests and reproducible scripts do not
// depend on the clock); UTC, whole seconds, as since is written.
func clockAt(now string) (time.Time, error) {
	if now == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, now)
	if err != nil {
		return time.Time{}, usageErrorf("--now %q is not an RFC 3339 time such as 2026-11-22T09:30:00Z", now)
	}
	return t.UTC().Truncate(time.Second), nil
}
