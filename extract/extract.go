package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// Version is the version of the extraction rules. It changes whenever a
// record's content can change for the same page, and is stored in every
// record (with go-readability's version) for provenance.
const Version = "0.1.0"

// DefaultMaxBytes is the largest page Extract reads unless told otherwise.
const DefaultMaxBytes = 10 << 20

// Input is one page as fetched or read from a file.
type Input struct {
	Body []byte
	// URL is the page's address: the base for relative links and the
	// record's url. It may be empty for a file.
	URL string
	// ContentType and ContentLanguage are the HTTP headers, empty for a file.
	ContentType     string
	ContentLanguage string
	// FetchedAt is when the page was fetched; zero for a file.
	FetchedAt time.Time
}

// Extractor turns pages into records. The zero value is ready to use.
type Extractor struct {
	// MaxBytes bounds the page size; 0 means DefaultMaxBytes.
	MaxBytes int
	// Now gives the current time, for pages without a fetch time: a
	// publication date after it is wrong. Nil means time.Now.
	Now func() time.Time
}

// Extract runs the zero Extractor.
func Extract(in Input) (*record.Record, error) { return Extractor{}.Extract(in) }

// Extract returns the page's record. An error means the input is not an HTML
// page that can be read (empty, binary, too large, undecodable); a page that
// is not an article still gives a record, with IsArticle false.
func (x Extractor) Extract(in Input) (*record.Record, error) {
	limit := x.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if len(in.Body) > limit {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(in.Body), limit)
	}
	src, _, err := decode(in.Body, in.ContentType)
	if err != nil {
		return nil, err
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	ref := in.FetchedAt
	if ref.IsZero() {
		if x.Now != nil {
			ref = x.Now()
		} else {
			ref = time.Now()
		}
	}

	m := readMeta(doc)
	var base *url.URL
	if in.URL != "" {
		if base, err = urlcanon.Parse(in.URL, nil); err != nil {
			return nil, fmt.Errorf("page URL: %w", err)
		}
	}
	rec := &record.Record{Authors: []string{}, Tags: []string{}}
	rec.URL, rec.CanonicalURL = pageURLs(in.URL, base, m)
	if base == nil && rec.CanonicalURL != "" {
		base, _ = url.Parse(rec.CanonicalURL) // resolve relative links against what the page says it is
	}

	ld := m.ldArticle()
	rec.SiteName = firstNonEmpty(m.first("og:site_name"), m.ldSiteName(ld), m.first("application-name"))
	rec.Title = chooseTitle(m, ld, rec.SiteName)
	if rec.SiteName == "" {
		rec.SiteName = siteFromTitle(m.titleTag, rec.Title)
	}
	rec.Description = firstNonEmpty(m.first("description", "og:description"), ldString(ld["description"]), m.first("twitter:description"))
	rec.Section = firstNonEmpty(m.first("article:section"), ldString(ld["articleSection"]), m.first("parsely-section", "section"))
	rec.Tags = chooseTags(m, ld)
	rec.Authors = chooseAuthors(m, ld, rec.SiteName)
	if len(rec.Authors) == 0 {
		rec.Authors = visibleAuthors(doc, rec.SiteName)
	}
	rec.Image = absolute(firstNonEmpty(m.first("og:image", "og:image:url", "og:image:secure_url"), ldString(ld["image"]), m.first("twitter:image", "twitter:image:src")), base)
	order := documentOrder(doc) // for the date, the byline and the standfirst next to the title
	if len(rec.Authors) == 0 {
		if names := textByline(m, doc, order, rec.SiteName); len(names) > 0 {
			rec.Authors = names
		}
	}
	rec.PublishedAt, rec.DateSource = choosePublished(m, ld, doc, order, base, ref)
	rec.ModifiedAt = chooseModified(m, ld, ref)

	lead := standfirst(m, doc, order)
	unwrapNoscript(doc)
	clean(doc)
	bs := refine(bodyBlocks(doc, base), rec.Title)
	if n := blocksWords(bs); n < fallbackWords {
		// The rules may have taken the body for boilerplate (a builder's
		// widget class, an odd wrapper): try again with structure only.
		if fresh, err := html.Parse(strings.NewReader(src)); err == nil {
			unwrapNoscript(fresh)
			cleanStructure(fresh)
			if alt := refine(bodyBlocks(fresh, base), rec.Title); blocksWords(alt) > n*3/2+10 {
				bs = alt
			}
		}
	}
	if lead != "" && len(bs) > 0 && !strings.Contains(strings.Join(texts(bs), " "), lead) {
		bs = append([]block{{text: lead, html: html.EscapeString(lead), tag: atom.P}}, bs...)
	}
	rec.Text = strings.Join(texts(bs), "\n\n")
	rec.HTML = renderHTML(bs)
	rec.WordCount = wordCount(rec.Text)
	sum := sha256.Sum256([]byte(rec.Text))
	rec.ContentHash = hex.EncodeToString(sum[:])
	rec.ID = rec.ContentHash
	if rec.CanonicalURL != "" {
		idSum := sha256.Sum256([]byte(rec.CanonicalURL))
		rec.ID = hex.EncodeToString(idSum[:])
	}

	langText := rec.Text
	if rec.WordCount < 20 {
		langText = rec.Title + " " + rec.Description + " " + rec.Text
	}
	rec.Language = detectLanguage(langText, m.htmlLang, in.ContentLanguage, m.first("http-equiv:content-language"),
		ldString(ld["inLanguage"]), m.first("og:locale", "language", "dc.language"))

	ldDense, prose := shortLineShare(bs)
	var pageURL *url.URL
	if rec.URL != "" {
		pageURL, _ = url.Parse(rec.URL)
	}
	rec.IsArticle = classify(pageEvidence{
		u: pageURL, m: m, title: rec.Title + " " + m.titleTag, words: rec.WordCount,
		ldArticle: ld != nil, ogType: m.first("og:type"), linkDenser: ldDense, prose: prose,
	})
	rec.Extractor = extractorName()
	if !in.FetchedAt.IsZero() {
		t := in.FetchedAt.UTC()
		rec.FetchedAt = &t
	}
	return rec, nil
}

// pageURLs gives the record's url and canonical_url: rel=canonical, else
// og:url, else the page's own address; absolute, without tracking
// parameters or fragment. A canonical naming the site's home page for an
// article is a template error and is ignored.
func pageURLs(given string, base *url.URL, m *meta) (string, string) {
	pageURL := ""
	if base != nil {
		pageURL = given
	}
	for _, cand := range []string{m.canonical, m.first("og:url"), given} {
		if cand == "" {
			continue
		}
		if c, err := urlcanon.Parse(cand, base); err == nil {
			if c.Path == "/" && c.RawQuery == "" && base != nil && base.Path != "/" && cand != given {
				continue // a template pointing every page at the home page
			}
			if pageURL == "" {
				pageURL = c.String()
			}
			return pageURL, c.String()
		}
	}
	return pageURL, ""
}

func absolute(ref string, base *url.URL) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if !u.IsAbs() {
		return ""
	}
	return u.String()
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = collapse(v); v != "" {
			return v
		}
	}
	return ""
}

var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " • ", " / "}

// chooseTitle prefers the structured headline, then the <h1>, then
// og:title and <title>, and strips a trailing or leading site name.
func chooseTitle(m *meta, ld map[string]any, site string) string {
	h1 := ""
	if m.h1 != nil {
		h1 = textOf(m.h1)
	}
	t := firstNonEmpty(ldString(ld["headline"]), m.first("og:title"), h1, m.first("twitter:title"), m.titleTag)
	return stripSite(t, site)
}

func stripSite(t, site string) string {
	if site == "" {
		return t
	}
	for _, sep := range titleSeparators {
		if s, ok := strings.CutSuffix(t, sep+site); ok {
			return strings.TrimSpace(s)
		}
		if s, ok := strings.CutPrefix(t, site+sep); ok {
			return strings.TrimSpace(s)
		}
	}
	return t
}

// siteFromTitle takes the site name from "<title>Headline | Site</title>"
// when the headline is known and the rest is short.
func siteFromTitle(titleTag, title string) string {
	if title == "" || titleTag == title {
		return ""
	}
	for _, sep := range titleSeparators {
		if rest, ok := strings.CutPrefix(titleTag, title+sep); ok && wordCount(rest) <= 5 {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

func chooseTags(m *meta, ld map[string]any) []string {
	raw := m.all("article:tag")
	if len(raw) == 0 {
		switch k := ld["keywords"].(type) {
		case string:
			raw = strings.Split(k, ",")
		case []any:
			for _, e := range k {
				if s, ok := e.(string); ok {
					raw = append(raw, s)
				}
			}
		}
	}
	if len(raw) == 0 {
		raw = strings.Split(m.first("news_keywords"), ",")
	}
	return dedupe(raw, nil)
}

func chooseAuthors(m *meta, ld map[string]any, site string) []string {
	skip := func(s string) bool {
		return strings.EqualFold(s, site) || strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") ||
			notNames[strings.ToLower(strings.TrimSpace(s))] || !strings.Contains(strings.TrimSpace(s), " ") && strings.Contains(s, ".")
	}
	if names := dedupe(ldNames(ld["author"]), skip); len(names) > 0 {
		return names
	}
	for _, k := range []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"} {
		if names := dedupe(m.all(k), skip); len(names) > 0 {
			for i, n := range names {
				names[i] = bylinePrefix.ReplaceAllString(n, "")
			}
			return dedupe(names, skip)
		}
	}
	return []string{}
}

// dedupe trims, drops empties and skipped values, and keeps first spellings.
func dedupe(vals []string, skip func(string) bool) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, v := range vals {
		v = collapse(v)
		k := strings.ToLower(v)
		if v == "" || seen[k] || (skip != nil && skip(v)) {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

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
	if base != nil {
		if t := try(base.Path, dateFromURL); t != nil {
			return t, record.DateFromURL
		}
	}
	return nil, ""
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

var dateClassWords = setOf("date", "time", "published", "posted", "pubdate", "dateline", "byline", "meta", "timestamp", "datum", "fecha", "data")

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

// leadWords name a standfirst: the summary paragraph between headline and
// body that readability often leaves out with the header around it.
var leadWords = setOf("lead", "leader", "lede", "intro", "introduction", "subtitle", "subheadline", "subline",
	"standfirst", "excerpt", "summary", "deck", "dek", "abstract", "chapo", "chapeau", "sapo", "vorspann", "teaser")

// hasBlockChild reports whether n holds paragraphs or containers, not only
// text: such a node is not one block (and its text is not worth building).
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.P, atom.Div, atom.Section, atom.Article, atom.Ul, atom.Ol, atom.Table, atom.Header, atom.Aside:
			return true
		}
	}
	return false
}

// standfirst returns the text of the standfirst within the elements that
// follow the <h1>, or "".
func standfirst(m *meta, doc *html.Node, order map[*html.Node]int) string {
	if m.h1 == nil {
		return ""
	}
	start, lead := order[m.h1], ""
	// A block after the title that repeats the page's description is its
	// standfirst too, whatever its class.
	desc := strings.ToLower(collapse(firstNonEmpty(m.first("description"), m.first("og:description"))))
	if wordCount(desc) < 8 {
		desc = ""
	}
	walk(doc, func(n *html.Node) bool {
		if lead != "" || n.Type != html.ElementNode {
			return lead == ""
		}
		if i := order[n]; i <= start || i > start+40 {
			return i <= start+40
		}
		if desc != "" && (n.DataAtom == atom.P || n.DataAtom == atom.Div || n.DataAtom == atom.H2) && !hasBlockChild(n) {
			if t := collapse(textOf(n)); strings.ToLower(t) == desc {
				lead = t
				return false
			}
		}
		for _, w := range append(tokens(attr(n, "class")), tokens(attr(n, "id"))...) {
			if !leadWords[w] {
				continue
			}
			t := textOf(n)
			if wc := wordCount(t); wc >= 8 && wc <= 150 {
				if ld, _ := linkDensity(n); ld < 0.3 {
					lead = t
				}
			}
			return false
		}
		return true
	})
	return lead
}

// fallbackWords is the body length under which a second, structure-only
// extraction is tried.
const fallbackWords = 100

// blocksWords sums the words of refined blocks.
func blocksWords(bs []block) int {
	n := 0
	for _, b := range bs {
		n += b.words
	}
	return n
}

// bodyBlocks runs readability on the cleaned document and returns the text
// blocks of what it keeps; when it finds nothing, the cleaned body's blocks.
func bodyBlocks(doc *html.Node, base *url.URL) []block {
	p := readability.NewParser()
	p.DisableJSONLD = true
	art, err := p.ParseAndMutate(doc, base)
	if err == nil && art.Node != nil {
		if bs := blocks(art.Node, base); len(bs) > 0 {
			return bs
		}
	}
	body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		return nil
	}
	return blocks(body, base)
}

// shortLineShare reports whether most of many blocks are short lines (what
// lists of links leave behind) and counts the blocks of prose (25+ words).
func shortLineShare(bs []block) (bool, int) {
	short, prose := 0, 0
	for _, b := range bs {
		switch n := wordCount(b.text); {
		case n <= 12:
			short++
		case n >= 25:
			prose++
		}
	}
	return len(bs) >= 8 && short*10 > len(bs)*7, prose
}

var readabilityVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "codeberg.org/readeck/go-readability/v2" {
				return d.Version
			}
		}
	}
	return "unknown"
})

// ReadabilityVersion is the version of go-readability this binary runs.
func ReadabilityVersion() string { return readabilityVersion() }

func extractorName() string {
	return "presscrawl-extract/" + Version + " go-readability/" + readabilityVersion()
}
