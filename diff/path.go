package diff

import (
	"strconv"
	"strings"
)

// elem is one step of a data path: a map key, or a list index when index
// is not negative.
type elem struct {
	key   string
	index int
}

// path is a data path into a document, written spec.http[4].route[0].weight.
type path []elem

func (p path) key(k string) path { return append(p[:len(p):len(p)], elem{key: k, index: -1}) }

func (p path) index(i int) path { return append(p[:len(p):len(p)], elem{index: i}) }

// String writes the path with dots between keys and [i] for indexes; keys
// that are not plain words (annotation names, say) are written ["key"].
func (p path) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		case plainKey(e.key):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.key)
		default:
			b.WriteString("[")
			b.WriteString(strconv.Quote(e.key))
			b.WriteString("]")
		}
	}
	return b.String()
}

// plainKey reports whether k can be written bare in a path.
func plainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
