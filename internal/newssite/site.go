// Package newssite serves a synthetic news site for crawl tests and
// benchmarks: English articles in the seed page's WordPress layout, Arabic
// articles in windows-1256 (charset in the HTTP header only, date only in
// Arabic-Indic digits), home and paginated section pages, robots.txt with a
// disallowed area and a Sitemap line, a sitemap index (one gzipped), an RSS
// feed, tracking-parameter and fragment duplicates, AMP copies with
// rel=canonical, an endless calendar, a 404, a 301, a 500 that recovers, a
// PDF and a slow page. It counts the requests for every path.
package newssite

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// Options size the site.
type Options struct {
	English, Arabic int           // articles in each language
	PerPage         int           // teasers on a section page (default 10)
	SlowDelay       time.Duration // how long /slow-article/ takes (default 300ms)
	// Shells serves the English articles as a JavaScript application
	// would: an empty <div id="app"> that an inline script fills with the
	// article (the head, with its metadata, as it is).
	Shells bool
}

// Article is the ground truth of one article.
type Article struct {
	Path      string // canonical path, e.g. /2024/01/02/slug/
	Lang      string // "en" or "ar"
	Title     string
	Section   string
	Published time.Time // EN: full time with offset; AR: the day
	Word      string    // a word that occurs in this article's body only
	// Updated and Addendum are set by Update: when, and the paragraph added.
	Updated  time.Time
	Addendum string
	// Set by Edit: the byline ("" is "Staff Writer"), a word of the body
	// replaced (old, new), the first paragraph's full stop made "!", and
	// the paragraphs re-spaced (whitespace only).
	Author      string
	Replace     [2]string
	Exclaim     bool
	Respace     bool
	TitleEdited bool
}

// Edit is a change of an article after publication (Site.Edit).
type Edit struct {
	Title   string    // a new headline; "" keeps it
	Author  string    // a new byline; "" keeps it
	Replace [2]string // a word of the body replaced by another: a new version
	Exclaim bool      // punctuation only: no new version
	Respace bool      // whitespace only: no new version
}

// Site is a running synthetic site.
type Site struct {
	*httptest.Server
	Articles []Article
	opts     Options
	byPath   map[string]*Article
	rendered map[string]string     // article pages rendered ahead (Pregenerate)
	sections map[string][]*Article // "en/<section>" and "ar/<section>"

	mu         sync.Mutex
	headerDate atomic.Pointer[string] // nil: the constant headerDate
	hits       map[string]int
	flaky      int
	onHit      func(path string)
}

// OnHit sets a function called with the path (and query) of every request;
// nil removes it.
func (s *Site) OnHit(f func(path string)) {
	s.mu.Lock()
	s.onHit = f
	s.mu.Unlock()
}

var enSections = []string{"middle-east", "gulf", "business", "sport"}
var arSections = []string{"arab", "economy"}

// Special article paths.
const (
	FlakyPath    = "/2024/06/01/flaky-server-story/"
	SlowPath     = "/2024/06/02/slow-server-story/"
	RedirectFrom = "/old/story-moved/"
	PrivatePath  = "/private/2024/06/03/secret-story/"
)

// Start serves a site.
func Start(o Options) *Site {
	if o.PerPage <= 0 {
		o.PerPage = 10
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = 300 * time.Millisecond
	}
	s := &Site{opts: o, byPath: map[string]*Article{}, sections: map[string][]*Article{}, hits: map[string]int{}}
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.FixedZone("+03:00", 3*3600))
	for i := 0; i < o.English; i++ {
		t := base.Add(time.Duration(i) * 7 * time.Hour)
		sec := enSections[i%len(enSections)]
		name := strings.ReplaceAll(sec, "-", " ")
		title := fmt.Sprintf("%s report number %d on regional affairs", strings.ToUpper(name[:1])+name[1:], i)
		s.add(Article{Path: fmt.Sprintf("/%s/report-number-%d-on-regional-affairs/", t.Format("2006/01/02"), i),
			Lang: "en", Title: title, Section: sec, Published: t, Word: latinWord(i)})
	}
	for i := 0; i < o.Arabic; i++ {
		d := base.AddDate(0, 0, i)
		sec := arSections[i%len(arSections)]
		s.add(Article{Path: fmt.Sprintf("/ar/%s/story-%d/", d.Format("2006/01/02"), i), Lang: "ar",
			Title: "تقرير رقم " + arabicDigits(strconv.Itoa(i)) + " عن الشؤون الإقليمية", Section: sec,
			Published: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), Word: arabicWord(i)})
	}
	for _, p := range []string{FlakyPath, SlowPath} {
		t := time.Date(2024, 6, 1, 10, 0, 0, 0, time.FixedZone("+03:00", 3*3600))
		s.add(Article{Path: p, Lang: "en", Title: "Special story at " + strings.Trim(p, "/"), Section: "gulf", Published: t, Word: latinWord(900000 + len(s.Articles))})
	}
	// Assigned before the server's goroutines start, so that they see it.
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Server.Start()
	return s
}

// Update changes article i: a paragraph is added and the sitemap dates
// the change. English articles carry an ETag, Arabic ones Last-Modified,
// and both answer conditional requests.
func (s *Site) Update(i int, paragraph string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Articles[i].Updated = time.Now().UTC().Truncate(time.Second)
	s.Articles[i].Addendum = paragraph
	delete(s.rendered, s.Articles[i].Path)
	s.byPath[s.Articles[i].Path] = &s.Articles[i]
}

// Edit changes article i as a newsroom does after publication; the
// sitemap dates the change and the page's validators change with it.
func (s *Site) Edit(i int, e Edit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &s.Articles[i]
	a.Updated = time.Now().UTC().Truncate(time.Second)
	if e.Title != "" {
		a.Title, a.TitleEdited = e.Title, true
	}
	if e.Author != "" {
		a.Author = e.Author
	}
	if e.Replace[0] != "" {
		a.Replace = e.Replace
	}
	a.Exclaim = a.Exclaim || e.Exclaim
	a.Respace = a.Respace || e.Respace
	delete(s.rendered, a.Path)
	s.byPath[a.Path] = a
}

// SetHeaderDate changes the date widget of every page's header (today's
// date, as news sites show it): never part of a record.
func (s *Site) SetHeaderDate(d string) {
	s.headerDate.Store(&d)
	s.mu.Lock()
	s.rendered = nil
	s.mu.Unlock()
}

// header is the English pages' date widget (read while s.mu may be held).
func (s *Site) header() string {
	if d := s.headerDate.Load(); d != nil {
		return html.EscapeString(*d)
	}
	return headerDate
}

// byline is the article's author.
func (a *Article) byline() string {
	if a.Author != "" {
		return a.Author
	}
	return "Staff Writer"
}

// Pregenerate renders every article page ahead, so that a benchmark
// measures the crawler, not the site. Call it before serving.
func (s *Site) Pregenerate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index()
	s.rendered = make(map[string]string, len(s.Articles))
	for i := range s.Articles {
		a := &s.Articles[i]
		if a.Lang == "ar" {
			s.rendered[a.Path] = s.arabicArticle(a)
		} else {
			s.rendered[a.Path] = s.englishArticle(a)
		}
	}
}

// page renders an article, or takes it from the pregenerated ones.
func (s *Site) page(a *Article) string {
	s.mu.Lock()
	p, ok := s.rendered[a.Path]
	s.mu.Unlock()
	if ok {
		return p
	}
	if a.Lang == "ar" {
		return s.arabicArticle(a)
	}
	return s.englishArticle(a)
}

// modified is when an article last changed.
func (a *Article) modified() time.Time {
	if a.Updated.After(a.Published) {
		return a.Updated
	}
	return a.Published
}

func (s *Site) add(a Article) { s.Articles = append(s.Articles, a) }

func (s *Site) index() {
	if len(s.byPath) == len(s.Articles) {
		return
	}
	for i := range s.Articles {
		a := &s.Articles[i]
		s.byPath[a.Path] = a
		if a.Path == FlakyPath || a.Path == SlowPath {
			continue // linked from the home page only
		}
		key := a.Lang + "/" + a.Section
		s.sections[key] = append(s.sections[key], a)
	}
}

// Hits returns how often path (with its query) was requested.
func (s *Site) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// AllHits copies the request counts by path and query.
func (s *Site) AllHits() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.hits))
	for k, v := range s.hits {
		out[k] = v
	}
	return out
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.index()
	key := r.URL.Path
	if r.URL.RawQuery != "" {
		key += "?" + r.URL.RawQuery
	}
	s.hits[key]++
	hook := s.onHit
	s.mu.Unlock()
	if hook != nil {
		hook(key)
	}
	p := r.URL.Path
	switch {
	case p == "/robots.txt":
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n\nSitemap: %s/sitemap_index.xml\n", s.URL)
	case strings.HasPrefix(p, "/sitemap"):
		s.serveSitemap(w, r)
	case p == "/feed/":
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(s.feed())
	case p == "/":
		s.html(w, s.home())
	case p == "/ar/":
		s.arabic(w, s.listing("ar", "", 1))
	case strings.HasPrefix(p, "/category/") || strings.HasPrefix(p, "/ar/category/"):
		s.serveSection(w, r)
	case strings.HasPrefix(p, "/calendar/"):
		s.html(w, calendar(p))
	case p == "/report.pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"))
	case p == RedirectFrom:
		http.Redirect(w, r, s.Articles[0].Path, http.StatusMovedPermanently)
	case p == PrivatePath:
		s.html(w, "<html><body><h1>Private</h1><p>This must never be fetched.</p></body></html>")
	case strings.HasSuffix(p, "/amp/"):
		a := s.byPath[strings.TrimSuffix(p, "amp/")]
		if a == nil {
			http.NotFound(w, r)
			return
		}
		s.html(w, s.ampPage(a))
	default:
		s.serveArticle(w, r)
	}
}

// serveSitemap answers the sitemap index and the sitemaps it lists.
func (s *Site) serveSitemap(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/sitemap_index.xml":
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
		fmt.Fprintf(w, `<sitemap><loc>%s/sitemap-en.xml</loc></sitemap>`, s.URL)
		for part := 2; (part-1)*sitemapSize < s.opts.English+2; part++ {
			fmt.Fprintf(w, `<sitemap><loc>%s/sitemap-en-%d.xml</loc></sitemap>`, s.URL, part)
		}
		fmt.Fprintf(w, `<sitemap><loc>%s/sitemap-ar.xml.gz</loc></sitemap></sitemapindex>`, s.URL)
	case p == "/sitemap-en.xml":
		w.Header().Set("Content-Type", "application/xml")
		w.Write(s.sitemap("en", 1))
	case strings.HasPrefix(p, "/sitemap-en-") && strings.HasSuffix(p, ".xml"):
		part, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(p, "/sitemap-en-"), ".xml"))
		if err != nil || part < 2 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.Write(s.sitemap("en", part))
	case p == "/sitemap-ar.xml.gz":
		w.Header().Set("Content-Type", "application/gzip")
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(s.sitemap("ar", 0))
		zw.Close()
		w.Write(b.Bytes())
	default:
		http.NotFound(w, r)
	}
}

// serveArticle answers an article's page: ETag on English pages,
// Last-Modified on Arabic ones, the flaky and slow pages as they are.
func (s *Site) serveArticle(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	a := s.byPath[p]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	if p == FlakyPath {
		s.mu.Lock()
		s.flaky++
		first := s.flaky == 1
		s.mu.Unlock()
		if first {
			http.Error(w, "temporarily broken", http.StatusInternalServerError)
			return
		}
	}
	if p == SlowPath {
		time.Sleep(s.opts.SlowDelay)
	}
	if a.Lang == "ar" {
		lm := a.modified().UTC().Format(http.TimeFormat)
		w.Header().Set("Last-Modified", lm)
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !a.modified().Truncate(time.Second).After(ims) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.arabic(w, s.page(a))
		return
	}
	page := s.page(a)
	if s.opts.Shells {
		page = shellOf(page)
	}
	sum := sha256.Sum256([]byte(page))
	etag := fmt.Sprintf(`"%x"`, sum[:8])
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.html(w, page)
}

func (s *Site) html(w http.ResponseWriter, page string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write([]byte(page))
}

// arabic sends a page as windows-1256 with the charset in the header only.
// Characters the code page lacks (Arabic-Indic digits among them) become
// character references, as real windows-1256 pages write them.
func (s *Site) arabic(w http.ResponseWriter, page string) {
	b, err := encoding.HTMLEscapeUnsupported(charmap.Windows1256.NewEncoder()).Bytes([]byte(page))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=windows-1256")
	w.Header().Set("Content-Language", "ar")
	w.Write(b)
}

// sitemapSize is the number of URLs in one part of the English sitemap, as
// large sites split theirs (the protocol allows 50,000).
const sitemapSize = 10000

// sitemap lists the articles of a language: part n (from 1) of the
// English ones, or all (part 0).
func (s *Site) sitemap(lang string, part int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">`)
	n := 0
	for i, a := range s.Articles {
		if a.Lang != lang {
			continue
		}
		n++
		if part > 0 && (n-1)/sitemapSize+1 != part {
			continue
		}
		loc := s.URL + a.Path
		if i%5 == 0 {
			loc += "?utm_source=sitemap&utm_medium=xml" // a tracking duplicate
		}
		fmt.Fprintf(&b, `<url><loc>%s</loc><lastmod>%s</lastmod><news:news><news:title>%s</news:title></news:news></url>`,
			html.EscapeString(loc), a.modified().Format(time.RFC3339), html.EscapeString(a.Title))
	}
	b.WriteString(`</urlset>`)
	return []byte(b.String())
}

func (s *Site) feed() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Arab Press</title><link>%s/</link><description>Latest</description>`, s.URL)
	n := 0
	for i := len(s.Articles) - 1; i >= 0 && n < 20; i-- {
		a := s.Articles[i]
		if a.Lang != "en" {
			continue
		}
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s%s?utm_source=rss#comments</link><pubDate>%s</pubDate></item>`,
			html.EscapeString(a.Title), s.URL, a.Path, a.Published.Format(time.RFC1123Z))
		n++
	}
	b.WriteString(`</channel></rss>`)
	return []byte(b.String())
}

const headerDate = "Tuesday, Nov 18, 2025"

func (s *Site) chrome(title, body string) string {
	return `<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>` + html.EscapeString(title) + ` - Arab Press</title>
<meta property="og:type" content="website"><meta property="og:site_name" content="Arab Press"></head>
<body><div class="td-header-top-date"><span class="td_data_time">` + s.header() + `</span></div>
<nav class="td-header-menu"><a href="/">Home</a> <a href="/category/middle-east/">Middle East</a> <a href="/category/gulf/">Gulf</a> <a href="/category/business/">Business</a> <a href="/category/sport/">Sport</a> <a href="/ar/">العربية</a> <a href="/calendar/2024/01/">Archive calendar</a> <a href="/private/">Members</a></nav>
` + body + `<footer><a href="/about/">About us</a> <a href="/privacy-policy/">Privacy policy</a></footer></body></html>`
}

func (s *Site) home() string {
	var b strings.Builder
	b.WriteString(`<main><h1>Arab Press</h1>`)
	n := 0
	for i := len(s.Articles) - 1; i >= 0 && n < 10; i-- {
		a := &s.Articles[i]
		if a.Lang != "en" || a.Path == FlakyPath || a.Path == SlowPath {
			continue
		}
		b.WriteString(teaser(a, a.Path+"#comments"))
		n++
	}
	for _, p := range []string{FlakyPath, SlowPath, RedirectFrom, PrivatePath, "/report.pdf", "/missing-page/"} {
		fmt.Fprintf(&b, `<p><a href="%s">More: %s</a></p>`, p, p)
	}
	if len(s.Articles) > 0 {
		a := s.Articles[0]
		fmt.Fprintf(&b, `<p><a href="%s?utm_source=twitter&fbclid=abc">Shared link</a> <a href="%samp/">AMP version</a> <a href="//%s%s">Protocol-relative</a></p>`,
			a.Path, a.Path, strings.TrimPrefix(s.URL, "http://"), a.Path)
	}
	b.WriteString(`</main>`)
	return s.chrome("Arab Press", b.String())
}

func teaser(a *Article, href string) string {
	return fmt.Sprintf(`<article class="teaser"><h3><a href="%s">%s</a></h3><p>A short summary of the story for the front page.</p></article>`,
		html.EscapeString(href), html.EscapeString(a.Title))
}

func (s *Site) serveSection(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	lang := "en"
	if strings.HasPrefix(p, "/ar/") {
		lang = "ar"
		p = strings.TrimPrefix(p, "/ar")
	}
	parts := strings.Split(strings.Trim(p, "/"), "/") // category, sec, [page, N]
	if len(parts) < 2 {
		http.NotFound(w, r)
		return
	}
	page := 1
	if len(parts) == 4 && parts[2] == "page" {
		page, _ = strconv.Atoi(parts[3])
	}
	if _, ok := s.sections[lang+"/"+parts[1]]; !ok || page < 1 {
		http.NotFound(w, r)
		return
	}
	if lang == "ar" {
		s.arabic(w, s.listing("ar", parts[1], page))
		return
	}
	s.html(w, s.listing("en", parts[1], page))
}

// listing renders a section page (or the Arabic home when section is "").
func (s *Site) listing(lang, section string, page int) string {
	var items []*Article
	if section == "" {
		for _, sec := range arSections {
			items = append(items, s.sections["ar/"+sec]...)
		}
		sort.Slice(items, func(i, j int) bool { return items[i].Path < items[j].Path })
	} else {
		items = s.sections[lang+"/"+section]
	}
	prefix := ""
	if lang == "ar" {
		prefix = "/ar"
	}
	var b strings.Builder
	b.WriteString(`<main><h1>` + section + `</h1>`)
	from := (page - 1) * s.opts.PerPage
	for i := from; i < len(items) && i < from+s.opts.PerPage; i++ {
		href := items[i].Path
		if i%3 == 1 {
			href += "?utm_campaign=section"
		}
		b.WriteString(teaser(items[i], href))
	}
	if section != "" {
		if from+s.opts.PerPage < len(items) {
			fmt.Fprintf(&b, `<a class="next" href="%s/category/%s/page/%d/">Next page</a>`, prefix, section, page+1)
		}
		for _, sec := range arSections {
			fmt.Fprintf(&b, ` <a href="/ar/category/%s/">%s</a>`, sec, sec)
		}
	} else {
		for _, sec := range arSections {
			fmt.Fprintf(&b, ` <a href="/ar/category/%s/">%s</a>`, sec, sec)
		}
	}
	b.WriteString(`</main>`)
	if lang == "ar" {
		return `<!DOCTYPE html><html lang="ar" dir="rtl"><head><title>عرب برس</title></head><body><div class="top-bar"><span class="today">` + s.arabicHeader() + `</span></div>` + b.String() + `</body></html>`
	}
	return s.chrome(section, b.String())
}

// calendar is a trap: every month links to the next, forever.
func calendar(p string) string {
	var y, m int
	fmt.Sscanf(p, "/calendar/%d/%d/", &y, &m)
	if m < 1 || m > 12 {
		y, m = 2024, 1
	}
	next := time.Date(y, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC)
	return fmt.Sprintf(`<html><head><title>Archive %d-%02d</title></head><body><h1>Archive</h1><a href="/calendar/%d/%02d/">Next month</a></body></html>`, y, m, next.Year(), int(next.Month()))
}

var fillerEN = strings.Fields(`officials said the talks covered trade security energy and the situation in the region while
analysts expected further meetings in the coming weeks as governments weighed new measures and the markets
reacted calmly to the announcement which followed months of negotiation between the delegations`)

func paragraphs(seed int, words []string, n int, marker string, at int) []string {
	rng := rand.New(rand.NewSource(int64(seed)))
	var out []string
	for p := 0; p < n; p++ {
		var w []string
		for i := 0; i < 30+rng.Intn(20); i++ {
			w = append(w, words[rng.Intn(len(words))])
		}
		if p == at {
			w = append(w[:10], append([]string{marker}, w[10:]...)...)
		}
		out = append(out, strings.Join(w, " ")+".")
	}
	return out
}

// Body returns an article's paragraphs, as its page shows them.
func (a *Article) Body() []string {
	var ps []string
	if a.Lang == "ar" {
		ps = paragraphs(len(a.Path)*7919+int(a.Published.Unix()%9973), fillerAR, 5, a.Word, 2)
	} else {
		ps = paragraphs(len(a.Path)*7919+int(a.Published.Unix()%9973), fillerEN, 6, a.Word, 3)
	}
	if a.Addendum != "" {
		ps = append(ps, a.Addendum)
	}
	for i := range ps {
		if a.Replace[0] != "" {
			ps[i] = strings.Replace(ps[i], a.Replace[0], a.Replace[1], 1)
		}
		if a.Exclaim && i == 0 {
			ps[i] = strings.TrimSuffix(ps[i], ".") + "!"
		}
		if a.Respace {
			ps[i] = strings.ReplaceAll(ps[i], " ", "   ") + " \n "
		}
	}
	return ps
}

func (s *Site) englishArticle(a *Article) string {
	canonical := s.URL + a.Path
	var body strings.Builder
	for i, p := range a.Body() {
		if i == 3 {
			body.WriteString(`<h3 class="wp-block-heading">Background</h3>`)
		}
		body.WriteString("<p>" + html.EscapeString(strings.ToUpper(p[:1])+p[1:]) + "</p>\n")
	}
	related := ""
	for i := 0; i < 5 && i < len(s.Articles); i++ {
		r := s.Articles[(int(a.Published.Unix())/3600+i*17)%len(s.Articles)]
		related += fmt.Sprintf(`<li><h4 class="entry-title"><a href="%s">%s</a></h4></li>`, r.Path, html.EscapeString(r.Title))
	}
	return `<!DOCTYPE html><html lang="en-US"><head><meta charset="UTF-8"><title>` + html.EscapeString(a.Title) + ` - Arab Press</title>
<link rel="canonical" href="` + canonical + `"><link rel="amphtml" href="` + canonical + `amp/">
<meta property="og:type" content="article"><meta property="og:site_name" content="Arab Press">
<meta property="og:title" content="` + html.EscapeString(a.Title) + `"><meta property="article:section" content="` + a.Section + `">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"` + a.Title + `","datePublished":"` + a.Published.Format(time.RFC3339) + `","author":{"@type":"Person","name":"` + a.byline() + `"}}</script>
</head><body class="single single-post">
<div class="td-header-top-date"><span class="td_data_time">` + headerDate + `</span></div>
<nav class="td-header-menu"><a href="/">Home</a> <a href="/category/` + a.Section + `/">Section</a> <a href="/calendar/2024/01/">Archive calendar</a></nav>
<article class="post type-post"><h1 class="entry-title">` + html.EscapeString(a.Title) + `</h1>
<time class="entry-date" datetime="` + a.Published.Format(time.RFC3339) + `">` + a.Published.Format("January 2, 2006") + `</time>
<div class="td-post-content">` + body.String() + `</div>
<div class="td-post-sharing"><a href="https://www.facebook.com/sharer.php?u=` + canonical + `">Facebook</a></div>
<div class="td-newsletter-box"><h4>Newsletter</h4><form><input type="email"><button>Subscribe</button></form></div>
<div class="td_block_related_posts"><h4 class="td-related-title">Related Articles</h4>
<div class="td-video-player"><div class="td-video-title">Arab Press</div><span>0:00</span><span>0:00</span><button>Close</button></div>
<ul class="td-related-list">` + related + `</ul></div></article>
<footer><a href="/privacy-policy/">Privacy policy</a></footer></body></html>`
}

func (s *Site) ampPage(a *Article) string {
	var body strings.Builder
	for _, p := range a.Body() {
		body.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	return `<!doctype html><html amp lang="en"><head><meta charset="utf-8"><title>` + html.EscapeString(a.Title) + `</title>
<link rel="canonical" href="` + s.URL + a.Path + `"></head><body><h1>` + html.EscapeString(a.Title) + `</h1>` + body.String() + `</body></html>`
}

var fillerAR = strings.Fields(`قال مسؤولون إن المحادثات تناولت التجارة والأمن والطاقة والوضع في المنطقة بينما توقع محللون
مزيدا من الاجتماعات في الأسابيع المقبلة مع دراسة الحكومات لإجراءات جديدة وتفاعل الأسواق بهدوء مع الإعلان الذي جاء
بعد أشهر من التفاوض بين الوفود`)

var arMonths = []string{"يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"}
var arDays = []string{"الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"}

func arabicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '٠' + (r - '0')
		}
		return r
	}, s)
}

// ArabicDate writes a day as the Arabic pages show it: "السبت ١٧ أكتوبر ٢٠٢٠".
func ArabicDate(t time.Time) string {
	return arDays[t.Weekday()] + " " + arabicDigits(strconv.Itoa(t.Day())) + " " + arMonths[t.Month()-1] + " " + arabicDigits(strconv.Itoa(t.Year()))
}

func (s *Site) arabicArticle(a *Article) string {
	var body strings.Builder
	for _, p := range a.Body() {
		body.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
	}
	return `<!DOCTYPE html><html lang="ar" dir="rtl"><head><title>` + html.EscapeString(a.Title) + ` | عرب برس</title>
<link rel="canonical" href="` + s.URL + a.Path + `"></head><body>
<div class="top-bar"><span class="today">الثلاثاء ١٨ نوفمبر ٢٠٢٥</span> <a href="/">English</a></div>
<header><a href="/ar/">عرب برس</a><nav><a href="/ar/category/arab/">عربي</a> <a href="/ar/category/economy/">اقتصاد</a></nav></header>
<div class="post"><h1>` + html.EscapeString(a.Title) + `</h1>
<div class="meta">نُشر في: <span class="date">` + ArabicDate(a.Published) + `</span>` + arabicByline(a) + `</div>
<div class="post-body">` + body.String() + `</div>
<div class="newsletter"><strong>النشرة البريدية</strong> <button>اشترك</button></div>
<div class="related"><h4>مقالات ذات صلة</h4><ul><li><a href="/ar/">الرئيسية</a></li></ul></div></div>
<footer>جميع الحقوق محفوظة</footer></body></html>`
}

// arabicHeader is the Arabic pages' date widget: the header date when one
// was set, else the site's own.
func (s *Site) arabicHeader() string {
	if d := s.headerDate.Load(); d != nil {
		return html.EscapeString(*d)
	}
	return "الثلاثاء ١٨ نوفمبر ٢٠٢٥"
}

func arabicByline(a *Article) string {
	if a.Author == "" {
		return ""
	}
	return ` <span class="author">بقلم ` + html.EscapeString(a.Author) + `</span>`
}

// latinWord and arabicWord spell n as a unique word that no other text has.
func latinWord(n int) string {
	const letters = "bcdfghjklmnpqrstvwxz"
	w := "qz"
	for {
		w += string(letters[n%len(letters)])
		n /= len(letters)
		if n == 0 {
			return w + "ka"
		}
	}
}

func arabicWord(n int) string {
	letters := []rune("بتثجحخدذرزسشصضطظعغفقكلمنهوي")
	w := []rune("ظغ")
	for {
		w = append(w, letters[n%len(letters)])
		n /= len(letters)
		if n == 0 {
			return string(append(w, 'ض'))
		}
	}
}

// shellOf is page as an application shell: its body moved into a script
// that writes it into an empty #app.
func shellOf(page string) string {
	i, j := strings.Index(page, "<body"), strings.LastIndex(page, "</body>")
	if i < 0 || j < i {
		return page
	}
	k := strings.Index(page[i:], ">") + i + 1
	body, _ := json.Marshal(page[k:j])
	script := strings.ReplaceAll(string(body), "</", `<\/`)
	return page[:k] + `<div id="app"></div><script>document.getElementById("app").innerHTML = ` + script + `;</script>` + page[j:]
}
