package mdtext

import (
	"html"
	"regexp"
	"strings"
)

// zeroWidth is a zero-width space, written as an entity: after an @ or a #
// it keeps GitHub from reading a mention or an issue reference, and the
// comment still reads the same.
const zeroWidth = "&#8203;"

// markup escapes what Markdown reads as formatting, and line breaks, which
// would end a table row.
var markup = strings.NewReplacer("\\", `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "|", `\|`, "~", `\~`, "\r\n", " ", "\n", " ", "\r", " ")

// reference matches what GitHub turns into a notification or a cross
// reference: @user, @org/team, #123, owner/repo#123, GH-123.
var reference = regexp.MustCompile(`(@|#|(?i:\bgh-))([0-9A-Za-z])`)

// Escape returns s as plain text in Markdown and HTML: tags and entities
// escaped, Markdown markup escaped, line breaks as spaces, and mentions and
// issue references broken with a zero-width space.
func Escape(s string) string {
	s = markup.Replace(html.EscapeString(s))
	return reference.ReplaceAllString(s, "${1}"+zeroWidth+"${2}")
}
