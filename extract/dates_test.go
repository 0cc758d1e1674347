package extract

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/record"
)

func TestParseVisibleDate(t *testing.T) {
	ref := time.Date(2025, 11, 18, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{"October 17, 2020", "2020-10-17"},
		{"Oct. 17th, 2020", "2020-10-17"},
		{"Saturday 17 October 2020", "2020-10-17"},
		{"Published: March 5, 2024 · By Jane Roe", "2024-03-05"},
		{"السبت ١٧ أكتوبر ٢٠٢٠", "2020-10-17"},
		{"نُشر في: السبت ١٧ أكتوبر ٢٠٢٠ · بغداد", "2020-10-17"},
		{"17 تشرين الأول 2020", "2020-10-17"},
		{"٥ آذار ٢٠٢٤", "2024-03-05"},
		{"17 آذار (مارس) 2024", "2024-03-17"},
		{"الخميس 14 ربيع الآخر 1446هـ 17 أكتوبر 2024م", "2024-10-17"},
		{"الأحد 5 رمضان 1445 هـ - 17 مارس 2024", "2024-03-17"},
		{"۱۷ اكتوبر ۲۰۲۰", "2020-10-17"},
		{"17 جويلية 2020", "2020-07-17"},
		{"17. Oktober 2020", "2020-10-17"},
		{"17 octobre 2020", "2020-10-17"},
		{"17 de octubre de 2020", "2020-10-17"},
		{"17.10.2020", "2020-10-17"},
		{"17/10/2020", "2020-10-17"},
		{"10/17/2020", "2020-10-17"},
		{"2020-10-17 09:42", "2020-10-17"},
		{"2020年10月17日", "2020-10-17"},
		{"3 hours ago", "2025-11-18T09:00:00Z"},
		{"منذ ٣ ساعات", "2025-11-18T09:00:00Z"},
		{"منذ يومين", "2025-11-16"},
		{"vor 2 Tagen", "2025-11-16"},
		{"15 августа 2016, 13:43", "2016-08-15"},
		{"5 marca 2021", "2021-03-05"},
		{"12 Ağustos 2020", "2020-08-12"},
		{"12 AĞUSTOS 2020", "2020-08-12"},
		{"3 Aralık 2019", "2019-12-03"},
		{"Lübeck, 31. März 2003", "2003-03-31"},
		{"Bonn,\u00a011.10.2021", "2021-10-11"},
		{"veröffentlicht 28.01.2022 06:00", "2022-01-28"},
		{"17.7.11", "2011-07-17"},
		{"macbacchi 28.09.19 12:44", "2019-09-28"},
		{"Kultur, 2.11.22", "2022-11-02"},
		{"31 maart 2003", "2003-03-31"},
		{"2 października 2019", "2019-10-02"},
	} {
		got, ok := parseVisibleDate(tc.in, ref)
		if !ok || got.String() != tc.want {
			t.Errorf("parseVisibleDate(%q) = %v %v, want %s", tc.in, got.String(), ok, tc.want)
		}
	}
	for _, in := range []string{"", "Arab Press", "السبت 1445/9/5 هـ", "05/06/2020", "31 February 2020", "2020", "Chapter 12", "Call 555-1234", "32 October 2020",
		"Version 10.0.19041", "v1.2.3", "1.12.50 EUR"} {
		if got, ok := parseVisibleDate(in, ref); ok {
			t.Errorf("parseVisibleDate(%q) = %v, want no date", in, got)
		}
	}
}

func TestParseStructured(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2020-10-17T09:42:00+03:00", "2020-10-17T09:42:00+03:00"},
		{"2020-10-17T09:42:00.123Z", "2020-10-17T09:42:00Z"},
		{"2020-10-17T09:42:00+0300", "2020-10-17T09:42:00+03:00"},
		{"2020-10-17T09:42:00", "2020-10-17"},
		{"2020-10-17", "2020-10-17"},
		{"Sat, 17 Oct 2020 09:42:00 +0300", "2020-10-17T09:42:00+03:00"},
		{"October 17, 2020", "2020-10-17"},
	} {
		got, ok := parseStructured(tc.in)
		if !ok || got.String() != tc.want {
			t.Errorf("parseStructured(%q) = %q %v, want %q", tc.in, got.String(), ok, tc.want)
		}
	}
}

func TestTimestampJSONRoundTrip(t *testing.T) {
	for _, s := range []string{`"2020-10-17T09:42:00+03:00"`, `"2020-10-17"`} {
		var ts record.Timestamp
		if err := ts.UnmarshalJSON([]byte(s)); err != nil {
			t.Fatal(err)
		}
		out, _ := ts.MarshalJSON()
		if string(out) != s {
			t.Errorf("round trip %s gave %s", s, out)
		}
	}
	var ts record.Timestamp
	if err := ts.UnmarshalJSON([]byte(`"yesterday"`)); err == nil {
		t.Error("want an error for a non-date")
	}
}

func TestDateFromURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/2020/10/17/top-story/", "2020-10-17"},
		{"/news/2020-10-17-top-story", "2020-10-17"},
		{"/ar/2020/10/17/iraqi-fm-tehran/", "2020-10-17"},
		{"/SharedDocs/Reden/DE/Johannes-Rau/Reden/2003/03/20030331_Rede2.html", "2003-03-31"},
		{"/news-20210517/", "2021-05-17"},
	} {
		if got, ok := dateFromURL(tc.in); !ok || got.String() != tc.want {
			t.Errorf("dateFromURL(%q) = %v", tc.in, got)
		}
	}
	for _, in := range []string{"/2020/10/", "/article/202103151234/", "/p/120210315", "/id/20211345/", "/a/2021031/"} {
		if got, ok := dateFromURL(in); ok {
			t.Errorf("dateFromURL(%q) = %v, want no day", in, got)
		}
	}
}

// The classes of wrong and missing dates of issue 18, a page each: which
// date the record gets and where it says the day came from.
func TestPublishedDateClasses(t *testing.T) {
	const ogArticle = `<meta property="og:type" content="article">`
	text := `<p>` + strings.Repeat("The council approved a new plan on Monday to expand the tram network into the northern districts. ", 8) + `</p>`
	for _, tc := range []struct {
		name, url, head, body string
		want                  string
		src                   record.DateSource
	}{
		{"the page's own offset is kept", "https://news.example/council-plan",
			`<meta property="article:published_time" content="2023-11-08T18:49:09-07:00">`, `<h1>Council plan</h1>` + text,
			"2023-11-08T18:49:09-07:00", record.DateFromMeta},
		{"a UTC stamp the day after the URL's day: the URL's day", "https://news.example/2023/11/08/council-plan/",
			`<meta property="article:published_time" content="2023-11-09T01:49:09Z">`, `<h1>Council plan</h1>` + text,
			"2023-11-08", record.DateFromURL},
		{"a UTC stamp the day before the URL's day: the URL's day", "https://news.example/2024/03/05/council-plan/",
			`<meta property="article:published_time" content="2024-03-04T23:04:00Z">`, `<h1>Council plan</h1>` + text,
			"2024-03-05", record.DateFromURL},
		{"a later JSON-LD date loses to the URL's", "https://news.example/2021/05/17/council-plan/",
			`<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2022-02-01T10:00:00+01:00"}</script>`,
			`<h1>Council plan</h1>` + text, "2021-05-17", record.DateFromURL},
		{"an earlier JSON-LD date stands", "https://news.example/2021/05/17/council-plan/",
			`<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2021-05-16T22:00:00+02:00"}</script>`,
			`<h1>Council plan</h1>` + text, "2021-05-16T22:00:00+02:00", record.DateFromJSONLD},
		{"schema.org JSON in a script of no JSON-LD type", "https://news.example/council-plan",
			`<script>{"@context":"http://schema.org","@type":"NewsArticle","headline":"Council plan","datePublished":"2019-06-03T08:00:00+02:00"}</script>`,
			`<h1>Council plan</h1>` + text, "2019-06-03T08:00:00+02:00", record.DateFromJSONLD},
		{"a dateline in a metadata box, no h1", "https://news.example/council-plan", "",
			`<div class="metadata">Bonn,&nbsp;11.10.2021</div>` + text, "2021-10-11", record.DateFromVisible},
		{"a Russian date", "https://news.example/council-plan", "",
			`<h1>Council plan</h1><p class="date">15 августа 2016, 13:43</p>` + text, "2016-08-15", record.DateFromVisible},
		{"a labelled date after the text", "https://news.example/council-plan", "",
			`<h1>Council plan</h1>` + text + text + text + `<div class="footer-info"><p>Veröffentlicht am 28.01.2022 06:00 von Jane Roe</p></div>`,
			"2022-01-28", record.DateFromVisible},
		{"a compact date in the URL", "https://www.example.de/Reden/2003/03/20030331_Rede2.html", "",
			`<h1>Rede</h1>` + text, "2003-03-31", record.DateFromURL},
		{"a UTC stamp takes the offset of a <time> of the same instant", "https://news.example/council-plan",
			`<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2022-04-29T02:08:28Z"}</script>`,
			`<h1>Council plan</h1><time datetime="2022-04-28T22:08:28-04:00">6 hours ago</time>` + text,
			"2022-04-28T22:08:28-04:00", record.DateFromJSONLD},
		{"a metadata date later than the dateline: the dateline", "https://news.example/council-plan",
			`<meta name="date" content="2020-04-29T11:52:23">`, `<h1>Council plan</h1><p>Stand: 28.04.2020 18:00 Uhr</p>` + text,
			"2020-04-28", record.DateFromVisible},
		{"a UTC stamp one day off the dateline: the dateline's day", "https://news.example/council-plan",
			`<meta property="article:published_time" content="2021-11-04T23:00Z">`, `<h1>Council plan</h1><p>5. November 2021</p>` + text,
			"2021-11-05", record.DateFromVisible},
		{"a stamp just after midnight on the day after the URL's: the stamp", "https://news.example/2022/04/21/council-plan/",
			`<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","datePublished":"2022-04-22T00:00:43-06:00"}</script>`,
			`<h1>Council plan</h1>` + text, "2022-04-22T00:00:43-06:00", record.DateFromJSONLD},
		{"a zone abbreviation keeps its offset", "https://news.example/council-plan",
			`<meta property="article:published_time" content="Mon Oct 11 14:57:21 CEST 2021">`, `<h1>Council plan</h1>` + text,
			"2021-10-11T14:57:21+02:00", record.DateFromMeta},
		{"a two-digit year above the title", "https://news.example/council-plan", "",
			`<p class="date">17.7.11</p><h1>Council plan</h1>` + text, "2011-07-17", record.DateFromVisible},
		{"a dateline in the main's own header", "https://news.example/council-plan", "",
			`</article><main><header><p class="h6">02.12.2022</p><h1>Council plan</h1></header>` + text + `</main><article>`, "2022-12-02", record.DateFromVisible},
		{"the headline is the second h1", "https://news.example/council-plan", "",
			`</article><header><h1>Relief Agency</h1><nav>` + strings.Repeat(`<a href="/x">Section with a long name</a> `, 40) + `</nav></header>` +
				`<div class="photogallery"><span class="metadata">Bonn,&nbsp;11.10.2021</span><h1>Council plan</h1></div>` + text + `<article>`, "2021-10-11", record.DateFromVisible},
		{"a label in a long line", "https://news.example/council-plan", "",
			`<h1>Council plan</h1>` + text + text + text + `<p>Pressemitteilung vom 25. Januar 2022 | Berlin – ` + strings.Repeat("Die Zusammenarbeit wird fortgesetzt. ", 10) + `</p>`,
			"2022-01-25", record.DateFromVisible},
		{"a label after another", "https://news.example/council-plan", "",
			`<h1>Council plan</h1>` + text + text + text + `<div class="rez_footer"><p>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023<br>Lesungen: 61</p></div>`,
			"2023-11-01", record.DateFromVisible},
		{"a label in its own element, the date beside it", "https://news.example/council-plan", "",
			`<h1>Council plan</h1>` + text + text + text + `<p class="post-info"><strong>Veröffentlicht:</strong> 28.01.2022, 06:00</p>`,
			"2022-01-28", record.DateFromVisible},
		{"no label, no date: a date in running text is not the publication date", "https://news.example/council-plan", "",
			`<h1>Council plan</h1>` + text + text + text + `<p>The first tram ran on 5 March 1902, long before the council existed.</p>`,
			"", ""},
		{"the last resort: a date line far down the article", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<div class="box"><span>18.03.2020 13:15 Uhr</span></div>` + text,
			"2020-03-18", record.DateFromSearch},
		{"the last resort: a date opening a paragraph", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<p>27.1.2022 - ` + strings.Repeat("Die Zusammenarbeit wird fortgesetzt. ", 10) + `</p>`,
			"2022-01-27", record.DateFromSearch},
		{"the last resort: Arabic digits", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<div><span>٥ آذار ٢٠٢٤</span></div>`,
			"2024-03-05", record.DateFromSearch},
		{"the last resort: not in a related link", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<ul><li><a href="/other">Other story <span>12.02.2020</span></a></li></ul>`,
			"", ""},
		{"the last resort: not a last change", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<p><b>Letzte Änderung:</b> <span>14.01.2022</span></p>`,
			"", ""},
		{"the last resort: a time after the date is no range", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<div class="submitted">am 24. Juli 2017 - 18:55</div>`,
			"2017-07-24", record.DateFromSearch},
		{"the last resort: not a range", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<p>14.-20. Januar 2022</p>`,
			"", ""},
		{"the last resort: not after the fetch", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<p><span>3. März 2031</span></p>`,
			"", ""},
		{"the last resort: not before the web", "https://news.example/council-plan", ogArticle,
			`<h1>Council plan</h1>` + text + text + text + text + `<p><span>21.08.1948</span></p>`,
			"", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := `<html lang="en"><head><title>Council plan</title>` + tc.head + `</head><body><article>` + tc.body + `</article></body></html>`
			r, err := Extract(Input{Body: []byte(page), URL: tc.url, FetchedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if r.PublishedAt != nil {
				got = r.PublishedAt.String()
			}
			if got != tc.want || r.DateSource != tc.src {
				t.Errorf("published_at %q from %q, want %q from %q", got, r.DateSource, tc.want, tc.src)
			}
		})
	}
}

// An encyclopedia's visible dates are its subject's (a birth, a founding),
// not the page's publication.
func TestEncyclopediaDatesAreNotPublication(t *testing.T) {
	text := `<p>` + strings.Repeat("Tanya Chua is a Singaporean singer-songwriter who has released many albums over three decades. ", 6) + `</p>`
	for _, title := range []string{"蔡健雅_百度百科", "Tanya Chua – Wikipedia"} {
		page := `<html><head><title>` + title + `</title></head><body><h1>蔡健雅</h1><p>1975年1月28日 新加坡</p>` + text + `</body></html>`
		r, err := Extract(Input{Body: []byte(page), URL: "https://baike.example/item/tanya"})
		if err != nil {
			t.Fatal(err)
		}
		if r.PublishedAt != nil {
			t.Errorf("%s: published_at %s from %s, want none", title, r.PublishedAt, r.DateSource)
		}
	}
	// A headline that names a wiki is a news page like any other.
	page := `<html><head><title>WikiLeaks founder appeals | The Courier</title></head><body><h1>WikiLeaks founder appeals</h1><p>5 March 2024</p>` + text + `</body></html>`
	r, err := Extract(Input{Body: []byte(page), URL: "https://courier.example/world/appeal"})
	if err != nil {
		t.Fatal(err)
	}
	if r.PublishedAt == nil || r.PublishedAt.String() != "2024-03-05" {
		t.Errorf("a news page about WikiLeaks: published_at %v, want 2024-03-05", r.PublishedAt)
	}
}

// Every label publishedLabel knows passes the cheap pre-check of
// labelWords, in any case: the pre-check never hides a label.
func TestPublishedLabelPrecheck(t *testing.T) {
	src := publishedLabel.String()
	start := strings.Index(src, "(?:veröffentlicht")
	end := strings.Index(src, "|(?:datum")
	if start < 0 || end < 0 {
		t.Fatalf("publishedLabel changed shape: %s", src)
	}
	labels := strings.Split(src[start+len("(?:"):end], "|")
	labels = append(labels, "datum:", "data:", "date:", "fecha:", "erscheinungsdatum:")
	for _, l := range labels {
		for _, line := range []string{"Zuletzt " + l + " 28.01.2022", strings.ToUpper(l) + " 28.01.2022", strings.ToTitle(l[:1]) + l[1:] + " 28.01.2022"} {
			if !publishedLabel.MatchString(line) {
				continue // the regexp's own case folding (e.g. Turkish ı upper-cased)
			}
			if !containsAny(line, labelWords) {
				t.Errorf("%q matches publishedLabel but has none of labelWords", line)
			}
		}
	}
	if len(labels) < 20 {
		t.Fatalf("only %d labels read from publishedLabel", len(labels))
	}
}

// A relative date ("vor 5 Stunden", "منذ ٣ ساعات") names a day only against
// the time the page was fetched: a crawled page is dated by it, a page read
// from a file (no fetch time) is not dated by it, or every saved page would
// be published today (0541 of the dev set, saved in 2022, was dated the
// day the tests ran).
func TestRelativeDatesNeedTheFetchTime(t *testing.T) {
	text := `<p>` + strings.Repeat("The best projects of the year, chosen by the readers of the magazine, show kitchens, gardens and bathrooms. ", 6) + `</p>`
	for _, byline := range []string{"vor 5 Stunden", "منذ 5 ساعات", "5 hours ago"} {
		page := `<html><head><title>Best of the year</title></head><body><article><h1>Best of the year</h1><div class="author-info"><span>` + byline + `</span></div>` + text + `</article></body></html>`
		fetched := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
		r, err := Extract(Input{Body: []byte(page), URL: "https://mag.example/best-of-the-year", FetchedAt: fetched})
		if err != nil {
			t.Fatal(err)
		}
		if r.PublishedAt == nil || r.PublishedAt.String() != "2025-03-04T07:00:00Z" || r.DateSource != record.DateFromVisible {
			t.Errorf("%q fetched at %s: published_at %v from %q, want 2025-03-04T07:00:00Z from visible", byline, fetched, r.PublishedAt, r.DateSource)
		}
		r, err = Extractor{Now: func() time.Time { return fetched }}.Extract(Input{Body: []byte(page), URL: "https://mag.example/best-of-the-year"})
		if err != nil {
			t.Fatal(err)
		}
		if r.PublishedAt != nil {
			t.Errorf("%q in a file (no fetch time): published_at %v from %q, want none", byline, r.PublishedAt, r.DateSource)
		}
	}
}

// The last resort (searchDate) never dates a page that is not an article:
// a home page's dates are its teasers'.
func TestSearchDateNotOnHomePages(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<html lang="en"><head><title>Daily News</title><meta property="og:type" content="website"></head><body><h1>Daily News</h1>`)
	b.WriteString(`<p>` + strings.Repeat("Welcome to the daily news of the northern districts, with every story of the week. ", 10) + `</p>`)
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, `<div class="teaser"><h2><a href="/story-%d">Story number %d about the council</a></h2><p>%02d.03.2020</p><p>A short excerpt of the story.</p></div>`, i, i, i)
	}
	b.WriteString(`</body></html>`)
	r, err := Extract(Input{Body: []byte(b.String()), URL: "https://news.example/", FetchedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if r.IsArticle {
		t.Fatalf("a home page of 30 teasers taken for an article")
	}
	if r.PublishedAt != nil || r.DateSource != "" {
		t.Errorf("home page dated %v from %q, want no date", r.PublishedAt, r.DateSource)
	}
}
