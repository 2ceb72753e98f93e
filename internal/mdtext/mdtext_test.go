package mdtext

import "testing"

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"ping @alice and @acme/sre", "ping @&#8203;alice and @&#8203;acme/sre"},
		{"fixes #12, acme/app#3 and GH-7", "fixes #&#8203;12, acme/app#&#8203;3 and GH-&#8203;7"},
		{"<img src=x onerror=alert(1)> &amp;", "&lt;img src=x onerror=alert(1)&gt; &amp;amp;"},
		{"*bold* _it_ `code` [link](x) a|b ~s~", `\*bold\* \_it\_ \` + "`code\\`" + ` \[link\](x) a\|b \~s\~`},
		{"two\nlines\r\nhere", "two lines here"},
		{"user@example.com costs 10 # of", "user@&#8203;example.com costs 10 # of"},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
