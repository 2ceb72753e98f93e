package render

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	yamlv3 "go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	clientnet "istio.io/client-go/pkg/apis/networking/v1"
	clientsec "istio.io/client-go/pkg/apis/security/v1"
	"sigs.k8s.io/yaml"

	"github.com/meshroll/meshroll/schema"
)

// reference marshals o the standard way — through Istio's JSON marshaller,
// as sigs.k8s.io/yaml does — and applies AppendYAML's two documented differences:
// no status, and weight 0 written on route destinations.
func reference(t *testing.T, o Object) any {
	t.Helper()
	j, err := json.Marshal(o.Resource)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "status")
	if spec, ok := doc["spec"].(map[string]any); ok {
		if routes, ok := spec["http"].([]any); ok {
			for _, r := range routes {
				dests, _ := r.(map[string]any)["route"].([]any)
				for _, d := range dests {
					dm := d.(map[string]any)
					if _, ok := dm["weight"]; !ok {
						dm["weight"] = float64(0)
					}
				}
			}
		}
	}
	return normalise(t, doc)
}

// normalise round-trips v through JSON so that numbers compare alike.
func normalise(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// parsed reads AppendYAML's output back with a strict YAML 1.2 parser.
func parsed(t *testing.T, o Object) any {
	t.Helper()
	var b bytes.Buffer
	AppendYAML(&b, o)
	var doc map[string]any
	if err := yamlv3.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("AppendYAML wrote invalid YAML: %v\n%s", err, b.String())
	}
	// YAML 1.1 readers (sigs.k8s.io/yaml, kustomize) must read it alike.
	var doc11 map[string]any
	if err := yaml.Unmarshal(b.Bytes(), &doc11); err != nil {
		t.Fatalf("sigs.k8s.io/yaml cannot read AppendYAML's output: %v\n%s", err, b.String())
	}
	n3, n11 := normalise(t, doc), normalise(t, doc11)
	if !reflect.DeepEqual(n3, n11) {
		t.Fatalf("YAML 1.1 and 1.2 readers disagree on:\n%s", b.String())
	}
	return n3
}

func TestAppendYAMLMatchesReferenceOnFixtures(t *testing.T) {
	in, err := schema.Load([]string{"../fixtures/intents"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range in.Rollouts {
		for _, p := range Phases(r) {
			objs, err := Rollout(r, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				got, want := parsed(t, o), reference(t, o)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s in phase %s:\n got %v\nwant %v", o.ID(), p, got, want)
				}
				n++
			}
		}
	}
	pa := PeerAuthentication("bookinfo", "PERMISSIVE")
	if got, want := parsed(t, pa), reference(t, pa); !reflect.DeepEqual(got, want) {
		t.Errorf("PeerAuthentication:\n got %v\nwant %v", got, want)
	}
	if n < 20 {
		t.Fatalf("compared only %d objects; the fixtures should give more", n)
	}
}

// TestAppendYAMLMatchesReferenceOnRandomSpecs fills VirtualService and
// DestinationRule specs with random values in every field the protobuf
// reflection reaches, strings chosen to need YAML quoting, and compares.
func TestAppendYAMLMatchesReferenceOnRandomSpecs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		vs := &clientnet.VirtualService{}
		vs.Kind, vs.APIVersion, vs.Name, vs.Namespace = "VirtualService", "networking.istio.io/v1", "r", "ns"
		fill(rng, vs.Spec.ProtoReflect(), 0)
		dr := &clientnet.DestinationRule{}
		dr.Kind, dr.APIVersion, dr.Name = "DestinationRule", "networking.istio.io/v1", "r"
		fill(rng, dr.Spec.ProtoReflect(), 0)
		pa := &clientsec.PeerAuthentication{}
		pa.Kind, pa.APIVersion, pa.Name = "PeerAuthentication", "security.istio.io/v1", "p"
		fill(rng, pa.Spec.ProtoReflect(), 0)
		for _, o := range []Object{{Resource: vs}, {Resource: dr}, {Resource: pa}} {
			got, want := parsed(t, o), reference(t, o)
			if !reflect.DeepEqual(got, want) {
				var b bytes.Buffer
				AppendYAML(&b, o)
				t.Fatalf("case %d, %s:\n got %v\nwant %v\n%s", i, o.ID(), got, want, b.String())
			}
		}
	}
}

var trickyStrings = []string{
	"", "yes", "no", "on", "off", "y", "N", "true", "False", "null", "~", "NULL",
	"10", "-1", "0x1F", "0o17", "017", "1e3", "1.5", ".inf", "-.INF", ".nan", "1:20", "12:30:45",
	"2026-11-22", "2026-11-22T10:00:00Z", "-", "- a", "? x", ": x", "a: b", "a #b", "#c", "&a", "*", "*.example.com",
	"!tag", "|", ">", "'q'", `"d"`, "%p", "@a", "`b`", " lead", "trail ", "tab\there", "new\nline", "crlf\r\n",
	"ünïcödé", "emoji 🎉", "back\\slash", "it's", "a,b", "[x]", "{y}", "5xx,reset", "^(.*?;)?(user=beta)(;.*)?$",
	"=", "<<", "plain-text", "with space", "x:",
}

func randString(rng *rand.Rand) string {
	if rng.IntN(3) == 0 {
		b := make([]rune, rng.IntN(8))
		for i := range b {
			b[i] = rune(0x20 + rng.IntN(0x5f))
		}
		return string(b)
	}
	return trickyStrings[rng.IntN(len(trickyStrings))]
}

// fill sets random values on the fields of m, recursing into messages.
func fill(rng *rand.Rand, m protoreflect.Message, depth int) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if rng.IntN(3) != 0 {
			continue
		}
		if od := fd.ContainingOneof(); od != nil && m.WhichOneof(od) != nil {
			continue
		}
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			for range 1 + rng.IntN(2) {
				if fd.Kind() == protoreflect.MessageKind {
					if depth > 4 {
						break
					}
					el := l.NewElement()
					fillMessage(rng, el.Message(), depth+1)
					l.Append(el)
				} else {
					l.Append(randScalar(rng, fd))
				}
			}
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for range 1 + rng.IntN(2) {
				k := protoreflect.ValueOfString(randString(rng)).MapKey()
				if fd.MapKey().Kind() != protoreflect.StringKind {
					k = protoreflect.ValueOfUint32(uint32(rng.IntN(70000))).MapKey()
				}
				if fd.MapValue().Kind() == protoreflect.MessageKind {
					if depth > 4 {
						break
					}
					v := mp.NewValue()
					fillMessage(rng, v.Message(), depth+1)
					mp.Set(k, v)
				} else {
					mp.Set(k, randScalar(rng, fd.MapValue()))
				}
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth > 4 {
				continue
			}
			fillMessage(rng, m.Mutable(fd).Message(), depth+1)
		default:
			m.Set(fd, randScalar(rng, fd))
		}
	}
}

func fillMessage(rng *rand.Rand, m protoreflect.Message, depth int) {
	switch m.Descriptor().FullName() {
	case "google.protobuf.Duration":
		d := durationpb.New(time.Duration(rng.Int64N(int64(3e12)) - int64(1e12)))
		proto.Merge(m.Interface(), d)
		return
	case "google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any":
		return
	}
	fill(rng, m, depth)
}

func randScalar(rng *rand.Rand, fd protoreflect.FieldDescriptor) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(rng.IntN(2) == 0)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(rng.Uint32()))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(rng.Uint32())
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(rng.Uint64()))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(rng.Uint64())
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(rng.NormFloat64() * 100))
	case protoreflect.DoubleKind:
		vals := []float64{0.5, 100, 12.25, 1e-7, 3.14159, 1e22, -2}
		return protoreflect.ValueOfFloat64(vals[rng.IntN(len(vals))])
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(randString(rng))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(randString(rng)))
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(rng.IntN(vals.Len())).Number())
	}
	return protoreflect.ValueOfString("x")
}

// TestQuoteControlCharacters checks strings that only double quotes can
// carry. YAML 1.1 readers refuse some of them, so only a YAML 1.2 reader
// is asked.
func TestQuoteControlCharacters(t *testing.T) {
	for _, s := range []string{"\x7f", "\x01ctrl", "\uFEFFbom", "\u2028sep", "a\u0085b", "tab\tand\nline\r"} {
		var doc map[string]string
		if err := yamlv3.Unmarshal([]byte("k: "+quote(s)+"\n"), &doc); err != nil {
			t.Errorf("quote(%q) = %s: %v", s, quote(s), err)
			continue
		}
		if got := doc["k"]; got != s {
			t.Errorf("quote(%q) = %s, reads back as %q", s, quote(s), got)
		}
	}
}
