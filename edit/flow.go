package edit

import "strings"

// flowInsert returns the splices that add pairs (each "key: value", written
// in the file's syntax) to a flow mapping (YAML `{...}` or a JSON object)
// after the member whose key starts at keyStart and whose value ends at
// valEnd. When that member starts its line and ends it, the pairs go on lines
// of their own with its indentation; otherwise on its line. comment is the
// comment marker of the syntax ("" for JSON).
func flowInsert(src []byte, keyStart, valEnd int, pairs []string, comment string) []splice {
	i := skipBlanks(src, valEnd)
	comma := i < len(src) && src[i] == ','
	if comma {
		i++
	}
	indent, starts := leading(src, keyStart)
	if !starts || !restIsBlank(src, i, comment) {
		return []splice{{at: valEnd, end: valEnd, text: ", " + strings.Join(pairs, ", ")}}
	}
	lines := make([]string, len(pairs))
	for k, p := range pairs {
		lines[k] = indent + p
		if comma || k < len(pairs)-1 {
			lines[k] += ","
		}
	}
	var ss []splice
	if !comma {
		ss = append(ss, splice{at: valEnd, end: valEnd, text: ","})
	}
	return append(ss, linesAfter(src, valEnd, lines))
}
