package krm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/meshroll/meshroll/render"
	"github.com/meshroll/meshroll/schema"
)

// The API version and kind of the function's configuration.
const (
	APIVersion = "meshroll.dev/v1alpha1"
	Kind       = "Generator"
)

// Config is the functionConfig of the generator:
//
//	apiVersion: meshroll.dev/v1alpha1
//	kind: Generator
//	metadata:
//	  name: rollouts
//	  annotations:
//	    config.kubernetes.io/function: |
//	      exec:
//	        path: meshroll
//	        args: [krm]
//	spec:
//	  intents: [intents]
type Config struct {
	// Intents are the intent files and directories, relative to the
	// kustomization; default ["intents"].
	Intents []string `yaml:"intents,omitempty"`
}

// Options tune Run.
type Options struct {
	// Dir is the directory intent paths are relative to: the
	// kustomization's, where kustomize runs the function.
	Dir string
	// Check runs between loading and rendering, as render does: the routing
	// expectations of the intent. An error stops the function.
	Check func(*schema.Intent) error
}

// Run reads a ResourceList from r, renders the intents its functionConfig
// names, appends their manifests to the items and writes the list to w.
func Run(r io.Reader, w io.Writer, o Options) error {
	p := framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error {
		cfg, err := config(rl.FunctionConfig)
		if err != nil {
			return err
		}
		paths, err := intentPaths(o.Dir, cfg.Intents)
		if err != nil {
			return err
		}
		in, err := schema.Load(paths)
		if err != nil {
			return err
		}
		if o.Check != nil {
			if err := o.Check(in); err != nil {
				return err
			}
		}
		files, err := render.Tree(in, render.Live)
		if err != nil {
			return err
		}
		nodes, err := (&kio.ByteReader{Reader: bytes.NewReader(render.Stream(files)), OmitReaderAnnotations: true}).Read()
		if err != nil {
			return fmt.Errorf("reading the rendered manifests: %w", err)
		}
		rl.Items = append(rl.Items, nodes...)
		return nil
	})
	return framework.Execute(p, &kio.ByteReadWriter{Reader: r, Writer: w, KeepReaderAnnotations: true})
}

// config decodes the functionConfig.
func config(fc *yaml.RNode) (Config, error) {
	var cfg Config
	if fc == nil {
		return cfg, fmt.Errorf("no functionConfig: kustomize passes the generator's configuration (apiVersion %s, kind %s)", APIVersion, Kind)
	}
	meta, err := fc.GetMeta()
	if err != nil {
		return cfg, fmt.Errorf("the functionConfig: %w", err)
	}
	if meta.APIVersion != APIVersion || meta.Kind != Kind {
		return cfg, fmt.Errorf("the functionConfig is %s %s, want apiVersion %s, kind %s", meta.APIVersion, meta.Kind, APIVersion, Kind)
	}
	spec := fc.Field("spec")
	if spec == nil {
		return cfg, nil
	}
	s, err := spec.Value.String()
	if err != nil {
		return cfg, err
	}
	dec := yaml.NewDecoder(strings.NewReader(s))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("the functionConfig's spec: %w", err)
	}
	return cfg, nil
}

// intentPaths resolves the configured intent paths in dir, refusing any
// that is absolute or leaves dir.
func intentPaths(dir string, intents []string) ([]string, error) {
	if len(intents) == 0 {
		intents = []string{"intents"}
	}
	out := make([]string, len(intents))
	for i, p := range intents {
		clean := filepath.Clean(filepath.FromSlash(p))
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("spec.intents[%d] %q: intent paths are relative to the kustomization and stay inside it", i, p)
		}
		out[i] = filepath.Join(dir, clean)
	}
	return out, nil
}
