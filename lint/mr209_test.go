package lint

import "testing"

func TestMissesCookieAfterSeparator(t *testing.T) {
	tests := []struct {
		re, cookie string
		misses     bool
	}{
		{`^(.*?;)?(user=beta)(;.*)?$`, "user=beta", true}, // the seeds' form
		{`^(.*?;\s*)?(user=beta)(;.*)?$`, "user=beta", false},
		{`^(.*;[ \t]*)?user=beta(;.*)?$`, "user=beta", false},
		{`user=beta`, "user=beta", true},
		{`.*user=beta.*`, "user=beta", false},
		{`(^|.*; )user=(beta|gamma)(;.*|$)`, "user=beta", false},
		{`^(.*?;)?(user=(beta|b))(;.*)?$`, "user=b", true},
		{`^(.*?;)?(user=[a-z]+)(;.*)?$`, "user=a", true},
		{`^(?!x)`, "", false}, // not RE2: MR205's business
		{`beta`, "", false},   // no cookie in it
		{`a{2}=b{3}`, "aa=bbb", true},
	}
	for _, tt := range tests {
		cookie, misses := MissesCookieAfterSeparator(tt.re)
		if cookie != tt.cookie || misses != tt.misses {
			t.Errorf("MissesCookieAfterSeparator(%q) = %q, %v; want %q, %v", tt.re, cookie, misses, tt.cookie, tt.misses)
		}
	}
}

func FuzzMissesCookieAfterSeparator(f *testing.F) {
	for _, s := range []string{`^(.*?;)?(user=beta)(;.*)?$`, `((a{1000}){1000}){1000}=`, `(x|y|z)*=\d{3,}`, `[^;]+=[^;]+`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, re string) {
		MissesCookieAfterSeparator(re)
	})
}
