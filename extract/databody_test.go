package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/record"
)

// Pages that ship their article as data: the text is taken from the data,
// paragraphs kept, with where it came from; a listing's state gives none.
func TestArticleAsData(t *testing.T) {
	for _, tc := range []struct {
		page, url  string
		source     record.TextSource
		paragraphs int
		first      string
		lang       string
		absent     []string
	}{
		{"data-jsonld.html", "https://courier.example/2026/11/24/council-approves-tram-extension/", record.TextFromJSONLD, 6,
			"The city council voted on Tuesday", "en", []string{"Subscribe", "By Jonas Berg"}},
		{"data-next-ar.html", "https://akhbar.example/news/desalination-plan", record.TextFromNextData, 5,
			"أعلنت وزارة المياه يوم الثلاثاء", "ar", []string{"عنوان آخر"}},
		{"data-nuxt3.html", "https://courier.example/news/tram-extension", record.TextFromNuxt, 6,
			"The city council voted on Tuesday", "en", []string{"ShallowReactive", "2026-11-24"}},
		{"data-apollo.html", "https://courier.example/news/tram-extension-1029", record.TextFromApollo, 6,
			"The city council voted on Tuesday", "en", []string{"Loading", "A tram", "Article:1029"}},
		{"data-jsonld.html", "", record.TextFromJSONLD, 6, "The city council voted on Tuesday", "en", nil}, // a file: no URL
	} {
		t.Run(tc.page+" "+tc.url, func(t *testing.T) {
			r := extractFile(t, tc.page, tc.url)
			if r.TextSource != tc.source || !r.IsArticle || r.Language != tc.lang {
				t.Errorf("text_source %q, is_article %v, language %q; want %q, true, %q", r.TextSource, r.IsArticle, r.Language, tc.source, tc.lang)
			}
			paras := strings.Split(r.Text, "\n\n")
			if len(paras) != tc.paragraphs || !strings.HasPrefix(r.Text, tc.first) {
				t.Errorf("%d paragraphs, want %d; text starts %.80q", len(paras), tc.paragraphs, r.Text)
			}
			if strings.Count(r.HTML, "<p>") != tc.paragraphs {
				t.Errorf("html: %.200q", r.HTML)
			}
			for _, a := range tc.absent {
				if strings.Contains(r.Text, a) {
					t.Errorf("text holds %q", a)
				}
			}
			if r.WordCount < 100 {
				t.Errorf("%d words", r.WordCount)
			}
		})
	}
	r := extractFile(t, "data-next-listing.html", "")
	if r.IsArticle || r.TextSource != "" || r.WordCount > 10 {
		t.Errorf("a listing's state of forty teasers: is_article %v, text_source %q, %d words", r.IsArticle, r.TextSource, r.WordCount)
	}
}

// The visible body is kept when it is the article: a page whose JSON-LD
// repeats its text is not changed; broken or hostile data is ignored or
// escaped like the page's own HTML.
func TestArticleAsDataLeavesThePageAlone(t *testing.T) {
	var body string
	for i := 0; i < 4; i++ {
		body += "<p>" + strings.Repeat(fmt.Sprintf("The council met again on day %d and talked about the tram line for hours. ", i+1), 6) + "</p>"
	}
	full := `<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"Tram","articleBody":"` +
		strings.Repeat("The council met again on Tuesday and talked about the tram line for hours. ", 26) + `"}</script></head><body><article><h1>Tram</h1>` + body + `</article></body></html>`
	if r, err := Extract(Input{Body: []byte(full)}); err != nil || r.TextSource != "" || r.WordCount < 300 {
		t.Errorf("a full visible body beside the same articleBody: %v, text_source %q, %d words", err, r.TextSource, r.WordCount)
	}
	stub := `<html><body><div id="__next"><h1>Tram</h1><p>Loading the story now.</p></div>`
	for name, data := range map[string]string{
		"broken JSON": `<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"body": "<p>unterminated</script>`,
		"deep":        `<script id="__NEXT_DATA__" type="application/json">` + strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `</script>`,
	} {
		r, err := Extract(Input{Body: []byte(stub + data + `</body></html>`)})
		if err != nil || r.TextSource != "" || !strings.Contains(r.Text, "Loading the story") {
			t.Errorf("%s: %v, text_source %q, text %q", name, err, r.TextSource, r.Text)
		}
	}
	hostile := `{"props":{"pageProps":{"body":"<p>` + strings.Repeat("Officials said the water plan would go ahead next year. ", 20) +
		`<script>alert(1)</script><img src=x onerror=alert(2)></p><p>` + strings.Repeat("The minister's office declined to comment on the cost. ", 20) + `<b onclick=\"x()\">bold &lt;i&gt;</b></p>"}}}`
	hostile = strings.ReplaceAll(hostile, "<", `\u003c`) // as Next.js writes it: no "</script>" inside
	r, err := Extract(Input{Body: []byte(stub + `<script id="__NEXT_DATA__" type="application/json">` + hostile + `</script></body></html>`)})
	if err != nil || r.TextSource != record.TextFromNextData {
		t.Fatalf("hostile data: %v, text_source %q", err, r.TextSource)
	}
	if strings.Contains(r.HTML, "<script") || strings.Contains(r.HTML, "onerror") || strings.Contains(r.HTML, "onclick") || strings.Contains(r.Text, "alert(") {
		t.Errorf("hostile markup kept: %q", r.HTML)
	}
	if !strings.Contains(r.HTML, "&lt;i&gt;") {
		t.Errorf("text not escaped: %q", r.HTML)
	}
}
