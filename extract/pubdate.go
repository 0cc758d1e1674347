package extract

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
)

// dateRef is what a page's dates are read against: now, which no
// publication date is after (the fetch time, or the clock for a file), and
// the fetch time, against which relative dates ("vor 5 Stunden", "منذ ٣
// ساعات") are read. A page read from a file has no fetch time: its
// relative dates name a day nobody knows, and are not read.
type dateRef struct {
	now     time.Time
	fetched time.Time // zero when unknown
}

// choosePublished takes the first publication date that is not after ref.now:
// JSON-LD, meta tags, <time datetime>, the visible date after the title,
// the URL; then reconciles it with the page's other evidence of the day
// (reconcile).
func choosePublished(m *meta, ld map[string]any, doc *html.Node, order map[*html.Node]int, base *url.URL, ref dateRef) (*record.Timestamp, record.DateSource) {
	try := func(s string, parse func(string) (record.Timestamp, bool)) *record.Timestamp {
		if t, ok := parse(s); ok && !t.After(ref.now) {
			return &t
		}
		return nil
	}
	var fromURL *record.Timestamp
	if base != nil {
		fromURL = try(base.Path, dateFromURL)
	}
	t, src := pagePublished(m, ld, doc, order, ref, try)
	if t == nil {
		if fromURL != nil {
			return fromURL, record.DateFromURL
		}
		return nil, ""
	}
	return reconcile(m, ld, doc, order, ref, *t, src, fromURL)
}

// reconcile checks a date from the page's metadata against the day its URL
// and its visible dateline give, as a reader of the site saw it:
//   - a stamp in UTC takes the page's own offset when another stamp of the
//     page gives the same instant with it;
//   - the URL's day (fixed when the article was first published) wins over
//     a page date more than a day later (a republication, an update) and
//     over a UTC stamp one day off (a local evening or early morning turned
//     into UTC);
//   - the URL's day wins over an earlier <time> more than a day before it
//     (the least trusted of the structured sources: a sidebar's or an old
//     comment's element);
//   - a visible dateline by the title wins over a later metadata date (a
//     CMS's build or update stamp) and over a UTC stamp one day off.
func reconcile(m *meta, ld map[string]any, doc *html.Node, order map[*html.Node]int, ref dateRef,
	t record.Timestamp, src record.DateSource, fromURL *record.Timestamp) (*record.Timestamp, record.DateSource) {
	if src != record.DateFromJSONLD && src != record.DateFromMeta && src != record.DateFromTime {
		return &t, src
	}
	if isUTC(t) {
		if z, ok := zonedTwin(m, ld, t); ok {
			t.Time = z
		}
	}
	day := t.Time.Format(record.DayLayout)
	if fromURL != nil {
		urlDay := fromURL.Time.Format(record.DayLayout)
		if day > dayAfter(fromURL.Time) || isUTC(t) && oneDayApart(day, urlDay) {
			return fromURL, record.DateFromURL
		}
		if day == urlDay {
			return &t, src
		}
		if src == record.DateFromTime && day < urlDay && !oneDayApart(day, urlDay) {
			return fromURL, record.DateFromURL // a <time> days before the article's own address was made: another item's
		}
	}
	if src == record.DateFromTime {
		return &t, src
	}
	if v := datelineByTitle(m, doc, order, ref); v != nil {
		vday := v.Time.Format(record.DayLayout)
		if vday < day || isUTC(t) && oneDayApart(day, vday) {
			return v, record.DateFromVisible
		}
	}
	return &t, src
}

// isUTC reports a time stamp (not a day) written in UTC.
func isUTC(t record.Timestamp) bool {
	_, offset := t.Time.Zone()
	return !t.DayOnly && offset == 0
}

func dayAfter(t time.Time) string { return t.AddDate(0, 0, 1).Format(record.DayLayout) }

func oneDayApart(a, b string) bool {
	x, err1 := time.Parse(record.DayLayout, a)
	y, err2 := time.Parse(record.DayLayout, b)
	return err1 == nil && err2 == nil && (x.Sub(y) == 24*time.Hour || y.Sub(x) == 24*time.Hour)
}

// zonedTwin finds the same instant as t written with a UTC offset elsewhere
// in the page: a <time datetime>, a meta tag, another JSON-LD date.
func zonedTwin(m *meta, ld map[string]any, t record.Timestamp) (time.Time, bool) {
	var cands []string
	for _, el := range m.timeElements {
		cands = append(cands, attr(el, "datetime"))
	}
	for _, k := range publishedMetaKeys {
		cands = append(cands, m.all(k)...)
	}
	for _, obj := range []map[string]any{ld, m.ldWebPage()} {
		for _, k := range []string{"datePublished", "dateCreated"} {
			cands = append(cands, ldString(obj[k]))
		}
	}
	for _, c := range cands {
		z, ok := parseStructured(c)
		if !ok || z.DayOnly {
			continue
		}
		if _, offset := z.Time.Zone(); offset != 0 && z.Time.Sub(t.Time).Abs() < 2*time.Minute {
			return z.Time, true
		}
	}
	return time.Time{}, false
}

// publishedMetaKeys are the meta tags that give a publication date, most
// trusted first.
var publishedMetaKeys = []string{"article:published_time", "og:published_time", "datepublished",
	"published_time", "pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date", "dc.date.issued",
	"dcterms.created", "dcterms.date", "dcterms.issued", "sailthru.date", "parsely-pub-date", "citation_publication_date",
	"citation_date", "article.published", "og:pubdate", "release_date", "datecreated"}

// dateObjectTypes are JSON-LD types whose datePublished dates the page when
// it has no article or web page object: a recipe page.
var dateObjectTypes = map[string]bool{"recipe": true}

// pagePublished is the publication date the page itself gives, in the order
// of trust: JSON-LD, meta tags, <time datetime>, the visible date after
// the title, above it, a labelled date further down the article.
func pagePublished(m *meta, ld map[string]any, doc *html.Node, order map[*html.Node]int, ref dateRef,
	try func(string, func(string) (record.Timestamp, bool)) *record.Timestamp) (*record.Timestamp, record.DateSource) {
	for _, obj := range []map[string]any{ld, m.ldWebPage(), m.ldFirst(dateObjectTypes)} {
		for _, k := range []string{"datePublished", "dateCreated", "uploadDate"} {
			if t := try(ldString(obj[k]), parseStructured); t != nil {
				return t, record.DateFromJSONLD
			}
		}
	}
	for _, k := range publishedMetaKeys {
		for _, v := range m.all(k) {
			if t := try(v, parseStructured); t != nil {
				return t, record.DateFromMeta
			}
		}
	}
	if t := timeElementDate(m, order, ref); t != nil {
		return t, record.DateFromTime
	}
	if encyclopedia(m) {
		return nil, "" // its visible dates are its subject's: a birth, a founding, an event
	}
	if t := visiblePublished(m, doc, order, ref); t != nil {
		return t, record.DateFromVisible
	}
	return nil, ""
}

// encyclopediaWords name a wiki or an encyclopedia in a page's title or
// site name.
var encyclopediaWords = phraseSet("wiki", "百科", "encyclop", "enzyklop", "lexikon", "enciclop", "موسوعة", "энциклопед")

// encyclopedia reports an encyclopedia's or a wiki's page, by its site
// name: og:site_name, or the last part of <title> ("蔡健雅_百度百科",
// "Tanya Chua – Wikipedia"); a headline that names a wiki
// ("WikiLeaks founder ...") is not one.
func encyclopedia(m *meta) bool {
	t := m.titleTag
	if i := strings.LastIndexAny(t, "|–—-_·:"); i >= 0 {
		t = t[i:]
	}
	site := strings.ToLower(m.first("og:site_name") + " " + t)
	return containsAny(site, encyclopediaWords)
}

// visiblePublished is the date written for readers: by the title
// (datelineByTitle), else labelled as the publication date further down.
func visiblePublished(m *meta, doc *html.Node, order map[*html.Node]int, ref dateRef) *record.Timestamp {
	if t := datelineByTitle(m, doc, order, ref); t != nil {
		return t
	}
	return labelledDate(doc, ref)
}

// datelineByTitle is the date written after the title or above it; by the
// headline <h1>, then by the <h1> that matches the page's title.
func datelineByTitle(m *meta, doc *html.Node, order map[*html.Node]int, ref dateRef) *record.Timestamp {
	heads := []*html.Node{m.h1}
	if m.titleH1 != nil {
		heads = append(heads, m.titleH1)
	}
	for _, h1 := range heads {
		if t := visibleDate(h1, doc, order, ref); t != nil {
			return t
		}
		if t := dateAboveTitle(h1, ref); t != nil {
			return t
		}
	}
	return nil
}

// publishedLabel names the publication date on a line wherever it stands
// (often in a footer after the text): "Veröffentlicht am 28.01.2022",
// "Erschienen am: 01.11.2023", "Pressemitteilung vom 25. Januar 2022",
// "Data: 28-04-2021", "نشر في ..."; the date follows it.
var publishedLabel = regexp.MustCompile(`(?i)(?:^|[\s|·•(])(?:veröffentlicht|erschienen|published|posted on|publié|publicado|publicada|pubblicato|opublikowano|gepubliceerd|geplaatst|yayınlanma|yayımlanma|опубликовано|نشر|نُشر|تاريخ النشر|pressemitteilung vom|pressemeldung vom|meldung vom|(?:datum|data|date|fecha|erscheinungsdatum)\s*:)`)

// labelWords are fragments, lower-cased, of which every label of
// publishedLabel holds one: a line without any is not matched against it.
var labelWords = phraseSet("ffentlicht", "erschienen", "publi", "posted on", "pubblicato", "gepubliceerd",
	"geplaatst", "yayınlanma", "yayımlanma", "публиковано", "ПУБЛИКОВАНО", "نشر", "نُشر", "meldung vom", "mitteilung vom", "dat", "fecha")

// labelledDate is the first line, outside the page chrome, comments and
// sidebars, where a publication label is followed by a date (read in the
// 60 characters after the label).
func labelledDate(doc *html.Node, ref dateRef) *record.Timestamp {
	var found *record.Timestamp
	walkElements(doc, func(n *html.Node) bool {
		if found != nil || notByline(n) {
			return false
		}
		if !ownTextHolds(n, labelWords) || inPageChrome(n) {
			return true // no label: the regexp is not run (most lines)
		}
		t := ownTextOf(n) // the label is the element's own text; "Erschienen am: <b>01.11.2023</b>" has the date in a child
		loc := publishedLabel.FindStringIndex(t)
		if loc == nil {
			return true
		}
		rest := t[loc[1]:]
		// the date in a child ("Erschienen am: <b>01.11.2023</b>") or
		// beside the label's own element ("<b>Veröffentlicht:</b> 28.01.2022")
		label := strings.TrimSpace(t[loc[0]:loc[1]])
		for _, box := range []*html.Node{n, n.Parent} {
			if strings.ContainsFunc(rest, unicode.IsDigit) || box == nil {
				break
			}
			if full, short := shortTextOf(box, 400); short {
				if i := strings.Index(full, label); i >= 0 {
					rest = full[i+len(label):]
				}
			}
		}
		if len(rest) > 80 {
			rest = rest[:80]
		}
		if d, ok := parseVisibleDate(rest, ref.fetched); ok && !d.After(ref.now) {
			found = &d
			return false
		}
		return true
	})
	return found
}

// ownTextDate is a date in one of n's own short text lines (14 words at
// most), or nil.
func ownTextDate(n *html.Node, ref dateRef) *record.Timestamp {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.TextNode || wordCount(c.Data) > 14 {
			continue
		}
		if d, ok := parseVisibleDate(c.Data, ref.fetched); ok && !d.After(ref.now) {
			return &d
		}
	}
	return nil
}

// ownTextOf is the text of n's own text nodes, collapsed.
func ownTextOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
	}
	return collapse(b.String())
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
			if !inArticle(p) && !inMain(p) { // an <article>'s or <main>'s own header holds its date
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
func timeElementDate(m *meta, order map[*html.Node]int, ref dateRef) *record.Timestamp {
	for _, el := range m.timeElements {
		if inPageChrome(el) || (m.h1 != nil && order[el] < order[m.h1] && !sameArticle(el, m.h1)) {
			continue
		}
		v := attr(el, "datetime")
		if el.DataAtom == atom.Abbr {
			v = attr(el, "title")
		}
		if t, ok := parseStructured(v); ok && !t.After(ref.now) {
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
func dateAboveTitle(h1 *html.Node, ref dateRef) *record.Timestamp {
	if h1 == nil {
		return nil
	}
	block := h1
	for i := 0; i < 3 && block.Parent != nil && block.Parent.DataAtom != atom.Body; i++ {
		block = block.Parent
	}
	var before []*html.Node // elements with text of their own, before the h1, in order
	done := false
	walkElements(block, func(n *html.Node) bool {
		if done {
			return false
		}
		if n == h1 {
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
		if inPageChrome(n) && !sameArticle(n, h1) || wordCount(t) > 14 {
			continue
		}
		if d, ok := parseVisibleDate(t, ref.fetched); ok && !d.After(ref.now) {
			return &d
		}
	}
	return nil
}

func inMain(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Main {
			return true
		}
	}
	return false
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
func visibleDate(h1 *html.Node, doc *html.Node, order map[*html.Node]int, ref dateRef) *record.Timestamp {
	var found *record.Timestamp
	start := -1
	if h1 != nil {
		start = order[h1]
	}
	seen, chars := 0, 0
	walkElements(doc, func(n *html.Node) bool {
		if found != nil || seen > 60 || chars > 600 {
			return false
		}
		if order[n] <= start || (start < 0 && inPageChrome(n)) {
			return true
		}
		if otherItems(n) {
			return false // related posts, sidebar widgets: other items' dates
		}
		if start < 0 && !dateClass(n) {
			return true
		}
		seen++
		t := textOf(n)
		if wordCount(t) <= 14 {
			if d, ok := parseVisibleDate(t, ref.fetched); ok && !d.After(ref.now) {
				found = &d
				return false
			}
		} else if d := ownTextDate(n, ref); d != nil {
			// "24. März 2004, 19:49 |" as a bare line in a news item's
			// block, between its heading and its text
			found = d
			return false
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
	for w := range classWords(n) {
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

// otherItems reports a list of other items by its class: related posts,
// a sidebar (not "widget": Blogger wraps its posts in one).
func otherItems(n *html.Node) bool {
	for w := range classWords(n) {
		switch w {
		case "related", "relatedposts", "sidebar":
			return true
		}
	}
	return false
}
