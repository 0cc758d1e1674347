package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
)

// choosePublished takes the first publication date that is not after ref:
// JSON-LD, meta tags, <time datetime>, the visible date after the title,
// the URL.
func choosePublished(m *meta, ld map[string]any, doc *html.Node, order map[*html.Node]int, base *url.URL, ref time.Time) (*record.Timestamp, record.DateSource) {
	try := func(s string, parse func(string) (record.Timestamp, bool)) *record.Timestamp {
		if t, ok := parse(s); ok && !t.After(ref) {
			return &t
		}
		return nil
	}
	var fromURL *record.Timestamp
	if base != nil {
		fromURL = try(base.Path, dateFromURL)
	}
	t, src := pagePublished(m, ld, doc, order, ref, try)
	switch {
	case t == nil && fromURL != nil:
		return fromURL, record.DateFromURL
	case t != nil && fromURL != nil && urlDayWins(*t, *fromURL):
		return fromURL, record.DateFromURL
	}
	return t, src
}

// urlDayWins reports whether the day in the URL, fixed when the article
// was first published, overrides the date the page gives: a later day
// (the page's date is a republication or an update), or a stamp in UTC one
// day off (a local evening or early morning turned into UTC: the URL has
// the day readers of the site saw).
func urlDayWins(page, fromURL record.Timestamp) bool {
	pageDay, urlDay := page.Time.Format(record.DayLayout), fromURL.Time.Format(record.DayLayout)
	if pageDay > urlDay {
		return true
	}
	if _, offset := page.Time.Zone(); page.DayOnly || offset != 0 || pageDay == urlDay {
		return false
	}
	return fromURL.Time.Sub(page.Time.Truncate(24*time.Hour)).Abs() <= 24*time.Hour
}

// pagePublished is the publication date the page itself gives, in the order
// of trust: JSON-LD, meta tags, <time datetime>, the visible date after
// the title, above it, a labelled date further down the article.
func pagePublished(m *meta, ld map[string]any, doc *html.Node, order map[*html.Node]int, ref time.Time,
	try func(string, func(string) (record.Timestamp, bool)) *record.Timestamp) (*record.Timestamp, record.DateSource) {
	for _, obj := range []map[string]any{ld, m.ldWebPage()} {
		for _, k := range []string{"datePublished", "dateCreated", "uploadDate"} {
			if t := try(ldString(obj[k]), parseStructured); t != nil {
				return t, record.DateFromJSONLD
			}
		}
	}
	for _, k := range []string{"article:published_time", "og:published_time", "datepublished", "published_time",
		"pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date", "dc.date.issued", "dcterms.created",
		"dcterms.date", "dcterms.issued", "sailthru.date", "parsely-pub-date", "citation_publication_date",
		"citation_date", "article.published", "og:pubdate", "release_date", "datecreated"} {
		for _, v := range m.all(k) {
			if t := try(v, parseStructured); t != nil {
				return t, record.DateFromMeta
			}
		}
	}
	if t := timeElementDate(m, order, ref); t != nil {
		return t, record.DateFromTime
	}
	if t := visibleDate(m, doc, order, ref); t != nil {
		return t, record.DateFromVisible
	}
	if t := dateAboveTitle(m, doc, ref); t != nil {
		return t, record.DateFromVisible
	}
	if t := labelledDate(doc, ref); t != nil {
		return t, record.DateFromVisible
	}
	return nil, ""
}

// publishedLabel begins a line that dates the article wherever it stands
// (often in a footer after the text): "Veröffentlicht am 28.01.2022",
// "Published 5 March 2024", "نشر في ...".
var publishedLabel = regexp.MustCompile(`(?i)^(?:veröffentlicht|erschienen|erstellt|published|posted|publié|publicado|publicada|pubblicato|opublikowano|gepubliceerd|geplaatst|yayınlanma|yayımlanma|опубликовано|نشر|نُشر|تاريخ النشر)\b`)

// labelledDate is the first short line, outside the page chrome, comments
// and sidebars, that begins with a publication label and holds a date.
func labelledDate(doc *html.Node, ref time.Time) *record.Timestamp {
	var found *record.Timestamp
	walkElements(doc, func(n *html.Node) bool {
		if found != nil || notByline(n) {
			return false
		}
		if !ownText(n) || inPageChrome(n) {
			return true
		}
		t, short := shortTextOf(n, 160)
		if !short || !publishedLabel.MatchString(t) {
			return true
		}
		if d, ok := parseVisibleDate(t, ref); ok && !d.After(ref) {
			found = &d
			return false
		}
		return true
	})
	return found
}

func chooseModified(m *meta, ld map[string]any, ref time.Time) *record.Timestamp {
	cands := []string{ldString(ld["dateModified"]), ldString(m.ldWebPage()["dateModified"])}
	for _, k := range []string{"article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified", "modified_time"} {
		cands = append(cands, m.all(k)...)
	}
	for _, c := range cands {
		if t, ok := parseStructured(c); ok && !t.After(ref) {
			return &t
		}
	}
	return nil
}

// documentOrder numbers the elements in document order.
func documentOrder(doc *html.Node) map[*html.Node]int {
	order := map[*html.Node]int{}
	i := 0
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			order[n] = i
			i++
		}
		return true
	})
	return order
}

// inPageChrome reports whether n sits in the page's header, navigation or
// footer outside any <article>: where date widgets showing today live.
func inPageChrome(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		switch p.DataAtom {
		case atom.Article, atom.Main:
			return false
		case atom.Header:
			if !inArticle(p) { // an <article>'s own header holds its date
				return true
			}
		case atom.Nav, atom.Footer, atom.Aside:
			return true
		}
		if dropRoles[strings.ToLower(attr(p, "role"))] {
			return true
		}
	}
	return false
}

// timeElementDate reads <time datetime> elements that belong to the article:
// not in the page chrome and not before the title.
func timeElementDate(m *meta, order map[*html.Node]int, ref time.Time) *record.Timestamp {
	for _, el := range m.timeElements {
		if inPageChrome(el) || (m.h1 != nil && order[el] < order[m.h1] && !sameArticle(el, m.h1)) {
			continue
		}
		v := attr(el, "datetime")
		if el.DataAtom == atom.Abbr {
			v = attr(el, "title")
		}
		if t, ok := parseStructured(v); ok && !t.After(ref) {
			return &t
		}
	}
	return nil
}

// dateAboveTitle reads a date written just above the headline (a kicker or
// dateline over the <h1>): among the last few short texts before the h1,
// within 300 characters of it, inside the h1's own block (an ancestor at
// most three levels up) and outside the page chrome, where date widgets
// showing today live.
func dateAboveTitle(m *meta, doc *html.Node, ref time.Time) *record.Timestamp {
	if m.h1 == nil {
		return nil
	}
	block := m.h1
	for i := 0; i < 3 && block.Parent != nil && block.Parent.DataAtom != atom.Body; i++ {
		block = block.Parent
	}
	var before []*html.Node // elements with text of their own, before the h1, in order
	done := false
	walkElements(block, func(n *html.Node) bool {
		if done {
			return false
		}
		if n == m.h1 {
			done = true
			return false
		}
		if ownText(n) {
			before = append(before, n)
		}
		return true
	})
	chars := 0
	for i := len(before) - 1; i >= 0 && chars <= 300; i-- {
		n := before[i]
		t := textOf(n)
		chars += len(t)
		if inPageChrome(n) && !sameArticle(n, m.h1) || wordCount(t) > 14 {
			continue
		}
		if d, ok := parseVisibleDate(t, ref); ok && !d.After(ref) {
			return &d
		}
	}
	return nil
}

func inArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

func sameArticle(a, b *html.Node) bool {
	art := func(n *html.Node) *html.Node {
		for p := n.Parent; p != nil; p = p.Parent {
			if p.DataAtom == atom.Article {
				return p
			}
		}
		return nil
	}
	x := art(a)
	return x != nil && x == art(b)
}

// visibleDate looks for a date written for readers right after the title
// (in the next elements, before much text has passed), never in the page
// chrome where "today" widgets sit.
func visibleDate(m *meta, doc *html.Node, order map[*html.Node]int, ref time.Time) *record.Timestamp {
	var found *record.Timestamp
	start := -1
	if m.h1 != nil {
		start = order[m.h1]
	}
	seen, chars := 0, 0
	walkElements(doc, func(n *html.Node) bool {
		if found != nil || seen > 60 || chars > 600 {
			return false
		}
		if order[n] <= start || (start < 0 && inPageChrome(n)) {
			return true
		}
		if start < 0 && !dateClass(n) {
			return true
		}
		seen++
		t := textOf(n)
		if wordCount(t) <= 14 {
			if d, ok := parseVisibleDate(t, ref); ok && !d.After(ref) {
				found = &d
				return false
			}
		}
		if ownText(n) {
			chars += len(t)
		}
		return true
	})
	return found
}

var dateClassWords = setOf("date", "time", "published", "posted", "pubdate", "dateline", "byline", "meta", "metadata", "timestamp", "datum", "fecha", "data", "submitted")

func dateClass(n *html.Node) bool {
	for _, w := range append(tokens(attr(n, "class")), tokens(attr(n, "id"))...) {
		if w == "today" || w == "current" || w == "clock" {
			return false
		}
		if dateClassWords[w] {
			return true
		}
	}
	return false
}

// ownText reports whether n has text of its own (not only in children).
func ownText(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && strings.TrimSpace(c.Data) != "" {
			return true
		}
	}
	return false
}
