package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/meshroll/meshroll/internal/input"
	"github.com/meshroll/meshroll/internal/yamlpath"
)

// FileName is the name of the configuration file.
const FileName = ".meshroll.yaml"

// Config is the content of a .meshroll.yaml.
type Config struct {
	// File is the file read, "" when there is none.
	File string
	// Dir is the directory relative paths in the file are relative to: the
	// file's directory, or "" when there is no file.
	Dir string

	Intents string   // default intents path for commands taking a ROLLOUT
	Out     string   // the rendered tree
	Exclude []string // gitignore-style patterns of paths no command reads
	// Istio is the Istio minor release the repository's clusters run, such
	// as "1.31": lint validates against its schemas. "" for the newest
	// release meshroll knows.
	Istio      string
	Lint       Lint
	Prometheus Prometheus
	Limits     Limits

	root *yaml.Node
}

// Lint holds the lint settings.
type Lint struct {
	FailOn    string            // error, warning or info; "" for the default
	Disable   []string          // rule IDs to disable
	Enable    []string          // rule IDs to enable again
	Severity  map[string]string // rule ID to severity
	Policies  []string          // CUE policy directories, relative to Dir
	Namespace string            // namespace of objects that name none
}

// Prometheus says where meshroll gate and promote query the metrics.
type Prometheus struct {
	URL string // base URL, such as http://prometheus.monitoring:9090
	// TokenEnv names the environment variable that holds a bearer token;
	// the token itself never belongs in the repository.
	TokenEnv string
}

// envName is the name of an environment variable.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Limits bound each evaluation of CUE (intent that is more than data, and
// policies); zero fields keep meshroll's defaults.
type Limits struct {
	Memory int64         // bytes
	Time   time.Duration // wall clock
}

// The ranges limits may take: below them meshroll cannot start an
// evaluation at all, above them they bound nothing.
const (
	minMemory = 128 << 20
	maxMemory = 1 << 40
	minTime   = 100 * time.Millisecond
	maxTime   = time.Hour
)

// severities are the values failOn and severity take.
func severities() []string { return []string{"error", "warning", "info"} }

// Find returns the path of .meshroll.yaml at the root of the repository
// that holds dir: the nearest directory at or above dir that has a .git
// entry. It returns "" when that directory has no .meshroll.yaml, or dir is
// in no repository.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding %s: %w", FileName, err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			p := filepath.Join(dir, FileName)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			} else if !errors.Is(err, os.ErrNotExist) {
				return "", fmt.Errorf("finding %s: %w", FileName, err)
			}
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Discover finds and loads the configuration of the repository holding dir;
// an empty Config when there is none.
func Discover(dir string) (*Config, error) {
	p, err := Find(dir)
	if err != nil || p == "" {
		return &Config{}, err
	}
	return Load(p)
}

// Load reads the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(path, data)
}

// Parse reads configuration data, named path in errors.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{File: path, Dir: filepath.Dir(path)}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return c, nil // an empty file: all defaults
	}
	c.root = doc.Content[0]
	p := &parser{file: path}
	p.mapping(c.root, "", map[string]func(*yaml.Node, string){
		"intents": func(n *yaml.Node, at string) { c.Intents = p.inside(n, at) },
		"out":     func(n *yaml.Node, at string) { c.Out = p.inside(n, at) },
		"exclude": func(n *yaml.Node, at string) { c.Exclude = p.patterns(n, at) },
		"prometheus": func(n *yaml.Node, at string) {
			p.mapping(n, at, map[string]func(*yaml.Node, string){
				"url": func(n *yaml.Node, at string) {
					c.Prometheus.URL = p.str(n, at)
					if u := c.Prometheus.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
						p.errorf(n, "%s must be an http or https URL, such as http://prometheus.monitoring:9090", at)
					}
				},
				"tokenEnv": func(n *yaml.Node, at string) {
					c.Prometheus.TokenEnv = p.str(n, at)
					if v := c.Prometheus.TokenEnv; v != "" && !envName.MatchString(v) {
						p.errorf(n, "%s must name an environment variable, such as PROMETHEUS_TOKEN (the token itself never belongs in the repository)", at)
					}
				},
			})
		},
		"istio": func(n *yaml.Node, at string) { c.Istio = p.release(n, at) },
		"limits": func(n *yaml.Node, at string) {
			p.mapping(n, at, map[string]func(*yaml.Node, string){
				"memory": func(n *yaml.Node, at string) { c.Limits.Memory = p.memory(n, at) },
				"time":   func(n *yaml.Node, at string) { c.Limits.Time = p.duration(n, at) },
			})
		},
		"lint": func(n *yaml.Node, at string) {
			p.mapping(n, at, map[string]func(*yaml.Node, string){
				"failOn":    func(n *yaml.Node, at string) { c.Lint.FailOn = p.severity(n, at) },
				"disable":   func(n *yaml.Node, at string) { c.Lint.Disable = p.ids(n, at) },
				"enable":    func(n *yaml.Node, at string) { c.Lint.Enable = p.ids(n, at) },
				"policies":  func(n *yaml.Node, at string) { c.Lint.Policies = p.insideList(n, at) },
				"namespace": func(n *yaml.Node, at string) { c.Lint.Namespace = p.namespace(n, at) },
				"severity": func(n *yaml.Node, at string) {
					c.Lint.Severity = map[string]string{}
					p.pairs(n, at, func(k, v *yaml.Node) {
						if p.id(k) {
							c.Lint.Severity[k.Value] = p.severity(v, at+yamlpath.Key(k.Value))
						}
					})
				},
			})
		},
	})
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

type parser struct {
	file string
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, fmt.Sprintf(format, args...)))
}

func where(at string) string {
	if at == "" {
		return "at the top level"
	}
	return "in " + at
}

func (p *parser) pairs(n *yaml.Node, at string, f func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a map", at)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "keys %s must be strings", where(at))
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "key %q %s is set twice", k.Value, where(at))
			continue
		}
		seen[k.Value] = true
		f(k, v)
	}
}

func (p *parser) mapping(n *yaml.Node, at string, fields map[string]func(*yaml.Node, string)) {
	if n.Kind != yaml.MappingNode {
		name := at
		if name == "" {
			name = "the file"
		}
		p.errorf(n, "%s must be a map", name)
		return
	}
	p.pairs(n, at, func(k, v *yaml.Node) {
		set, ok := fields[k.Value]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			slices.Sort(names)
			p.errorf(k, "unknown key %q %s (known: %s)", k.Value, where(at), strings.Join(names, ", "))
			return
		}
		path := strings.TrimPrefix(at+"."+k.Value, ".")
		set(v, path)
	})
}

func (p *parser) str(n *yaml.Node, at string) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || n.Value == "" {
		p.errorf(n, "%s must be a non-empty string", at)
		return ""
	}
	return n.Value
}

var releaseRE = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// release reads an Istio minor release such as "1.31". An unquoted 1.30 is a
// YAML number, but its text is kept as written, so it reads as "1.30".
func (p *parser) release(n *yaml.Node, at string) string {
	if n.Kind != yaml.ScalarNode || !releaseRE.MatchString(n.Value) {
		p.errorf(n, "%s must be an Istio minor release such as \"1.31\"", at)
		return ""
	}
	return n.Value
}

// inside reads a path that must lie inside the repository: relative to
// the file's directory, the repository root, and not leaving it. Where
// symbolic links lead is checked where the path is used.
func (p *parser) inside(n *yaml.Node, at string) string {
	v := p.str(n, at)
	if v == "" {
		return ""
	}
	clean := filepath.Clean(filepath.FromSlash(v))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		p.errorf(n, "%s: %q lies outside the repository; paths in %s are relative to the repository root and stay inside it", at, v, FileName)
		return ""
	}
	return v
}

func (p *parser) insideList(n *yaml.Node, at string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of strings", at)
		return nil
	}
	out := []string{}
	for i, it := range n.Content {
		if s := p.inside(it, fmt.Sprintf("%s[%d]", at, i)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// patterns reads exclude patterns, which must be valid globs.
func (p *parser) patterns(n *yaml.Node, at string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of patterns such as drafts/ or **/*.tmpl.yaml", at)
		return nil
	}
	out := []string{}
	for i, it := range n.Content {
		s := p.str(it, fmt.Sprintf("%s[%d]", at, i))
		if s == "" {
			continue
		}
		if _, err := input.NewExclude(".", []string{s}); err != nil {
			p.errorf(it, "%s[%d]: %v", at, i, err)
			continue
		}
		out = append(out, s)
	}
	return out
}

// dns1123Label is a Kubernetes namespace name.
var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func (p *parser) namespace(n *yaml.Node, at string) string {
	v := p.str(n, at)
	if v != "" && (len(v) > 63 || !dns1123Label.MatchString(v)) {
		p.errorf(n, "%s: %q is not a namespace name: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters", at, v)
		return ""
	}
	return v
}

var idRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func (p *parser) id(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || !idRE.MatchString(n.Value) {
		p.errorf(n, "%q is not a rule ID such as MR104", n.Value)
		return false
	}
	return true
}

func (p *parser) ids(n *yaml.Node, at string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of rule IDs", at)
		return nil
	}
	out := []string{}
	for _, it := range n.Content {
		if p.id(it) {
			out = append(out, it.Value)
		}
	}
	return out
}

// memory reads a size: a whole number of MiB, or a number with a unit
// (Mi, Gi, MiB, GiB, as Kubernetes and people write them).
func (p *parser) memory(n *yaml.Node, at string) int64 {
	bad := func() int64 {
		p.errorf(n, "%s must be a size from 128Mi to 1024Gi, such as 2Gi or 512Mi (a bare number is MiB)", at)
		return 0
	}
	if n.Kind != yaml.ScalarNode {
		return bad()
	}
	v := strings.TrimSpace(n.Value)
	unit := int64(1 << 20)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"Gi", 1 << 30}, {"Mi", 1 << 20}} {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, unit = strings.TrimSpace(num), u.size
			break
		}
	}
	num, err := strconv.ParseInt(v, 10, 64)
	if err != nil || num <= 0 || num > maxMemory/unit || num*unit < minMemory {
		return bad()
	}
	return num * unit
}

// duration reads a wall-clock time such as 30s or 2m.
func (p *parser) duration(n *yaml.Node, at string) time.Duration {
	d, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil || d < minTime || d > maxTime {
		p.errorf(n, "%s must be a duration from 100ms to 1h, such as 30s or 2m", at)
		return 0
	}
	return d
}

func (p *parser) severity(n *yaml.Node, at string) string {
	if n.Kind != yaml.ScalarNode || !slices.Contains(severities(), n.Value) {
		p.errorf(n, "%s must be one of %s", at, strings.Join(severities(), ", "))
		return ""
	}
	return n.Value
}

// Path returns p relative to the configuration's directory, unless it is
// absolute or there is no file.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// IntentsPath is where commands taking a ROLLOUT find the intents when no
// --intents flag says: the file's intents entry, else ./intents.
func (c *Config) IntentsPath() string {
	if c.Intents != "" {
		return c.Path(c.Intents)
	}
	return "intents"
}

// Position returns "file:line:col" of the value at data path (such as
// lint.disable[1]) for messages about it, or the file name alone when the
// path is not in the file.
func (c *Config) Position(path string) string {
	if c.root == nil {
		return c.File
	}
	p, err := yamlpath.Parse(path)
	if err != nil {
		return c.File
	}
	line, col, _ := yamlpath.Position(c.root, p)
	return fmt.Sprintf("%s:%d:%d", c.File, line, col)
}
