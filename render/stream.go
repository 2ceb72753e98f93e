package render

import (
	"bytes"
	"path"
)

// Stream joins the manifests of a rendered tree (Tree's files in Live mode)
// into one multi-document YAML stream, for tools that read manifests from a
// pipe: kubectl apply -f -, Argo CD config management plugins, kustomize
// generators. Kustomizations are left out (they are instructions to
// kustomize, not objects), each file's documents follow a "# Source:" comment
// naming the file, and the stream starts with the generated-code header.
// Files are in path order, as Tree returns them, so the stream is as
// deterministic as the tree.
func Stream(files []File) []byte {
	var b bytes.Buffer
	b.WriteString(Header)
	for _, f := range files {
		if path.Base(f.Path) == KustomizationFile {
			continue
		}
		b.WriteString("---\n# Source: ")
		b.WriteString(f.Path)
		b.WriteByte('\n')
		b.Write(bytes.TrimPrefix(f.Content, []byte(Header)))
	}
	return b.Bytes()
}
