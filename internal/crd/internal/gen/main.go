// Command gen extracts the OpenAPI v3 schemas of every Istio CRD and every
// served version from istio.io/api's kubernetes/customresourcedefinitions.gen.yaml
// into the compact JSON files that package crd embeds, one directory per
// Istio minor release (schemas/1.32, schemas/1.31, ...).
//
// Run it through `go generate ./internal/crd` from the module root. It finds
// the CRD file of the istio.io/api version in go.mod, and of each release in
// olderReleases, with `go mod download`, so the newest embedded schemas always
// follow go.mod; TestSchemasAreFresh fails when they do not.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	// The blank import keeps istio.io/api in go.mod's build list even when no
	// other package of the module imports it, so `go mod download` can find
	// the CRD file of the pinned version.
	_ "istio.io/api/annotation"
)

// crdFile is the path of the CRD bundle inside the istio.io/api module.
const crdFile = "kubernetes/customresourcedefinitions.gen.yaml"

// indexFile is the name of the generated index among the schema files.
const indexFile = "index.json"

// olderReleases are the istio.io/api releases, newest patch of each of the
// two minors before the one in go.mod, whose schemas are embedded too so that
// a repository can target the Istio its clusters run. Istio supports the
// last three minors; when go.mod moves to a new minor, move this list along.
var olderReleases = []string{"v1.30.8", "v1.31.4"}

func main() {
	out := flag.String("out", "schemas", "directory to write the schema files to")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	sets, err := generateAll()
	if err != nil {
		return err
	}
	dirs, err := filepath.Glob(filepath.Join(out, "*"))
	if err != nil {
		return fmt.Errorf("listing %s: %w", out, err)
	}
	for _, d := range dirs {
		if _, keep := sets[filepath.Base(d)]; !keep {
			if err := os.RemoveAll(d); err != nil {
				return fmt.Errorf("removing stale %s: %w", d, err)
			}
		}
	}
	for minor, files := range sets {
		if err := write(filepath.Join(out, minor), files); err != nil {
			return err
		}
	}
	return nil
}

// generateAll generates the schema files of every embedded release, by
// directory name (the minor release, "1.32").
func generateAll() (map[string]map[string][]byte, error) {
	sets := map[string]map[string][]byte{}
	for _, version := range append(slices.Clone(olderReleases), "") {
		mod, err := istioAPI(version)
		if err != nil {
			return nil, err
		}
		src, err := os.ReadFile(filepath.Join(mod.Dir, crdFile))
		if err != nil {
			return nil, fmt.Errorf("reading the CRD bundle of %s: %w", mod.Version, err)
		}
		files, err := generate(src, mod.Path+"@"+mod.Version)
		if err != nil {
			return nil, err
		}
		minor, err := minorOf(mod.Version)
		if err != nil {
			return nil, err
		}
		if _, dup := sets[minor]; dup {
			return nil, fmt.Errorf("two embedded releases of Istio %s: go.mod's %s and one in olderReleases; move olderReleases along", minor, mod.Version)
		}
		sets[minor] = files
	}
	return sets, nil
}

// minorOf returns "1.32" for "v1.32.0".
func minorOf(version string) (string, error) {
	parts := strings.SplitN(strings.TrimPrefix(version, "v"), ".", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", fmt.Errorf("%q is not a release version", version)
	}
	return parts[0] + "." + parts[1], nil
}

// write replaces the schema files of one release in dir.
func write(out string, files map[string][]byte) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", out, err)
	}
	old, err := filepath.Glob(filepath.Join(out, "*.json"))
	if err != nil {
		return fmt.Errorf("listing %s: %w", out, err)
	}
	for _, f := range old {
		if _, keep := files[filepath.Base(f)]; !keep {
			if err := os.Remove(f); err != nil {
				return fmt.Errorf("removing stale %s: %w", f, err)
			}
		}
	}
	for _, name := range sortedKeys(files) {
		if err := os.WriteFile(filepath.Join(out, name), files[name], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// module is the part of `go mod download -json` output the generator needs.
type module struct {
	Path, Version, Dir, Error string
}

// istioAPI locates the istio.io/api module of a version, or of the version
// in go.mod when version is empty.
func istioAPI(version string) (module, error) {
	var m module
	target := "istio.io/api"
	if version != "" {
		target += "@" + version
	}
	cmd := exec.Command("go", "mod", "download", "-json", target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return m, fmt.Errorf("go mod download %s: %w: %s", target, err, stderr.String())
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decoding go mod download output: %w", err)
	}
	if m.Error != "" || m.Dir == "" {
		return m, fmt.Errorf("go mod download %s: %s", target, m.Error)
	}
	return m, nil
}

// index is the generated index.json: which schema file holds the schema of
// every served group/version/kind.
type index struct {
	Comment string      `json:"comment"`
	Source  string      `json:"source"`
	SHA256  string      `json:"sha256"`
	Kinds   []indexKind `json:"kinds"`
}

type indexKind struct {
	Group    string         `json:"group"`
	Kind     string         `json:"kind"`
	Versions []indexVersion `json:"versions"`
}

type indexVersion struct {
	Name   string `json:"name"`
	Schema string `json:"schema"`
}

// generate turns the CRD bundle into the files to embed, by name: index.json
// and one file per distinct schema (versions of a kind usually share one).
func generate(src []byte, source string) (map[string][]byte, error) {
	sum := sha256.Sum256(src)
	idx := index{
		Comment: "Code generated by internal/crd/internal/gen (go generate ./internal/crd). DO NOT EDIT.",
		Source:  source + " " + crdFile,
		SHA256:  hex.EncodeToString(sum[:]),
	}
	files := map[string][]byte{}
	byContent := map[string]string{}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parsing the CRD bundle: %w", err)
		}
		if doc == nil || doc["kind"] != "CustomResourceDefinition" {
			continue
		}
		k, err := extract(doc, files, byContent)
		if err != nil {
			return nil, err
		}
		if len(k.Versions) > 0 {
			idx.Kinds = append(idx.Kinds, k)
		}
	}
	if len(idx.Kinds) == 0 {
		return nil, errors.New("the CRD bundle holds no CustomResourceDefinition")
	}
	sort.Slice(idx.Kinds, func(i, j int) bool {
		if idx.Kinds[i].Group != idx.Kinds[j].Group {
			return idx.Kinds[i].Group < idx.Kinds[j].Group
		}
		return idx.Kinds[i].Kind < idx.Kinds[j].Kind
	})
	b, err := marshal(idx)
	if err != nil {
		return nil, err
	}
	files[indexFile] = b
	return files, nil
}

func extract(doc map[string]any, files map[string][]byte, byContent map[string]string) (indexKind, error) {
	spec, _ := doc["spec"].(map[string]any)
	names, _ := spec["names"].(map[string]any)
	k := indexKind{}
	k.Group, _ = spec["group"].(string)
	k.Kind, _ = names["kind"].(string)
	if k.Group == "" || k.Kind == "" {
		return k, errors.New("a CRD without spec.group or spec.names.kind")
	}
	versions, _ := spec["versions"].([]any)
	for _, v := range versions {
		ver, _ := v.(map[string]any)
		name, _ := ver["name"].(string)
		if served, _ := ver["served"].(bool); !served || name == "" {
			continue
		}
		sch, _ := ver["schema"].(map[string]any)
		root, ok := sch["openAPIV3Schema"].(map[string]any)
		if !ok {
			return k, fmt.Errorf("%s %s/%s has no openAPIV3Schema", k.Kind, k.Group, name)
		}
		b, err := marshal(strip(root))
		if err != nil {
			return k, fmt.Errorf("%s %s/%s: %w", k.Kind, k.Group, name, err)
		}
		file, seen := byContent[string(b)]
		if !seen {
			file = fmt.Sprintf("%s_%s_%s.json", k.Group, name, strings.ToLower(k.Kind))
			byContent[string(b)] = file
			files[file] = b
		}
		k.Versions = append(k.Versions, indexVersion{Name: name, Schema: file})
	}
	return k, nil
}

// strip drops the documentation from a schema: descriptions are most of the
// bundle's size and the validator never shows them.
func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if _, isText := e.(string); isText && k == "description" {
				continue
			}
			out[k] = strip(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = strip(e)
		}
		return out
	default:
		return v
	}
}

// marshal writes indented JSON with sorted keys, so that regenerating gives
// the same bytes and an istio.io/api bump gives a readable diff.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
