package diff

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshroll/meshroll/internal/mdtext"
)

// GitHubCommentLimit is the most characters GitHub accepts in a comment.
const GitHubCommentLimit = 65536

// Markdown writes a Result as a pull request comment: the headline, a
// table of the rollouts (phase, stable and canary shares, A/B routes,
// mTLS), the mTLS changes, then one collapsible section per rollout with
// its field-level changes in a fenced diff block, and the resources of no
// rollout last. The comment stays within Limit bytes (so within as many
// characters): sections, and if need be table rows, that do not fit are
// left out, and a note at the end counts them.
type Markdown struct {
	// Limit is the most bytes to write; 0 means GitHubCommentLimit less
	// 1,024, room for what a workflow adds around the comment.
	Limit int
}

// Lines of a section beyond maxSectionLines are cut, so that one rollout
// with thousands of changes does not crowd out the others; lines longer
// than maxLineBytes are cut too.
const (
	maxSectionLines = 200
	maxLineBytes    = 400
)

// Write writes r.
func (m Markdown) Write(w io.Writer, r *Result) error {
	limit := m.Limit
	if limit <= 0 {
		limit = GitHubCommentLimit - 1024
	}
	var b strings.Builder
	b.WriteString("### meshroll diff\n\n")
	if r.Empty() {
		b.WriteString("**No changes**: the manifests are the same (formatting, comments and key order aside).\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString(escapeText(r.Headline()) + "\n")

	// The note at the end is at most this long; everything else must fit
	// in the rest.
	const noteRoom = 600
	budget := limit - noteRoom
	rowsLeft, sectionsLeft, resourcesLeft := 0, 0, 0

	if len(r.Rollouts) > 0 {
		b.WriteString("\n| rollout | namespace | phase | stable | canary | A/B routes | mTLS |\n| --- | --- | --- | --- | --- | --- | --- |\n")
		for i, ro := range r.Rollouts {
			row := tableRow(ro)
			if b.Len()+len(row) > budget {
				rowsLeft = len(r.Rollouts) - i
				break
			}
			b.WriteString(row)
		}
	}
	if len(r.Progress) > 0 {
		// Ladder changes and forced or refused moves go right under the
		// weights: they are what a reviewer must not miss.
		var pb strings.Builder
		pb.WriteString("\n**Ladders and moves**\n\n")
		for _, p := range r.Progress {
			for _, l := range p.Lines() {
				if strings.HasPrefix(l, "✗ ") {
					l = "**" + escapeText(strings.TrimPrefix(l, "✗ ")) + "**"
					fmt.Fprintf(&pb, "- :x: `%s`: %s\n", p.Rollout, l)
					continue
				}
				fmt.Fprintf(&pb, "- `%s`: %s\n", p.Rollout, escapeText(l))
			}
		}
		if b.Len()+pb.Len() <= budget {
			b.WriteString(pb.String())
		}
	}
	if len(r.MTLS) > 0 && rowsLeft == 0 {
		var mb strings.Builder
		mb.WriteString("\n**mTLS** by namespace:")
		for i, c := range r.MTLS {
			if i > 0 {
				mb.WriteString(",")
			}
			fmt.Fprintf(&mb, " %s %s → %s", escapeText(c.Namespace), escapeText(orNone(c.Before)), escapeText(orNone(c.After)))
		}
		mb.WriteString("\n")
		if b.Len()+mb.Len() <= budget {
			b.WriteString(mb.String())
		}
	}
	for i, ro := range r.Rollouts {
		sec := section("<b>"+escapeText(ro.Label())+"</b>: "+escapeText(ro.Headline()), reachTable(ro), ro.Resources)
		if b.Len()+len(sec) > budget {
			sectionsLeft = len(r.Rollouts) - i
			break
		}
		b.WriteString(sec)
	}
	if others := r.Others(); len(others) > 0 {
		sec := section(fmt.Sprintf("<b>Other resources</b>: %s", plural(len(others), "resource", "resources")), "", others)
		if sectionsLeft > 0 || b.Len()+len(sec) > budget {
			resourcesLeft = len(others)
		} else {
			b.WriteString(sec)
		}
	}
	if rowsLeft+sectionsLeft+resourcesLeft > 0 {
		var left []string
		if rowsLeft > 0 {
			left = append(left, fmt.Sprintf("%d of %d rows of the table", rowsLeft, len(r.Rollouts)))
		}
		if sectionsLeft > 0 {
			left = append(left, fmt.Sprintf("the changes of %d of %d rollouts", sectionsLeft, len(r.Rollouts)))
		}
		if resourcesLeft > 0 {
			left = append(left, fmt.Sprintf("%s of no rollout", plural(resourcesLeft, "resource", "resources")))
		}
		if rowsLeft > 0 && len(r.MTLS) > 0 {
			left = append(left, fmt.Sprintf("the mTLS changes of %s", plural(len(r.MTLS), "namespace", "namespaces")))
		}
		fmt.Fprintf(&b, "\n> [!NOTE]\n> This comment is cut to stay under GitHub's limit of %d characters. Left out: %s. Run `meshroll diff` locally to see everything.\n",
			GitHubCommentLimit, strings.Join(left, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableRow writes a rollout's row of the summary table.
func tableRow(ro *Rollout) string {
	name := ro.Name
	if ro.Ambiguous {
		name += " (" + ro.File + ")"
	}
	phase := transition(ro.Phase.Before, ro.Phase.After)
	stable := transition(Percent(ro.Stable.Before), Percent(ro.Stable.After))
	canary := transition(Percent(ro.Canary.Before), Percent(ro.Canary.After))
	mtls := transition(ro.MTLS.Before, ro.MTLS.After)
	switch ro.Status {
	case StatusAdded:
		phase = "**new**: " + orDash(ro.Phase.After)
		stable, canary, mtls = Percent(ro.Stable.After), Percent(ro.Canary.After), orDash(ro.MTLS.After)
	case StatusRemoved:
		phase = "**removed** (was " + orDash(ro.Phase.Before) + ")"
		stable, canary, mtls = Percent(ro.Stable.Before), Percent(ro.Canary.Before), orDash(ro.MTLS.Before)
	}
	var routes []string
	for _, rc := range ro.Routes {
		mark := map[Status]string{StatusAdded: "+", StatusRemoved: "−", StatusChanged: "~", StatusMoved: "↕"}[rc.Status]
		routes = append(routes, mark+rc.Name)
	}
	cells := []string{name, ro.Namespace, phase, stable, canary, orDash(strings.Join(routes, ", ")), mtls}
	for i, c := range cells {
		cells[i] = escapeCell(c)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// transition writes "a → b", or a alone when it did not change.
func transition(before, after string) string {
	if before == after {
		return orDash(after)
	}
	return orDash(before) + " → " + orDash(after)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// section writes a collapsible section of resources and their changes in
// a fenced diff block: resources changed as @@ hunk headers, additions
// and removals marked + and - in the first column, so that GitHub colours
// them.
func section(summary, table string, rs []*Resource) string {
	var lines []string
	for _, res := range rs {
		if res.Status == StatusChanged {
			l := "@@ " + res.Label()
			if res.OldFile != "" {
				l += " (moved from " + res.OldFile + ")"
			}
			lines = append(lines, l+" @@")
		} else {
			lines = append(lines, res.Line())
		}
		for _, c := range res.Changes {
			lines = append(lines, c.Line())
		}
	}
	if len(lines) > maxSectionLines {
		n := len(lines) - maxSectionLines + 1
		lines = append(lines[:maxSectionLines-1], fmt.Sprintf("… %d more lines: run meshroll diff locally to see them", n))
	}
	for i, l := range lines {
		lines[i] = cutLine(l)
	}
	body := strings.Join(lines, "\n")
	fence := fenceFor(body)
	return "\n<details>\n<summary>" + summary + "</summary>\n\n" + table + fence + "diff\n" + body + "\n" + fence + "\n\n</details>\n"
}

// cutLine shortens a line to maxLineBytes at a rune boundary.
func cutLine(l string) string {
	if len(l) <= maxLineBytes {
		return l
	}
	cut := maxLineBytes
	for cut > 0 && l[cut]&0xc0 == 0x80 {
		cut--
	}
	return l[:cut] + "…"
}

// fenceFor returns a backtick fence longer than any run of backticks in
// body, so that values holding backticks cannot close the block.
func fenceFor(body string) string {
	longest, run := 0, 0
	for i := 0; i < len(body); i++ {
		if body[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// escapeText makes text from the manifests safe in Markdown and HTML
// outside code: no tags, no entities, no emphasis, no mentions or issue
// references that would notify anyone.
func escapeText(s string) string { return mdtext.Escape(s) }

// escapeCell makes text safe in a table cell; it keeps the ** of bold
// labels written by tableRow.
func escapeCell(s string) string {
	bold := strings.HasPrefix(s, "**")
	if bold {
		end := strings.Index(s[2:], "**")
		if end >= 0 {
			return "**" + escapeText(s[2:2+end]) + "**" + escapeText(s[2+end+2:])
		}
	}
	return escapeText(s)
}

// reachTable is the matrix of who reaches what in the phases the change
// touches, when anyone's requests go elsewhere: changed cells in bold.
func reachTable(ro *Rollout) string {
	if !reachChanged(ro.Reach) {
		return ""
	}
	var b strings.Builder
	before, after := "before", "after"
	if ro.Phase.Before != "" {
		before = ro.Phase.Before
	}
	if ro.Phase.After != "" {
		after = ro.Phase.After
	}
	fmt.Fprintf(&b, "| requests | %s | %s |\n| --- | --- | --- |\n", escapeText(before), escapeText(after))
	for _, rr := range ro.Reach {
		a := escapeText(orNone(rr.After))
		if rr.Changed() {
			a = "**" + a + "**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", escapeText(rr.Route), escapeText(orNone(rr.Before)), a)
	}
	if strings.Contains(b.String(), " \\*") {
		b.WriteString("\n\\* the route does not exist on that side: its requests take the weighted split.\n")
	}
	b.WriteString("\n")
	return b.String()
}
