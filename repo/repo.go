package repo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/schema"
)

// LoadConfig loads the configuration file at path, or, when path is "",
// the .meshroll.yaml at the root of the repository that holds the working
// directory (an empty configuration when there is none).
func LoadConfig(path string) (*config.Config, error) {
	if path != "" {
		return config.Load(path)
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	return config.Discover(wd)
}

// Root returns the real path of the repository cfg belongs to: the
// directory of its configuration file, else the git repository that holds
// the working directory, else the working directory itself.
func Root(cfg *config.Config) (string, error) {
	if cfg.File != "" {
		return input.ResolveExisting(cfg.Dir), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	wd = input.ResolveExisting(wd)
	if root := input.RepositoryRoot(wd); root != "" {
		return root, nil
	}
	return wd, nil
}

// Excludes compiles the exclude patterns of the configuration (relative to
// its directory) and of the command line (relative to the working
// directory).
func Excludes(cfg *config.Config, patterns []string) (*input.Exclude, error) {
	ex := &input.Exclude{}
	if len(cfg.Exclude) > 0 {
		if err := ex.Add(cfg.Dir, cfg.Exclude); err != nil {
			return nil, err
		}
	}
	if err := ex.Add(".", patterns); err != nil {
		return nil, fmt.Errorf("--exclude: %w", err)
	}
	return ex, nil
}

// Load loads the intents at paths, leaving out what ex excludes.
func Load(paths []string, ex *input.Exclude) (*schema.Intent, error) {
	return schema.LoadWith(paths, schema.LoadOptions{Exclude: ex})
}

// IntentPaths returns the intents commands taking a ROLLOUT read when no
// flag names them: the configuration's, else ./intents, relative to the
// working directory.
func IntentPaths(cfg *config.Config) []string {
	return []string{Relative(cfg.IntentsPath())}
}

// Out returns the rendered tree the configuration names, relative to the
// working directory.
func Out(cfg *config.Config) (string, error) {
	if cfg.Out == "" {
		return "", errors.New("--out DIR is required: the directory of the rendered tree (or set out in .meshroll.yaml)")
	}
	return Relative(cfg.Path(cfg.Out)), nil
}

// Relative writes a path from the configuration relative to the working
// directory, so that messages and output name files as the user sees them.
func Relative(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil {
		return rel
	}
	return p
}

// CheckOut refuses an output directory that would make a render write
// where it must not: outside the repository when the configuration names
// it (a pull request could point it at another project), at the
// repository's root, or inside the intents (or around them), where
// rendered files would be read back as intent. fromFlag says that out was
// given on the command line rather than by the configuration.
func CheckOut(cfg *config.Config, out string, fromFlag bool, intents []string) error {
	real := input.ResolveExisting(out)
	if cfg.File != "" {
		root := input.ResolveExisting(cfg.Dir)
		if real == root {
			return fmt.Errorf("%s is the repository's root: render into a directory of its own", out)
		}
		if !fromFlag && !input.Within(real, root) {
			return fmt.Errorf("out in %s leads to %s, outside the repository at %s; meshroll writes only inside the repository", cfg.File, real, root)
		}
	}
	for _, p := range intents {
		in := input.ResolveExisting(p)
		switch {
		case input.Within(real, in):
			return fmt.Errorf("%s lies inside the intents %s: rendered files would be read as intent; render into a directory of its own", out, p)
		case input.Within(in, real):
			return fmt.Errorf("%s holds the intents %s: render into a directory of its own", out, p)
		}
	}
	return nil
}
