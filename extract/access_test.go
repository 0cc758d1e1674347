package extract

import (
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/record"
)

func TestAccess(t *testing.T) {
	words := func(n int) string {
		var b strings.Builder
		for i := 0; i < n/10; i++ {
			b.WriteString("<p>" + strings.Repeat("Sentence number "+string(rune('a'+i%26))+" of the harbour report today. ", 1) + "Officials said more on the matter. </p>")
		}
		return b.String()
	}
	article := func(head, body string) string {
		return `<html><head><meta property="og:type" content="article">` + head + `</head><body><article><h1>Harbour report</h1>` + body + `</article></body></html>`
	}
	ld := func(v string) string {
		return `<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour report","isAccessibleForFree":` + v + `}</script>`
	}
	for name, tc := range map[string]struct {
		page string
		want record.Access
	}{
		"stated false":              {article(ld("false"), words(400)), record.AccessPaywall},
		"stated \"False\"":          {article(ld(`"False"`), words(400)), record.AccessPaywall},
		"stated true":               {article(ld("true"), words(60)), record.AccessFree},
		"paywall beside a teaser":   {article("", words(60)+`<div class="tp-paywall-overlay"><p>Subscribe to read on.</p></div>`), record.AccessPaywall},
		"paywall box, full article": {article("", words(400)+`<div id="paywall-offer"></div>`), record.AccessFree},
		"full article":              {article("", words(400)), record.AccessFree},
		"short, nothing said":       {article("", words(60)), record.AccessUnknown},
	} {
		r, err := Extract(Input{Body: []byte(tc.page), URL: "https://harbour.example/2026/12/01/harbour-report-today/"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Access != tc.want {
			t.Errorf("%s: access %q, want %q (%d words)", name, r.Access, tc.want, r.WordCount)
		}
	}
	if r := extractFile(t, "data-jsonld.html", ""); r.Access != record.AccessPaywall {
		t.Errorf("data-jsonld.html: access %q", r.Access)
	}
	if r := extractFile(t, "page-home.html", "https://courier.example/"); r.Access != record.AccessUnknown {
		t.Errorf("a home page: access %q", r.Access)
	}
}

func TestConsentWall(t *testing.T) {
	banner := `<html><body><div class="cmp"><h2>We value your privacy</h2><p>We and our partners use cookies. Accept all or manage preferences.</p><button>Accept all</button></div></body></html>`
	arabic := `<html dir="rtl"><body><div><p>نستخدم ملفات تعريف الارتباط لتحسين تجربتك. يرجى الموافقة للمتابعة.</p><button>قبول الكل</button></div></body></html>`
	long := `<html><body><article><h1>Cookies and consent</h1>` + strings.Repeat("<p>The regulator said the cookie consent rules for websites would change next year, and publishers would have to ask again.</p>", 12) + `</article></body></html>`
	for _, tc := range []struct {
		body, url string
		want      bool
	}{
		{banner, "https://news.example/2026/12/01/story/", true},
		{arabic, "https://akhbar.example/", true},
		{long, "https://news.example/2026/12/01/cookie-rules/", false}, // an article about consent
		{`<html><body><p>Nothing here.</p></body></html>`, "https://consent.yahoo.com/v2/collectConsent?sessionId=1", true},
		{`<html><body><p>Nothing here.</p></body></html>`, "https://news.example/consent?return=%2Fstory", true},
		{`<html><body><p>Nothing here.</p></body></html>`, "https://news.example/gdpr/", true},
		{`<html><body><p>Nothing here.</p></body></html>`, "https://news.example/2026/12/01/consentino-wins/", false},
		{`<html><body><p>A short note.</p></body></html>`, "https://news.example/note", false},
	} {
		if got := ConsentWall([]byte(tc.body), "", tc.url); got != tc.want {
			t.Errorf("%s: consent wall %v, want %v", tc.url, got, tc.want)
		}
	}
}
