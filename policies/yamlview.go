package policies

import (
	"regexp"
	"strings"

	"cuelang.org/go/cue/literal"
	"github.com/meshroll/meshroll/internal/cueplan"
	"go.yaml.in/yaml/v3"
)

// Policies read the trees package manifest hands out, whose aliases and
// merge keys are resolved once there, after it bounded the values they
// repeat (manifest.Limits.AliasValues). An alias node met in a tree read
// some other way is no value at all here.

// documentBody returns the mapping node of a document, accepting either the
// DocumentNode that yaml.v3 produces or its content node.
func documentBody(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return n
}

// lookup finds the value of key in mapping m, and its key node (for
// positions). Duplicate keys never get here: the manifest reader refuses
// them.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node, ok bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil, false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if c := m.Content[i]; c.Kind == yaml.ScalarNode && c.Value == key {
			return c, m.Content[i+1], true
		}
	}
	return nil, nil, false
}

// anyOctal matches YAML 1.1 octal-looking integers that yaml.v3 resolves as
// floats; CUE's own YAML decoder reads them as strings, and so do we.
var anyOctal = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

// scalar classifies a scalar node the way CUE's YAML decoder does, returning
// its kind and its text: for numbers a valid CUE number literal, for
// everything else the scalar's value. Numbers that CUE would not accept are
// read as strings, so that evaluation never fails on the data itself.
func scalar(n *yaml.Node) (cueplan.Kind, string) {
	tag := n.ShortTag()
	if n.Style&yaml.TaggedStyle == 0 && tag == "!!float" && anyOctal.MatchString(n.Value) {
		return cueplan.String, n.Value
	}
	switch tag {
	case "!!null":
		return cueplan.Null, "null"
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return cueplan.Bool, "true"
		}
		return cueplan.Bool, "false"
	case "!!int", "!!float":
		v := n.Value
		if len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9' {
			v = "0o" + v[1:]
		}
		num := strings.TrimPrefix(strings.TrimPrefix(v, "-"), "+")
		var info literal.NumInfo
		if err := literal.ParseNum(num, &info); err != nil {
			return cueplan.String, n.Value
		}
		if strings.HasPrefix(v, "-") {
			num = "-" + num
		}
		if info.IsInt() {
			return cueplan.Int, num
		}
		return cueplan.Float, num
	}
	return cueplan.String, n.Value
}

// isNull reports whether a value node is YAML null, or no node. A field
// whose value is null counts as absent, as it does for the Kubernetes API
// server.
func isNull(n *yaml.Node) bool {
	return n == nil || yamlView{}.Kind(n) == cueplan.Null
}
