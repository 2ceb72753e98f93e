package diff

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// manyRollouts returns trees of n rollouts that all advance from canary to
// expand, each with a DestinationRule, and an A/B route added in every
// third.
func manyRollouts(n int) (old, new []File) {
	for i := range n {
		ns, name := fmt.Sprintf("team-%02d", i%40), fmt.Sprintf("service-%04d", i)
		var ab []string
		if i%3 == 0 {
			ab = []string{"beta-users"}
		}
		dr := fmt.Sprintf("---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  annotations: {meshroll.dev/rollout: %s, meshroll.dev/phase: %%s}\n  name: %s\n  namespace: %s\nspec:\n  host: %s\n  subsets: [{name: v1}, {name: v2}]\n", name, name, ns, name)
		p := ns + "/" + name + ".yaml"
		old = append(old, File{Path: p, Content: []byte(vs(ns, name, "canary", 90, 10) + fmt.Sprintf(dr, "canary"))})
		new = append(new, File{Path: p, Content: []byte(vs(ns, name, "expand", 75, 25, ab...) + fmt.Sprintf(dr, "expand"))})
	}
	return old, new
}

func TestMarkdownLimit(t *testing.T) {
	for _, n := range []int{300, 3000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			old, new := manyRollouts(n)
			r, err := Files(old, new)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Rollouts) != n {
				t.Fatalf("%d rollouts in the summary, want %d", len(r.Rollouts), n)
			}
			var b bytes.Buffer
			if err := (Markdown{}).Write(&b, r); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if len(out) >= GitHubCommentLimit {
				t.Fatalf("the comment is %d bytes, GitHub takes at most %d characters", len(out), GitHubCommentLimit)
			}
			if !strings.Contains(out, "> [!NOTE]\n> This comment is cut") {
				t.Fatalf("no note that the comment is cut:\n%s", out[len(out)-min(len(out), 800):])
			}
			// The counts in the note add up with what is shown.
			sections := strings.Count(out, "<details>")
			rows := strings.Count(out, "\n| service-")
			m := regexp.MustCompile(`the changes of (\d+) of (\d+) rollouts`).FindStringSubmatch(out)
			if m == nil || m[2] != strconv.Itoa(n) {
				t.Fatalf("the note does not count the sections left out: %q", out[strings.LastIndex(out, "> [!NOTE]"):])
			}
			if left, _ := strconv.Atoi(m[1]); left+sections != n {
				t.Errorf("%d sections shown and %d counted as left out, want %d in all", sections, left, n)
			}
			rowsLeft := 0
			if m := regexp.MustCompile(`(\d+) of (\d+) rows of the table`).FindStringSubmatch(out); m != nil {
				rowsLeft, _ = strconv.Atoi(m[1])
			}
			if rowsLeft+rows != n {
				t.Errorf("%d rows shown and %d counted as left out, want %d in all", rows, rowsLeft, n)
			}
			if n == 300 && rowsLeft != 0 {
				t.Errorf("rows left out of a table of %d rollouts; the table comes first", n)
			}
			if !strings.HasSuffix(out, "Run `meshroll diff` locally to see everything.\n") {
				t.Errorf("the note is not at the end")
			}
		})
	}
}

func TestMarkdownFitsWithoutNote(t *testing.T) {
	old, new := manyRollouts(5)
	r, err := Files(old, new)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "[!NOTE]") || strings.Count(b.String(), "<details>") != 5 {
		t.Errorf("5 rollouts should fit whole:\n%s", b.String())
	}
}

// TestMarkdownLongSection cuts one rollout's thousands of changes inside
// its section instead of crowding out the others.
func TestMarkdownLongSection(t *testing.T) {
	var hostsOld, hostsNew []string
	for i := range 2000 {
		hostsOld = append(hostsOld, fmt.Sprintf("h%d.example.com", i))
		hostsNew = append(hostsNew, fmt.Sprintf("h%d.example.org", i))
	}
	mk := func(hosts []string) []File {
		return []File{{Path: "a.yaml", Content: []byte(head + "spec: {hosts: [" + strings.Join(hosts, ", ") + "]}\n---\n" + vs("x", "small", "canary", 90, 10))}}
	}
	newSmall := mk(hostsNew)
	newSmall[0].Content = bytes.Replace(newSmall[0].Content, []byte("weight: 90"), []byte("weight: 80"), 1)
	newSmall[0].Content = bytes.Replace(newSmall[0].Content, []byte("weight: 10"), []byte("weight: 20"), 1)
	r, err := Files(mk(hostsOld), newSmall)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "… 1802 more lines: run meshroll diff locally to see them") {
		t.Errorf("the long section is not cut at %d lines", maxSectionLines)
	}
	if !strings.Contains(out, "<b>x/small</b>") || strings.Contains(out, "[!NOTE]") {
		t.Errorf("the other rollout's section should follow, with nothing left out")
	}
}

func TestMarkdownEscapes(t *testing.T) {
	old := []File{{Path: "a.yaml", Content: []byte(head + "spec: {x: 'a'}")}}
	new := []File{{Path: "a.yaml", Content: []byte(head + "spec: {x: 'a ``` </details> | *b*'}")}}
	r, err := Files(old, new)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (Markdown{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "````diff\n") || strings.Count(out, "</details>") != 2 {
		t.Errorf("a value with backticks must not close the fence:\n%s", out)
	}
}
