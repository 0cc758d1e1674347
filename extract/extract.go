package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/stories"
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
	// FetchedAt is when the page was fetched; zero for a file. Relative
	// dates ("3 hours ago") are read against it, and not read without it.
	FetchedAt time.Time
}

// Extractor turns pages into records. The zero value is ready to use.
type Extractor struct {
	// MaxBytes bounds the page size; 0 means DefaultMaxBytes.
	MaxBytes int
	// Now gives the current time, for pages without a fetch time: a
	// publication date after it is wrong. Nil means time.Now.
	Now func() time.Time
	// Rules are per-site CSS rules (ParseRules), applied before the
	// generic rules to the pages of their hosts; nil: none.
	Rules *Rules
}

// Extract runs the zero Extractor.
func Extract(in Input) (*record.Record, error) { return Extractor{}.Extract(in) }

// Extract returns the page's record. An error means the input is not an HTML
// page that can be read (empty, binary, too large, undecodable); a page that
// is not an article still gives a record, with IsArticle false.
func (x Extractor) Extract(in Input) (*record.Record, error) {
	return x.ExtractContext(context.Background(), in)
}

// MaxTags bounds the tags of a page ("<" in its source, a cheap upper
// bound counted before parsing): real article pages have a few thousand
// elements (the development set's largest, 10,112); a page with hundreds of
// thousands is a trap whose parse and walks would cost minutes and
// gigabytes.
const MaxTags = 250_000

// ExtractContext is Extract that gives up, with ctx's error, once ctx ends:
// it checks between its stages, so an extraction abandoned at its deadline
// stops soon after instead of running to the end.
func (x Extractor) ExtractContext(ctx context.Context, in Input) (*record.Record, error) {
	src, doc, err := x.parse(ctx, in)
	if err != nil {
		return nil, err
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
	var sr siteRule
	if rule := x.Rules.forURL(base); rule != nil {
		sr = x.Rules.apply(rule, doc, x.dateRef(in)) // before every generic rule
	}
	order, searched := describe(rec, m, ld, doc, base, x.dateRef(in))
	if sr.title != "" {
		rec.Title = sr.title
	}
	if sr.date != nil {
		rec.PublishedAt, rec.DateSource, searched = sr.date, record.DateFromRule, nil
	}
	if len(sr.authors) > 0 {
		rec.Authors = sr.authors
	}

	var pageURL *url.URL
	if rec.URL != "" {
		pageURL, _ = url.Parse(rec.URL)
	}
	inMenu := pageURL != nil && !articleAddress(pageURL.EscapedPath()) && menuLinksTo(doc, pageURL) // before clean drops the menus
	var cards int
	var excerpts map[string]bool
	if ld == nil || pageURL == nil || !articleAddress(pageURL.EscapedPath()) {
		cards, excerpts = teaserExcerpts(doc) // before clean drops the teasers' headings
	}
	images := pageImages(doc, base) // before cleaning drops their captions
	var bs []block
	var wire string
	if len(sr.body) > 0 {
		bs, wire = ruleBody(sr.body, base, rec.Title) // only what the rule selects
	} else if bs, wire, err = body(ctx, src, doc, m, order, base, rec.Title); err != nil {
		return nil, err
	}
	ldBody, _ := ld["articleBody"].(string)
	if visible := blocksWords(bs); visible < stubWords || len(ldBody) > 3*textLen(bs) { // a stub, or a longer text in the data

		if data, source := dataBody(src, ld, visible, base, rec.Title); data != nil {
			bs, rec.TextSource = data, source
		}
	}
	rec.Text = strings.Join(texts(bs), "\n\n")
	rec.HTML = renderHTML(bs)
	rec.WordCount = wordCount(rec.Text)
	rec.Images = articleImages(images, rec.Text)

	rec.Links = bodyLinks(rec.HTML, base)
	if rec.Wire = stories.Wire(rec.Text); rec.Wire == "" {
		rec.Wire = wire // a credit line the text's cleaning dropped ("(Reporting by ...)")
	}
	sum := sha256.Sum256([]byte(rec.Text))
	rec.ContentHash = hex.EncodeToString(sum[:])
	rec.ID = rec.ContentHash
	if rec.CanonicalURL != "" {
		rec.ID = record.IDForURL(rec.CanonicalURL)
	}

	langText := rec.Text
	if rec.WordCount < 20 {
		langText = rec.Title + " " + rec.Description + " " + rec.Text
	}
	rec.Language = detectLanguage(langText, m.htmlLang, in.ContentLanguage, m.first("http-equiv:content-language"),
		ldString(ld["inLanguage"]), m.first("og:locale", "language", "dc.language"))

	ldDense, prose := shortLineShare(bs)
	rec.IsArticle = classify(pageEvidence{
		u: pageURL, m: m, title: rec.Title + " " + m.titleTag, words: rec.WordCount,
		ldArticle: ld != nil, ogType: m.first("og:type"), linkDenser: ldDense, prose: prose, dateFrom: rec.DateSource,
		inMenu: inMenu, cards: cards, teasers: teaserShare(bs, excerpts),
	})
	rec.Access = access(m, ld, rec)
	if rec.PublishedAt == nil && searched != nil && rec.IsArticle {
		rec.PublishedAt, rec.DateSource = searched, record.DateFromSearch
	}
	rec.Extractor = extractorName()
	if !in.FetchedAt.IsZero() {
		t := in.FetchedAt.UTC()
		rec.FetchedAt = &t
	}
	return rec, nil
}

// parse bounds, decodes and parses the page.
func (x Extractor) parse(ctx context.Context, in Input) (string, *html.Node, error) {
	limit := x.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	if len(in.Body) > limit {
		return "", nil, fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(in.Body), limit)
	}
	if n := bytes.Count(in.Body, []byte("<")); n > MaxTags {
		return "", nil, fmt.Errorf("%w: %d tags or more, the limit is %d", ErrTooComplex, n, MaxTags)
	}
	src, _, err := decode(in.Body, in.ContentType)
	if err != nil {
		return "", nil, err
	}
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return "", nil, fmt.Errorf("parse HTML: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", nil, err
	}
	return src, doc, nil
}

// dateRef is what relative and future dates are read against: the fetch
// time, else now.
func (x Extractor) dateRef(in Input) dateRef {
	ref := dateRef{now: in.FetchedAt, fetched: in.FetchedAt}
	if ref.now.IsZero() {
		if x.Now != nil {
			ref.now = x.Now()
		} else {
			ref.now = time.Now()
		}
	}
	return ref
}

// describe fills the record's metadata (site, title, description, section,
// tags, authors, image, dates) from the page before it is cleaned, and
// returns the document order the body's stage needs too; and, when no
// source of choosePublished dates the page, the last resort's date
// (searchDate), which the caller keeps only for an article.
func describe(rec *record.Record, m *meta, ld map[string]any, doc *html.Node, base *url.URL, ref dateRef) (map[*html.Node]int, *record.Timestamp) {
	rec.SiteName = firstNonEmpty(m.first("og:site_name"), m.ldSiteName(ld), m.first("application-name"))
	rec.Title = chooseTitle(m, ld, rec.SiteName)
	if rec.SiteName == "" {
		rec.SiteName = siteFromTitle(m.titleTag, rec.Title)
	}
	rec.Description = firstNonEmpty(m.first("description", "og:description"), ldString(ld["description"]), m.first("twitter:description"))
	rec.Section = firstNonEmpty(m.first("article:section"), ldString(ld["articleSection"]), m.first("parsely-section", "section"))
	if rec.Section == "" {
		rec.Section = breadcrumbSection(m, doc, rec.Title, rec.SiteName, base)
	}
	if rec.Section == "" {
		rec.Section = pathSection(doc, base, rec.SiteName)
	}
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
	if len(rec.Authors) == 0 {
		rec.Authors = classByline(doc, rec.SiteName)
	}
	if len(rec.Authors) == 0 {
		rec.Authors = footerByline(doc, rec.SiteName)
	}
	rec.PublishedAt, rec.DateSource = choosePublished(m, ld, doc, order, base, ref)
	rec.ModifiedAt = chooseModified(m, ld, ref.now)
	var searched *record.Timestamp
	if rec.PublishedAt == nil {
		searched = searchDate(m, doc, order, ref)
	}
	return order, searched
}

// body cleans the page and finds the article's blocks: readability's
// choice refined, second opinions on a doubtful one, the standfirst first.
func body(ctx context.Context, src string, doc *html.Node, m *meta, order map[*html.Node]int, base *url.URL, title string) ([]block, string, error) {
	lead := standfirst(m, doc, order)
	marked := markedBodyOpening(doc)
	unwrapNoscript(doc)
	clean(doc)
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	raw := bodyBlocks(doc, base)
	wire := stories.Wire(strings.Join(texts(raw), "\n\n")) // before refine drops the credit lines at the edges
	bs := refine(raw, title)
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	bs = secondOpinions(src, bs, base, title, marked)
	if lead != "" && len(bs) > 0 && !strings.Contains(strings.Join(texts(bs), " "), lead) {
		bs = append([]block{{text: lead, html: html.EscapeString(lead), tag: atom.P}}, bs...)
	}
	return bs, wire, nil
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
