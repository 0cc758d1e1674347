package wayback

import (
	"strings"
	"testing"
	"time"
)

func TestParseCDX(t *testing.T) {
	body := `[["timestamp","original","statuscode","mimetype","digest"],
["20240305101500","https://a.example/x","200","text/html","AAA"],
["20240410090000","https://a.example/x","200","text/html","BBB"],
[],
["a.example/x 20240410090000"]]`
	p, err := parseCDX([]byte(body))
	if err != nil || len(p.Captures) != 2 || p.Next != "a.example/x 20240410090000" || p.Captures[1].Digest != "BBB" {
		t.Fatalf("%+v %v", p, err)
	}
	if got := p.Captures[0].Time(); !got.Equal(time.Date(2024, 3, 5, 10, 15, 0, 0, time.UTC)) {
		t.Errorf("time %v", got)
	}
	if p, err := parseCDX([]byte("")); err != nil || len(p.Captures) != 0 {
		t.Errorf("empty answer: %+v %v", p, err)
	}
	if _, err := parseCDX([]byte("<html>rate limited</html>")); err == nil {
		t.Error("an HTML answer was taken for a listing")
	}
}

func TestQueryParams(t *testing.T) {
	for target, want := range map[string]string{
		"news.example":                   "matchType=domain&url=news.example",
		"https://news.example/":          "matchType=domain&url=news.example",
		"https://news.example/politics/": "matchType=prefix&url=news.example%2Fpolitics%2F",
		"news.example/2024/":             "matchType=prefix&url=news.example%2F2024%2F",
	} {
		v, err := Query{Target: target, From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)}.params(100)
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		enc := v.Encode()
		for _, part := range append(strings.Split(want, "&"), "output=json", "collapse=digest", "filter=statuscode%3A200", "filter=mimetype%3Atext%2Fhtml", "from=20230101", "limit=100", "showResumeKey=true") {
			if !strings.Contains(enc, part) {
				t.Errorf("%s: %s lacks %s", target, enc, part)
			}
		}
	}
	c := &Client{CDX: "http://mirror.example:8080/cdx/search/cdx"}
	if got := c.PlaybackURL(Capture{Timestamp: "20240305101500", Original: "https://a.example/x?y=1"}); got != "http://mirror.example:8080/web/20240305101500id_/https://a.example/x?y=1" {
		t.Errorf("playback %s", got)
	}
}
