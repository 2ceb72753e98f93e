package traffic

import (
	"sort"
	"strconv"
	"strings"

	"github.com/meshroll/meshroll/internal/gateway"
	"github.com/meshroll/meshroll/route"
)

// DescribeRequest writes a request compactly for messages:
// "header end-user=jason, cookie user=beta". Headers appear as Envoy matches
// them, the values of a repeated header joined.
func DescribeRequest(q route.Request) string {
	var parts []string
	if q.Gateway != "" && q.Gateway != gateway.Mesh {
		parts = append(parts, "through gateway "+q.Gateway)
	}
	if q.Method != "" {
		parts = append(parts, "method "+q.Method)
	}
	if q.Scheme != "" {
		parts = append(parts, "scheme "+q.Scheme)
	}
	if q.Authority != "" {
		parts = append(parts, "authority "+q.Authority)
	}
	if q.Port != 0 {
		parts = append(parts, "port "+strconv.FormatUint(uint64(q.Port), 10))
	}
	if q.URI != "" {
		parts = append(parts, "uri "+q.URI)
	}
	for _, k := range sortedKeys(q.QueryParams) {
		parts = append(parts, "query "+k+"="+q.QueryParams[k])
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
	if q.SourceNamespace != "" {
		parts = append(parts, "source namespace "+q.SourceNamespace)
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
