package traffic

import (
	"sort"
	"strings"

	"github.com/meshroll/meshroll/route"
)

// DescribeRequest writes a request compactly for messages:
// "header end-user=jason, cookie user=beta".
func DescribeRequest(q route.Request) string {
	var parts []string
	if q.Method != "" {
		parts = append(parts, "method "+q.Method)
	}
	if q.URI != "" {
		parts = append(parts, "uri "+q.URI)
	}
	for _, k := range sortedKeys(q.Headers) {
		parts = append(parts, "header "+k+"="+q.Headers[k])
	}
	for _, c := range q.Cookies {
		parts = append(parts, "cookie "+c.Name+"="+c.Value)
	}
	for _, k := range sortedKeys(q.SourceLabels) {
		parts = append(parts, "source label "+k+"="+q.SourceLabels[k])
	}
	if len(parts) == 0 {
		return "any request"
	}
	return strings.Join(parts, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
