package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/record"
)

// hostileTitle is what a site can put in a title to run a script in the
// researcher's browser.
const hostileTitle = `<script>alert("t")</script><img src=x onerror=alert(1)> "quoted" & more`

// wireText is one agency story, run by two sites.
var wireText = func() string {
	var ws []string
	for i := range 80 {
		ws = append(ws, fmt.Sprintf("word%d", i*i%101))
	}
	return "Ministers met in Amman to discuss the water treaty. " + strings.Join(ws, " ")
}()

type fixture struct {
	*httptest.Server
	idx                                   *local.Index
	arabic, hostile, edited, wireA, wireB string // record ids
}

func mk(u, lang, title, text, site string, day string) *record.Record {
	r := &record.Record{ID: record.IDForURL(u), URL: u, CanonicalURL: u, Title: title, Text: text, Language: lang,
		SiteName: site, IsArticle: true, Authors: []string{}, Tags: []string{}, ContentHash: record.IDForURL(text)[:32]}
	if day != "" {
		d, _ := time.Parse("2006-01-02", day)
		r.PublishedAt = &record.Timestamp{Time: d, DayOnly: true}
	}
	f := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	r.FetchedAt = &f
	return r
}

// newFixture serves a data dir of a few records: English and Arabic, a
// hostile one, an edited one, a wire story on two sites.
func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	idx, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{}
	recs := []*record.Record{
		mk("https://arabpress.example/2020/10/17/diplomat/", "en", "Top Iraqi diplomat in Iran after US embassy warning",
			"Iraq's foreign minister arrived in Tehran on Saturday for talks.\n\nThe visit follows a warning from the US embassy.", "Arab Press", "2020-10-17"),
		mk("https://arabpress.example/ar/2020/10/18/tehran/", "ar", "وزير الخارجية العراقي في طهران",
			"وصل وزير الخارجية العراقي إلى طهران يوم السبت لإجراء محادثات.\n\nوتأتي الزيارة بعد تحذير من السفارة الأمريكية.", "Arab Press", "2020-10-18"),
		mk("https://courier.example/2020/11/02/markets/", "en", "Markets calm as talks continue",
			"Markets were calm in Tehran and Baghdad while talks continue.", "Courier", "2020-11-02"),
		mk("https://evil.example/x/", "en", hostileTitle, "=HYPERLINK(\"http://evil.example\") a page about Tehran with <b>bold</b> text.", "Evil <Site>", "2020-11-20"),
		mk("https://courier.example/2020/12/01/edited/", "en", "Budget vote delayed", "The budget vote was delayed on Monday.", "Courier", "2020-12-01"),
		mk("https://arabpress.example/2021/01/05/water/", "en", "Water treaty talks in Amman", wireText, "Arab Press", "2021-01-05"),
		mk("https://courier.example/2021/01/05/water/", "en", "Amman water talks", wireText, "Courier", "2021-01-05"),
		mk("https://courier.example/undated/", "en", "An undated note", "A note without a date about Tehran.", "Courier", ""),
	}
	recs[0].Section, recs[2].Section = "Politics", "Economy"
	recs[0].Authors = []string{"Layla Haddad"}
	recs[5].Wire = "AFP"
	for _, r := range recs {
		if _, err := idx.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	edit := *recs[4]
	edit.Title, edit.Text = "Budget vote delayed again", "The budget vote was delayed on Monday and again on Tuesday."
	edit.ContentHash = record.IDForURL(edit.Text)[:32]
	later := edit.FetchedAt.Add(24 * time.Hour)
	edit.FetchedAt = &later
	if _, err := idx.Put(ctx, &edit); err != nil {
		t.Fatal(err)
	}
	if err := idx.Close(); err != nil { // every record in the search index
		t.Fatal(err)
	}
	if f.idx, err = local.Open(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.idx.Close() })
	f.arabic, f.hostile, f.edited, f.wireA, f.wireB = recs[1].ID, recs[3].ID, recs[4].ID, recs[5].ID, recs[6].ID
	opts.Reader = f.idx
	if opts.Name == "" {
		opts.Name = "data dir " + dir
	}
	f.Server = httptest.NewUnstartedServer(nil)
	if opts.Addr == "" {
		opts.Addr = f.Listener.Addr().String()
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	f.Config.Handler = h
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// get fetches a path, with headers, and returns the status and body.
func (f *fixture) get(t *testing.T, path string, header ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest("GET", f.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b), res.Header
}
