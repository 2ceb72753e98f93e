package main

import (
	"github.com/spf13/cobra"

	"github.com/meshroll/meshroll/internal/config"
	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/repo"
	"github.com/meshroll/meshroll/schema"
)

// intentSource is how a command finds the intents and the rendered tree:
// arguments or --intents, --out, then the intents and out entries of
// .meshroll.yaml at the repository root, then ./intents. It is the one
// place these defaults live.
type intentSource struct {
	intents []string
	exclude []string
	config  string
	cmd     *cobra.Command
	cfg     *config.Config
}

// register adds --intents (unless the command takes intents as arguments
// only) and --config to cmd.
func (s *intentSource) register(cmd *cobra.Command, intentsFlag bool) {
	s.cmd = cmd
	if intentsFlag {
		cmd.Flags().StringSliceVar(&s.intents, "intents", nil, "intent files or directories (default: intents in .meshroll.yaml, else ./intents)")
	}
	cmd.Flags().StringVar(&s.config, "config", "", "configuration file (default: .meshroll.yaml at the repository root)")
	registerExclude(cmd, &s.exclude)
}

// registerExclude adds --exclude to cmd.
func registerExclude(cmd *cobra.Command, patterns *[]string) {
	cmd.Flags().StringArrayVar(patterns, "exclude", nil, "gitignore-style `PATTERN` of files and directories not to read, relative to the working directory (repeatable; adds to exclude in .meshroll.yaml)")
}

// excludes compiles the exclude patterns of the configuration (relative to
// its directory) and of --exclude (relative to the working directory).
func excludes(cfg *config.Config, flag []string) (*input.Exclude, error) {
	ex, err := repo.Excludes(cfg, flag)
	if err != nil {
		return nil, usageError(err)
	}
	return ex, nil
}

// load loads the intents at paths, leaving out what the configuration and
// --exclude exclude.
func (s *intentSource) load(paths []string) (*schema.Intent, error) {
	ex, err := s.excludes()
	if err != nil {
		return nil, err
	}
	return repo.Load(paths, ex)
}

// excludes compiles the patterns of the configuration and of --exclude.
func (s *intentSource) excludes() (*input.Exclude, error) {
	cfg, err := s.configuration()
	if err != nil {
		return nil, err
	}
	return excludes(cfg, s.exclude)
}

// configuration loads .meshroll.yaml once.
func (s *intentSource) configuration() (*config.Config, error) {
	if s.cfg != nil {
		return s.cfg, nil
	}
	cfg, err := repo.LoadConfig(s.config)
	if err != nil {
		return nil, err
	}
	s.cfg = cfg
	return cfg, nil
}

// fromFlagOrConfig reports whether the intents are named by --intents or by
// the configuration file rather than by arguments.
func (s *intentSource) fromFlagOrConfig() (bool, error) {
	if s.cmd.Flags().Changed("intents") {
		return true, nil
	}
	cfg, err := s.configuration()
	if err != nil {
		return false, err
	}
	return cfg.Intents != "", nil
}

// paths returns the intents: args when given, else --intents, else the
// configuration's, else ./intents.
func (s *intentSource) paths(args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	if s.cmd.Flags().Changed("intents") {
		return s.intents, nil
	}
	cfg, err := s.configuration()
	if err != nil {
		return nil, err
	}
	return repo.IntentPaths(cfg), nil
}

// out returns the rendered tree: flag when given, else the configuration's.
func (s *intentSource) out(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	cfg, err := s.configuration()
	if err != nil {
		return "", err
	}
	out, err := repo.Out(cfg)
	if err != nil {
		return "", usageError(err)
	}
	return out, nil
}

// usageError marks err as a misused command: exit status 2.
func usageError(err error) error { return &exitError{code: 2, err: err} }

// checkOut refuses an output directory that would make a render write
// where it must not: outside the repository when the configuration names
// it (a pull request could point it at another project), at the
// repository's root, or inside the intents (or around them), where
// rendered files would be read back as intent.
func (s *intentSource) checkOut(out string, intents []string) error {
	cfg, err := s.configuration()
	if err != nil {
		return err
	}
	if err := repo.CheckOut(cfg, out, s.cmd.Flags().Changed("out"), intents); err != nil {
		return usageError(err)
	}
	return nil
}
