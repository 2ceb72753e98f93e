package junit

import (
	"bytes"
	"encoding/xml"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, Suites{Name: "meshroll test", Suites: []Suite{
		{Name: "bookinfo/reviews", Cases: []Case{
			{Name: "jason sees the canary", ClassName: "bookinfo/reviews", File: "intents/reviews.cue", Line: 12},
			{Name: "the rest <& \"quoted\">", ClassName: "bookinfo/reviews", Failure: &Problem{Message: "fails in phase half", Text: "in phase half: canary gets 50%, want 10%"}},
		}},
		{Name: "intent", Cases: []Case{{Name: "x.cue:1:1", ClassName: "intent", Error: &Problem{Message: "unknown field"}}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="meshroll test" tests="3" failures="1" errors="1">
  <testsuite name="bookinfo/reviews" tests="2" failures="1" errors="0">
    <testcase name="jason sees the canary" classname="bookinfo/reviews" file="intents/reviews.cue" line="12"></testcase>
    <testcase name="the rest &lt;&amp; &#34;quoted&#34;&gt;" classname="bookinfo/reviews">
      <failure message="fails in phase half">in phase half: canary gets 50%, want 10%</failure>
    </testcase>
  </testsuite>
  <testsuite name="intent" tests="1" failures="0" errors="1">
    <testcase name="x.cue:1:1" classname="intent">
      <error message="unknown field"></error>
    </testcase>
  </testsuite>
</testsuites>
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	// It reads back as what was written.
	var back Suites
	if err := xml.Unmarshal(b.Bytes(), &back); err != nil || back.Suites[0].Cases[1].Failure == nil || back.Suites[0].Cases[1].Name != "the rest <& \"quoted\">" {
		t.Errorf("read back: %+v, %v", back, err)
	}
}
