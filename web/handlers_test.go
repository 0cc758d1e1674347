package web

import (
	"context"
	encsv "encoding/csv"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

func decode(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
}

type apiHits struct {
	Total uint64 `json:"total"`
	Hits  []struct {
		ID      string `json:"id"`
		Snippet string `json:"snippet"`
		Record  struct {
			Title       string `json:"title"`
			PublishedAt string `json:"published_at"`
		} `json:"record"`
	} `json:"hits"`
	Error string `json:"error"`
}

func TestAPISearch(t *testing.T) {
	f := newFixture(t, Options{})
	var got apiHits
	code, body, h := f.get(t, "/api/search?q=tehran")
	decode(t, body, &got)
	// the English, the Arabic-free hostile and the undated record name Tehran; the Arabic one says طهران
	if code != 200 || got.Total != 4 || len(got.Hits) != 4 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("tehran: %d, total %d, %d hits, %s", code, got.Total, len(got.Hits), body)
	}
	for _, hit := range got.Hits {
		if !strings.Contains(strings.ToLower(hit.Snippet), "tehran") {
			t.Errorf("snippet %q lacks the word searched", hit.Snippet)
		}
	}
	// the date order, the days, paging: as the CLI's options
	decode(t, f.body(t, "/api/search?q=tehran&sort=-date&limit=2"), &got)
	if len(got.Hits) != 2 || got.Hits[0].Record.PublishedAt < got.Hits[1].Record.PublishedAt || got.Total != 4 {
		t.Errorf("newest first, 2: %+v", got)
	}
	first := got.Hits[1].ID
	decode(t, f.body(t, "/api/search?q=tehran&sort=-date&limit=1&offset=1"), &got)
	if len(got.Hits) != 1 || got.Hits[0].ID != first {
		t.Errorf("offset 1: %+v, want %s", got.Hits, first)
	}
	decode(t, f.body(t, "/api/search?q=tehran&since=2020-11-01&until=2020-11-30"), &got)
	if got.Total != 2 {
		t.Errorf("November 2020: %d, want 2 (courier's and the hostile page)", got.Total)
	}
	decode(t, f.body(t, "/api/search?q="+url.QueryEscape("طهران")), &got)
	if got.Total != 1 || !strings.Contains(got.Hits[0].Snippet, "طهران") {
		t.Errorf("Arabic: %+v", got)
	}
	decode(t, f.body(t, "/api/search?f="+url.QueryEscape(`site_name:"Courier"`)+"&f="+url.QueryEscape("-versions:>1")), &got)
	if got.Total != 3 {
		t.Errorf("Courier's unedited records: %d, want 3", got.Total)
	}
}

// Bad input is a 400 with the reason, as JSON.
func TestAPIBadInput(t *testing.T) {
	f := newFixture(t, Options{})
	for path, reason := range map[string]string{
		"/api/search?q=" + url.QueryEscape(`"unclosed`):                "not closed",
		"/api/search?q=a&sort=sideways":                                "sort",
		"/api/search?q=a&since=yesterday":                              "YYYY-MM-DD",
		"/api/search?q=a&limit=0":                                      "limit",
		"/api/search?q=a&limit=5000":                                   "limit",
		"/api/search?q=a&offset=-3":                                    "offset",
		"/api/search?f=" + url.QueryEscape("html:x"):                   "filter",
		"/api/search?q=" + url.QueryEscape(strings.Repeat("a ", 3000)): "query",
		"/api/stats?by=colour":                                         "colour",
		"/api/stats?by=site&top=-1":                                    "top",
		"/api/records/xyz":                                             "hex",
		"/api/records/" + strings.Repeat("0", 64):                      "no record",
		"/api/nothing":                                                 "no such endpoint",
	} {
		code, body, _ := f.get(t, path)
		var e struct{ Error string }
		decode(t, body, &e)
		want := 400
		if strings.Contains(path, "/records/000") || strings.Contains(path, "nothing") {
			want = 404
		}
		if code != want || !strings.Contains(e.Error, reason) {
			t.Errorf("%.60s: %d %q, want %d naming %q", path, code, e.Error, want, reason)
		}
	}
}

func TestAPIStatsAndRecord(t *testing.T) {
	f := newFixture(t, Options{})
	var st struct {
		Records int `json:"records"`
		Counts  []struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		} `json:"counts"`
	}
	decode(t, f.body(t, "/api/stats?by=language"), &st)
	if st.Records != 8 || len(st.Counts) != 2 || st.Counts[0].Value != "en" || st.Counts[0].Count != 7 {
		t.Errorf("by language: %+v", st)
	}
	decode(t, f.body(t, "/api/stats?by=site&q=tehran"), &st)
	if st.Records != 4 {
		t.Errorf("by site of tehran: %+v", st)
	}
	var rec struct {
		ID, Title string
		Versions  int
	}
	decode(t, f.body(t, "/api/records/"+f.arabic), &rec)
	if rec.ID != f.arabic || rec.Title != "وزير الخارجية العراقي في طهران" {
		t.Errorf("record: %+v", rec)
	}
	decode(t, f.body(t, "/api/records/"+f.arabic[:12]), &rec)
	if rec.ID != f.arabic {
		t.Errorf("by the start of its id: %+v", rec)
	}
	var vs struct {
		Versions []struct{ Title string } `json:"versions"`
	}
	decode(t, f.body(t, "/api/records/"+f.edited+"?versions=1"), &vs)
	if len(vs.Versions) != 2 || vs.Versions[0].Title != "Budget vote delayed" || vs.Versions[1].Title != "Budget vote delayed again" {
		t.Errorf("versions: %+v", vs)
	}
}

func (f *fixture) body(t *testing.T, path string) string {
	t.Helper()
	code, body, _ := f.get(t, path)
	if code != 200 {
		t.Fatalf("%s: %d %s", path, code, body)
	}
	return body
}

func TestSearchPage(t *testing.T) {
	f := newFixture(t, Options{})
	page := f.body(t, "/?q=tehran&sort=-date")
	for _, want := range []string{
		`value="tehran"`, `<option value="-date" selected>`,
		`<mark>Tehran</mark>`, // highlighted
		`1–4 of 4 records`,
		`href="/export?format=csv&amp;q=tehran&amp;sort=-date"`, // the current query's download
		`<h2>Site</h2>`, `<h2>Language</h2>`, `<h2>Section</h2>`,
		`<rect`, `data-since="2020-10-`, // the histogram, by day over a month and a half
	} {
		if !strings.Contains(page, want) {
			t.Errorf("search page lacks %q", want)
		}
	}
	// a facet's link adds its filter and keeps the query
	m := regexp.MustCompile(`<a href="([^"]+)"><span dir="auto">Courier</span> <span class="n">(\d+)</span>`).FindStringSubmatch(page)
	if m == nil || m[2] != "2" {
		t.Fatalf("no Courier facet with 2 records in\n%s", page)
	}
	link := strings.ReplaceAll(m[1], "&amp;", "&")
	u, _ := url.Parse(link)
	if u.Query().Get("q") != "tehran" || u.Query().Get("f") != `site_name:"Courier"` {
		t.Errorf("facet link %s", link)
	}
	filtered := f.body(t, link)
	if !strings.Contains(filtered, "1–2 of 2 records") || !strings.Contains(filtered, `aria-label="remove filter site_name:&#34;Courier&#34;"`) {
		t.Errorf("filtered page: no 2 records or no removable filter")
	}
	// the stories and the edits show when there are some
	all := f.body(t, "/")
	for _, want := range []string{"Story (same text on several sites)", "Water treaty talks in Amman (2 sites)", "Edited after publication", "Wire agency"} {
		if !strings.Contains(all, want) {
			t.Errorf("the page of every record lacks %q", want)
		}
	}
	// a query the index cannot read: the reason, the form, status 400
	code, bad, _ := f.get(t, "/?q="+url.QueryEscape(`"unclosed`))
	if code != 400 || !strings.Contains(bad, `role="alert"`) || !strings.Contains(bad, "not closed") || !strings.Contains(bad, `<form class="query"`) {
		t.Errorf("bad query: %d\n%s", code, bad)
	}
	// a bar of the histogram narrows the days
	bar := regexp.MustCompile(`<a href="([^"]+)" data-since="2020-11-02"`).FindStringSubmatch(page)
	if bar == nil {
		t.Fatal("no bar for 2020-11-02")
	}
	day := f.body(t, strings.ReplaceAll(bar[1], "&amp;", "&"))
	if !strings.Contains(day, "1–1 of 1 records") || !strings.Contains(day, "Markets calm") {
		t.Errorf("the day's bar: not its one record")
	}
}

// Whatever a site wrote is text on the page, never markup; links to it
// are http(s) only; JSON escapes < and >.
func TestHostileRecordIsEscaped(t *testing.T) {
	f := newFixture(t, Options{})
	for _, path := range []string{"/?q=tehran", "/records/" + f.hostile, "/overview"} {
		page := f.body(t, path)
		for _, bad := range []string{"<script>alert", "<img src=x", "<b>bold", "<Site>"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s holds %q unescaped", path, bad)
			}
		}
	}
	rec := f.body(t, "/records/"+f.hostile)
	if !strings.Contains(rec, "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;") {
		t.Errorf("the hostile title is not shown escaped")
	}
	if api := f.body(t, "/api/records/"+f.hostile); strings.Contains(api, "<script>") || !strings.Contains(api, `\u003cscript\u003e`) {
		t.Errorf("JSON: %s", api)
	}
}

func TestRecordPage(t *testing.T) {
	f := newFixture(t, Options{})
	ar := f.body(t, "/records/"+f.arabic)
	for _, want := range []string{`<article class="record" lang="ar" dir="rtl">`, "وزير الخارجية العراقي في طهران",
		`<p>وتأتي الزيارة بعد تحذير من السفارة الأمريكية.</p>`, `href="https://arabpress.example/ar/2020/10/18/tehran/"`, "<dt>content_hash</dt>"} {
		if !strings.Contains(ar, want) {
			t.Errorf("Arabic record page lacks %q", want)
		}
	}
	ed := f.body(t, "/records/"+f.edited)
	for _, want := range []string{"Versions (2)", "Version 1 → version 2", "<ins>", "again"} {
		if !strings.Contains(ed, want) {
			t.Errorf("edited record page lacks %q", want)
		}
	}
	if code, _, _ := f.get(t, "/records/"+f.edited+"?from=9"); code != 400 {
		t.Errorf("version 9 of 2: %d, want 400", code)
	}
	wire := f.body(t, "/records/"+f.wireA)
	if !strings.Contains(wire, "The same story elsewhere (2 records") || !strings.Contains(wire, "/records/"+f.wireB) {
		t.Errorf("wire record page: no link to its copy")
	}
	// the start of an id redirects to the record's one address
	code, _, h := f.get(t, "/records/"+f.arabic[:10])
	if code != 303 || h.Get("Location") != "/records/"+f.arabic {
		t.Errorf("id prefix: %d %s", code, h.Get("Location"))
	}
	if code, page, _ := f.get(t, "/records/"+strings.Repeat("a", 64)); code != 404 || !strings.Contains(page, "no record") {
		t.Errorf("no such record: %d", code)
	}
}

func TestOverview(t *testing.T) {
	f := newFixture(t, Options{LastCrawl: func() ([]byte, error) {
		return []byte(`{"fetched": 12, "stored": 8, "seed_urls": ["https://arabpress.example/"]}`), nil
	}})
	page := f.body(t, "/overview")
	for _, want := range []string{"Overview: 8 records", "<h2>Sites</h2>", "<h2>Languages</h2>", `value="4"`, "January 2021", "<dt>fetched</dt><dd dir=\"auto\">12</dd>", "https://arabpress.example/"} {
		if !strings.Contains(page, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

func TestExport(t *testing.T) {
	f := newFixture(t, Options{})
	code, csv, h := f.get(t, "/export?format=csv&q=tehran")
	if code != 200 || !strings.HasPrefix(csv, "\uFEFFid,url,") || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %q", code, csv[:min(80, len(csv))])
	}
	rows, err := encsv.NewReader(strings.NewReader(strings.TrimPrefix(csv, "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 5 || !strings.Contains(csv, `'=HYPERLINK`) {
		t.Errorf("csv: want a header and 4 rows, the formula neutralised: %d rows, %v\n%s", len(rows), err, csv)
	}
	_, jl, _ := f.get(t, "/export?format=jsonl&f="+url.QueryEscape(`language:"ar"`))
	if strings.Count(jl, "\n") != 1 || !strings.Contains(jl, "طهران") {
		t.Errorf("jsonl of the Arabic records: %s", jl)
	}
	if code, _, _ := f.get(t, "/export?format=xlsx"); code != 400 {
		t.Errorf("xlsx: %d, want 400", code)
	}
}

// The facets of a search are counted once for its pages, and again when
// the search finds another number of records (a crawl added some).
func TestFacetsCountedAgainWhenTheIndexChanges(t *testing.T) {
	f := newFixture(t, Options{})
	courier := regexp.MustCompile(`<span dir="auto">Courier</span> <span class="n">(\d+)</span>`)
	n := func(page string) string {
		m := courier.FindStringSubmatch(page)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if got := n(f.body(t, "/?q=tehran")); got != "2" {
		t.Fatalf("Courier: %s, want 2", got)
	}
	if got := n(f.body(t, "/?q=tehran&offset=20")); got != "2" {
		t.Errorf("the second page: Courier %s, want 2 (its facets as counted)", got)
	}
	if _, err := f.idx.Put(context.Background(), mk("https://courier.example/2020/12/24/more/", "en", "More Tehran talks", "Tehran again.", "Courier", "2020-12-24")); err != nil {
		t.Fatal(err)
	}
	var got apiHits
	for i := 0; i < 400 && got.Total != 5; i++ { // the search index takes it within a second, on a busy machine in 20
		time.Sleep(50 * time.Millisecond)
		decode(t, f.body(t, "/api/search?q=tehran"), &got)
	}
	if got := n(f.body(t, "/?q=tehran")); got != "3" {
		t.Errorf("after a new Courier record: %s, want 3", got)
	}
}
