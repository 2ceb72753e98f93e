package input

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Exclude is a list of gitignore-style patterns, each relative to a base
// directory: the directory of the configuration file for its exclude
// entries, the working directory for --exclude.
//
// As in a .gitignore: a pattern without a slash (other than a trailing one)
// matches a file or directory of that name at any depth; one with a slash is
// anchored at its base; a trailing slash matches directories only; "**"
// matches any number of directories; a leading "!" takes a match back; the
// last pattern that matches decides. An excluded directory is not entered,
// so nothing below it can be taken back.
type Exclude struct {
	rules []rule
}

type rule struct {
	base     string // absolute, clean
	glob     string // doublestar pattern, slash-separated
	anchored bool
	dirOnly  bool
	negate   bool
	source   string // the pattern as written
}

// NewExclude compiles patterns relative to base. A pattern that is not a
// valid glob is an error naming it.
func NewExclude(base string, patterns []string) (*Exclude, error) {
	e := &Exclude{}
	return e, e.Add(base, patterns)
}

// Add appends patterns relative to base.
func (e *Exclude) Add(base string, patterns []string) error {
	abs, err := filepath.Abs(base)
	if err != nil {
		return err
	}
	for _, p := range patterns {
		r := rule{base: abs, source: p}
		g := strings.TrimSpace(p)
		if strings.HasPrefix(g, "!") {
			r.negate, g = true, g[1:]
		}
		if strings.HasSuffix(g, "/") {
			r.dirOnly, g = true, strings.TrimRight(g, "/")
		}
		if g == "" {
			return fmt.Errorf("exclude pattern %q matches nothing; write a name or a glob such as drafts/ or **/*.tmpl.yaml", p)
		}
		g = filepath.ToSlash(g)
		if strings.Contains(g, "/") {
			r.anchored = true
			g = strings.TrimPrefix(g, "/")
		}
		if !doublestar.ValidatePattern(g) {
			return fmt.Errorf("exclude pattern %q is not a valid glob", p)
		}
		r.glob = g
		e.rules = append(e.rules, r)
	}
	return nil
}

// Empty reports whether e excludes nothing.
func (e *Exclude) Empty() bool { return e == nil || len(e.rules) == 0 }

// Match reports whether the file or directory at p is excluded.
func (e *Exclude) Match(p string, isDir bool) bool {
	if e.Empty() {
		return false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	name := filepath.Base(abs)
	excluded := false
	for _, r := range e.rules {
		if r.dirOnly && !isDir {
			continue
		}
		var ok bool
		if r.anchored {
			rel, err := filepath.Rel(r.base, abs)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				continue
			}
			ok, _ = doublestar.Match(r.glob, filepath.ToSlash(rel))
		} else {
			ok, _ = doublestar.Match(r.glob, name)
		}
		if ok {
			excluded = !r.negate
		}
	}
	return excluded
}
