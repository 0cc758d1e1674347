package extract

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
)

// Page-type classification: is this page one article, or a page that lists,
// finds or fails to find articles (home, section, tag, author, search,
// archive, error)? Evidence is summed; structured metadata weighs most.

var (
	listingPath = regexp.MustCompile(`(?i)/(tag|tags|category|categories|section|sections|topic|topics|author|authors|search|archive|archives|page|seite|themen|thema|rubrique|categoria|etiqueta|tema|kategorie|wp-json|feed)(/|$)`)
	pagedPath   = regexp.MustCompile(`(?i)(/page/\d+/?$|[?&](page|paged|p|s|q|query|search)=)`)
	langRoot    = regexp.MustCompile(`^/[a-z]{2}(-[a-z]{2})?/?$`)
	articleSlug = regexp.MustCompile(`[\p{L}\d]+[-_][\p{L}\d]+[-_][\p{L}\d]+[^/]*/?(\.html?)?$`)
	wpPost      = regexp.MustCompile(`^p=\d+$`)
	// forumPath addresses a forum thread or a question and its answers:
	// many authors' posts, not one article.
	forumPath = regexp.MustCompile(`(?i)/(forum|forums|foren|threads?|questions|showthread\.php|viewtopic\.php|discussion|discussions)(/|$|\?)`)
	// standingPath addresses a site's standing pages: about, contact,
	// imprint, history, team, services, products, deals, help. Text, often
	// prose, but no article.
	standingPath = regexp.MustCompile(`(?i)/(about|about-us|ueber-uns|uber-uns|%C3%BCber-uns|wir-ueber-uns|impressum|imprint|kontakt|contact|contact-us|datenschutz|privacy|privacy-policy|terms|agb|geschichte|history|chronik|team|jobs|karriere|careers|leistungen|services|produkte|products|shop|deals|user-deals|faq|hilfe|help|submissions|mitgliedschaft|membership)(/|\.html?|\.php|$)`)
	errorTitle   = regexp.MustCompile(`(?i)^\W*(404|410|500)\s*([|:\-–—]|$)|\b(404|410|500)\W*(error|not found|page)|\berror\W*(404|410|500)\b|not found|page introuvable|nicht gefunden|no encontrada|non trovata|غير موجودة|غير موجود|error page|page (does not|doesn't) exist`)
)

type pageEvidence struct {
	u          *url.URL
	m          *meta
	title      string
	words      int
	ldArticle  bool
	ogType     string
	linkDenser bool // the extracted text is mostly link text
	prose      int  // blocks of 25 words or more: paragraphs, not teasers
	dateFrom   record.DateSource
	// inMenu: the page is an item of its site's menus (menuLinksTo),
	// computed only for pages whose address is not an article's.
	inMenu bool
	// cards, teasers: a listing's cards (teaserExcerpts) and the share of
	// the text their excerpts make
	cards   int
	teasers float64
}

func classify(e pageEvidence) bool {
	if errorTitle.MatchString(e.title) && e.words < 150 && !e.ldArticle {
		return false
	}
	score := 0
	if e.ldArticle {
		score += 2
	}
	if e.m.ldHasType(listingTypes) {
		score -= 2
	}
	if e.m.ldHasType(threadTypes) || e.u != nil && forumPath.MatchString(e.u.EscapedPath()) {
		score -= 3
	}
	switch strings.ToLower(e.ogType) {
	case "article", "news", "blog", "newsarticle":
		score++
	case "website", "profile", "video.other", "product":
		score--
	}
	if e.u != nil {
		path := e.u.EscapedPath()
		switch {
		case (path == "" || path == "/" || strings.EqualFold(path, "/index.php")) && wpPost.MatchString(e.u.RawQuery):
			score++ // WordPress's address of a post: /?p=31228
		case path == "" || path == "/" || strings.EqualFold(path, "/index.html") || strings.EqualFold(path, "/index.php") || langRoot.MatchString(path):
			score -= 3
		case (listingPath.MatchString(path) && !underListing(path)) || pagedPath.MatchString(path+"?"+e.u.RawQuery):
			score -= 2
		case standingPath.MatchString(path):
			score -= 2
		default:
			_, dated := dateFromURL(path)
			if dated || slugAddress(path) {
				score++
			} else if e.inMenu {
				score -= 2 // a menu item at a name, not a slug: a standing page
			}
			if dated && e.dateFrom != "" && e.dateFrom != record.DateFromURL {
				score++ // dated twice, by its address and by the page: a blog's or a paper's post
			}
		}
	}
	if e.m.articles >= 3 {
		score -= 2
	}
	if e.cards >= 6 && e.teasers >= 0.5 {
		score -= 4 // the text is other pages' openings: a listing, with or without its address
	}
	if e.linkDenser && e.prose < 3 { // short lines around real paragraphs are a recipe's or a guide's lists
		score -= 2
	}
	if e.prose >= 3 {
		score++
	}
	// An article is dated: by its metadata or by a line by its title.
	if e.dateFrom != "" && e.dateFrom != record.DateFromURL {
		score++
	}
	if e.dateFrom == record.DateFromVisible {
		score++ // a dateline the reader sees, not only metadata: a short news item's mark
	}
	switch {
	case e.words >= 150:
		score++
	case e.words < 50:
		score -= 3
	}
	return score > 0
}

// articleAddress reports a path ending in an article's slug, with or
// without a number after it: /2024/05/<a-long-slug>/, /<slug>/a-6533123.
func articleAddress(path string) bool {
	_, dated := dateFromURL(path)
	return dated || slugAddress(path)
}

// slugAddress reports a path ending in an article's slug, with or without a
// number after it.
func slugAddress(path string) bool {
	return articleSlug.MatchString(path) || articleSlug.MatchString(withoutID(path))
}

// idSegment is an address's last segment that only numbers the article:
// "a-6533123" (after DW's slug), "17-378.html" (Joomla), "123456".
var idSegment = regexp.MustCompile(`(?i)/(?:[a-z]{1,2}-)?\d[\d-]*(?:\.html?|\.php)?/?$`)

// withoutID is path without a last segment that only numbers the article,
// or "" when the last segment is not such a number.
func withoutID(path string) string {
	loc := idSegment.FindStringIndex(path)
	if loc == nil {
		return ""
	}
	return path[:loc[0]]
}

// threadTypes are the JSON-LD types of a forum thread or a question page.
var threadTypes = map[string]bool{"discussionforumposting": true, "qapage": true}

// underListing reports a page addressed below a listing, as some sites file
// their articles: /themen/<topic>/<a-long-article-slug>, two segments or
// more after the listing word, the last one an article's slug.
func underListing(path string) bool {
	loc := listingPath.FindStringIndex(path)
	if loc == nil {
		return false
	}
	rest := strings.Trim(path[loc[1]:], "/")
	if strings.Count(rest, "/") < 1 {
		return false
	}
	last := rest[strings.LastIndex(rest, "/")+1:]
	if i := strings.IndexByte(last, ';'); i >= 0 {
		last = last[:i] // ";jsessionid=..."
	}
	if leafDocument(last) {
		return true // /themen/<topic>/<page>.html: a page of the topic, not its list
	}
	return strings.Count(last, "-")+strings.Count(last, "_") >= 3 && articleSlug.MatchString(last)
}

// documentName is a last segment naming a file: "zukunftsforum2022.html".
var documentName = regexp.MustCompile(`(?i)^([^.]+)\.(?:html?|php|aspx?)$`)

// leafDocument reports a last segment naming one document, not a
// directory's index: "zukunftsforum2022.html", not "index.html",
// "default.aspx" or "laendliche-regionen_node.html" (a topic's own page).
func leafDocument(name string) bool {
	m := documentName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	stem := strings.ToLower(m[1])
	return stem != "index" && stem != "default" && !strings.HasSuffix(stem, "_node")
}

// teaserExcerpts finds a listing's cards: a heading (h2-h4) that is one
// link to another page, beside an excerpt (a paragraph of eight words or
// more) in the same small container. It returns how many cards there are
// and the excerpts' texts, so that the share of the extracted text they
// make can be told: a home or section page saved without its address is
// still a list of other pages' openings, however many words they add up
// to. An article's related-stories box has cards too, but the article's
// text is not made of them.
func teaserExcerpts(doc *html.Node) (cards int, excerpts map[string]bool) {
	walkElements(doc, func(n *html.Node) bool {
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Nav, atom.Footer:
			return false
		case atom.H2, atom.H3, atom.H4:
		default:
			return true
		}
		link := find(n, func(c *html.Node) bool { return c.DataAtom == atom.A && attr(c, "href") != "" })
		if link == nil {
			return false
		}
		heading, linked := len(collapse(textOf(n))), len(collapse(textOf(link)))
		if linked == 0 || linked*10 < heading*7 {
			return false
		}
		box := n.Parent
		for up := 0; up < 3 && box != nil; up, box = up+1, box.Parent {
			p := find(box, func(c *html.Node) bool { return c.DataAtom == atom.P && !within(c, n) })
			if p == nil {
				continue
			}
			text := collapse(textOf(p))
			if wordCount(text) < 8 {
				break
			}
			if excerpts == nil {
				excerpts = map[string]bool{}
			}
			excerpts[text] = true
			cards++
			break
		}
		return false
	})
	return cards, excerpts
}

// teaserShare is the share of the text's words in blocks that are excerpts
// of teaserExcerpts.
func teaserShare(bs []block, excerpts map[string]bool) float64 {
	if len(excerpts) == 0 {
		return 0
	}
	total, in := 0, 0
	for _, b := range bs {
		w := b.words
		if w == 0 {
			w = wordCount(b.text)
		}
		total += w
		if excerpts[collapse(b.text)] {
			in += w
		}
	}
	if total == 0 {
		return 0
	}
	return float64(in) / float64(total)
}
