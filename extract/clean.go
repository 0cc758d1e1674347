package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Boilerplate rules applied to the DOM before readability scores it. They are
// generic: element kinds, ARIA roles, class/id vocabularies in several
// languages, hidden elements, boilerplate headings, and link density. None is
// keyed to a site.

// dropTags never hold article prose.
var dropTags = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true,
	atom.Canvas: true, atom.Video: true, atom.Audio: true, atom.Form: true,
	atom.Input: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
	atom.Nav: true, atom.Dialog: true, atom.Aside: true, atom.Footer: true,
	atom.Label: true, atom.Menu: true,
	// ruby annotations: the reading printed over a Japanese or Chinese
	// character (<ruby>子<rt>こ</rt></ruby>), not the text
	atom.Rt: true, atom.Rp: true,
}

// dropRoles are ARIA landmarks and widgets outside the article body.
var dropRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true,
	"dialog": true, "alertdialog": true, "search": true, "menu": true, "menubar": true,
	"toolbar": true, "tablist": true, "alert": true, "status": true, "timer": true,
}

// boilerWords are class/id words of blocks that are not article prose, in
// English and in the other languages of our users' sites.
var boilerWords = setOf(
	// sharing and social
	"share", "shares", "sharing", "sharer", "social", "sociable", "addthis", "sharethis", "shariff",
	"teilen", "partage", "partager", "compartir", "condividi", "udostepnij",
	// related and recommended
	"related", "relatedposts", "recommended", "recommendations", "recommend", "readmore",
	"also", "more", "trending", "popular", "mostread", "most", "outbrain", "taboola", "plista",
	"verwandte", "weitere", "similaires", "relacionados", "correlati",
	// newsletter, subscription, paywall prompts, sign-in
	"newsletter", "newsletters", "subscribe", "subscription", "signup", "login", "register", "optin",
	"abo", "abonnieren", "abonnement", "inscription", "suscripcion",
	// comments
	"comment", "comments", "commentlist", "respond", "reply", "disqus",
	"kommentar", "kommentare", "commentaires", "comentarios", "komentarze",
	// ads and sponsors
	"ad", "ads", "adv", "advert", "advertisement", "adsense", "adslot", "banner", "sponsor",
	"sponsored", "promo", "promotion", "dfp", "gpt", "werbung", "anzeige", "publicite",
	"publicidad", "pubblicita", "reklama",
	// cookie and consent, modals and overlays
	"cookie", "cookies", "consent", "gdpr", "modal", "popup", "overlay", "lightbox", "toast",
	// navigation and page furniture
	"breadcrumb", "breadcrumbs", "crumb", "crumbs", "menu", "nav", "navbar", "navigation",
	"sidebar", "footer", "masthead", "logo", "tagline", "skip",
	"pagination", "pager", "toolbar", "topbar", "print", "rss",
	// players, galleries and their controls
	"player", "playlist", "jwplayer", "podcast", "controls",
	// post furniture: byline, date, tags, author boxes, ratings
	"byline", "dateline", "date", "time", "today", "clock", "weather", "meta", "tags", "tagcloud",
	"categories", "caption", "credit", "copyright", "disclaimer", "authorbox", "bio", "utility",
	"postmetadata", "rating", "ratings", "nextstory", "dida", "didascalia", "legende",
	"screen", "sr", "visually", "loading", "alert", "wishlist", "saboxplugin", "sharedaddy",
	"textwidget", "widgettitle", "likes", "legend", "bildunterschrift", "bilduntertitel", "notice", "teaser", "teasers", "teasertext",
)

// strongWords are boilerplate words that no content word outweighs: a block
// named "ArticleBody-related-coverage" is related links all the same.
var strongWords = setOf(
	"share", "shares", "sharing", "sharer", "social", "sociable", "addthis", "sharethis", "shariff", "sharedaddy",
	"related", "relatedposts", "recommended", "recommendations", "recommend", "outbrain", "taboola", "plista",
	"newsletter", "newsletters", "subscribe", "subscription", "signup", "optin",
	"comment", "comments", "commentlist", "disqus", "cookie", "cookies", "consent", "gdpr",
	"advert", "advertisement", "adsense", "adslot", "sponsor", "sponsored", "promo", "breadcrumb", "breadcrumbs",
	"authorbox", "saboxplugin", "postmetadata", "rating", "ratings", "nextstory", "wishlist",
	"textwidget", "widgettitle", "likes", "jp",
)

// keepWords protect blocks that are the article's content even when a weak
// boilerplate word names them too ("entry-meta" no, "text-widget" yes).
var keepWords = setOf("content", "body", "article", "entry", "post", "story", "text", "main", "prose", "artikel", "texte", "corps", "editor")

// authorBoxWords, beside "author", name a box about the author.
var authorBoxWords = setOf("box", "bio", "card", "description", "info", "about", "details", "profile")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// boilerHeadings are the whole texts of headings that introduce a block of
// links or a widget rather than article prose (compared in lower case,
// without trailing punctuation).
var boilerHeadings = setOf(
	"related articles", "related posts", "related stories", "related news", "related",
	"read more", "read also", "also read", "see also", "more from", "more stories", "more news",
	"you may also like", "you might also like", "recommended", "recommended for you",
	"most read", "most popular", "trending", "latest news", "newsletter", "share", "share this",
	"share this article", "comments", "leave a reply", "leave a comment", "advertisement",
	"مقالات ذات صلة", "أخبار ذات صلة", "اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا", "إقرأ أيضاً",
	"اقرأ المزيد", "الأكثر قراءة", "الأكثر مشاهدة", "النشرة البريدية", "شارك", "التعليقات", "إعلان",
	"das könnte sie auch interessieren", "mehr zum thema", "weitere artikel", "lesen sie auch",
	"auch interessant", "teilen", "kommentare", "anzeige", "werbung",
	"à lire aussi", "a lire aussi", "lire aussi", "sur le même sujet", "partager", "commentaires",
	"publicité", "te puede interesar", "noticias relacionadas", "comentarios", "publicidad",
	"leggi anche", "czytaj także", "zobacz także", "komentarze", "reklama",
	"ähnliche beiträge", "ähnliche artikel", "kommentar verfassen", "kommentare sind geschlossen", "kommentar schreiben",
	"teilen sie dies mit", "teilen mit", "weitere informationen", "weiterführende links", "mehr zum thema",
	"das thema könnte dich auch interessieren", "das könnte dich auch interessieren", "kategorien", "categories",
	"archives", "archiv", "schlagwörter", "tags", "czytaj też", "dowiedz się więcej", "zobacz też",
	"vous aimerez aussi", "articles similaires", "à voir aussi", "también te puede interesar", "lee también",
	"ezek is érdekelhetnek", "share this:", "like this:", "related coverage", "more on this story", "read next",
	"اقرأ ايضا", "مواضيع ذات صلة", "شاهد أيضا", "شاهد ايضا", "المزيد من الأخبار",
	"audios et vidéos sur le sujet", "audios and videos on the topic", "audios und videos zum thema",
	"ansprechpartner zum thema", "ansprechpartnerin zum thema", "ihr ansprechpartner", "ihre ansprechpartnerin",
)

// clean removes boilerplate from doc in place.
func clean(doc *html.Node) {
	body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		body = doc
	}
	pLen := proseLengths(body)
	total := pLen[body]
	var drop []*html.Node
	walk(body, func(n *html.Node) bool {
		if n.Type == html.CommentNode {
			drop = append(drop, n)
			return false
		}
		if n.Type != html.ElementNode || n == body {
			return true
		}
		if isBoilerplate(n, pLen[n], total) {
			drop = append(drop, n)
			return false
		}
		return true
	})
	for _, n := range drop {
		removeNode(n)
	}
	dropHeadedLinkBlocks(body)
	dropLinkLists(body)
}

// cleanStructure removes only what is never prose by its kind (scripts,
// navigation, forms, players, dialogs), hidden elements and blocks named by
// a strong boilerplate word: the fallback when the full rules leave too
// little.
func cleanStructure(doc *html.Node) {
	var drop []*html.Node
	walk(doc, func(n *html.Node) bool {
		if n.Type == html.ElementNode && (dropTags[n.DataAtom] && n.DataAtom != atom.Form ||
			strings.EqualFold(attr(n, "aria-hidden"), "true") || hiddenStyle(attr(n, "style")) || strongNamed(n)) {
			drop = append(drop, n)
			return false
		}
		return true
	})
	for _, n := range drop {
		removeNode(n)
	}
}

func strongNamed(n *html.Node) bool {
	if pageWide(n) {
		return false
	}
	for w := range classWords(n) {
		if strongWords[w] {
			return true
		}
	}
	return false
}

// isBoilerplate decides one element by its kind, role, visibility and
// vocabulary. An element that holds most of the page's prose (text outside
// links) is never dropped by vocabulary, whatever its class says, nor a
// <form> that wraps a whole page (as ASP.NET pages do).
func isBoilerplate(n *html.Node, pText, total int) bool {
	if n.DataAtom == atom.Form && total > 0 && pText*2 > total {
		return false
	}
	if dropTags[n.DataAtom] {
		return true
	}
	if pageWide(n) {
		return false
	}
	switch n.DataAtom {
	case atom.Figcaption:
		// a caption; a slideshow's prose (several paragraphs) is kept
		return len(findAll(n, atom.P, 2)) < 2
	case atom.Header:
		return pText < 80 // a header holding prose (a lead, a subtitle) is kept
	}
	if dropRoles[strings.ToLower(attr(n, "role"))] {
		return true
	}
	if hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") || hiddenStyle(attr(n, "style")) {
		return true
	}
	if total > 0 && pText*2 > total {
		return false
	}
	boiler, strong, keep, author, box := false, false, false, false, false
	for w := range classWords(n) {
		boiler = boiler || boilerWords[w]
		strong = strong || strongWords[w]
		keep = keep || keepWords[w]
		author = author || w == "author"
		box = box || authorBoxWords[w]
	}
	if strong || (author && box) {
		return true
	}
	if keep && pText > 0 {
		return false
	}
	return boiler
}

// findAll returns up to max descendants of n of kind a.
func findAll(n *html.Node, a atom.Atom, max int) []*html.Node {
	var out []*html.Node
	walk(n, func(c *html.Node) bool {
		if len(out) >= max {
			return false
		}
		if c != n && c.DataAtom == a && c.Type == html.ElementNode {
			out = append(out, c)
		}
		return true
	})
	return out
}

func hiddenStyle(s string) bool {
	s = strings.ToLower(strings.ReplaceAll(s, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden")
}

// proseLengths maps every element to the length of the prose it holds:
// its text outside links, scripts and styles.
func proseLengths(root *html.Node) map[*html.Node]int {
	lengths := map[*html.Node]int{}
	var visit func(n *html.Node, inLink bool) int
	visit = func(n *html.Node, inLink bool) int {
		switch n.Type {
		case html.TextNode:
			if inLink {
				return 0
			}
			return len(strings.TrimSpace(n.Data))
		case html.ElementNode, html.DocumentNode:
		default:
			return 0
		}
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg:
			return 0
		}
		in := inLink || n.DataAtom == atom.A
		sum := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			sum += visit(c, in)
		}
		lengths[n] = sum
		return sum
	}
	visit(root, false)
	return lengths
}

// normHeading prepares a short text for comparison with boilerHeadings.
func normHeading(s string) string {
	s = strings.ToLower(collapse(s))
	return strings.TrimRight(s, " :.…!»›>|-–—")
}

func isHeadingLike(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Strong, atom.B, atom.Span, atom.Div, atom.P, atom.Header:
		return true
	}
	return false
}

// dropHeadedLinkBlocks removes a boilerplate heading ("Related Articles",
// "مقالات ذات صلة") together with the block it introduces: its parent when
// that parent is mostly links or nothing but the heading, else the link-dense
// siblings that follow it.
func dropHeadedLinkBlocks(body *html.Node) {
	var heads []*html.Node
	walk(body, func(n *html.Node) bool {
		if n.Type == html.ElementNode && isHeadingLike(n) {
			t, short := shortTextOf(n, 60)
			if short && boilerHeadings[normHeading(t)] {
				heads = append(heads, n)
				return false
			}
		}
		return true
	})
	for _, h := range heads {
		if h.Parent == nil {
			continue // already removed with an ancestor
		}
		parent := h.Parent
		if parent != body && parent.DataAtom != atom.Article && parent.DataAtom != atom.Main {
			if ld, words := linkDensity(parent); ld > 0.5 || words-wordCount(textOf(h)) < 8 {
				removeNode(parent)
				continue
			}
		}
		for s := h.NextSibling; s != nil; {
			next := s.NextSibling
			if s.Type == html.ElementNode {
				if ld, _ := linkDensity(s); ld < 0.5 {
					break
				}
				removeNode(s)
			}
			s = next
		}
		removeNode(h)
	}
}

// dropLinkLists removes lists and link boxes whose text is mostly links:
// teasers, tag clouds, menus that carry no class.
// The link density of every box is counted in one pass from the leaves up
// (linkCounts), not box by box: nested boxes would count the same words
// once per level.
func dropLinkLists(body *html.Node) {
	counts := map[*html.Node]wordsLinked{}
	linkCounts(body, counts)
	var drop []*html.Node
	walk(body, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Div, atom.Section:
			c := counts[n]
			if c.words > 0 && float64(c.linked)/float64(c.words) > 0.6 && !hasLongParagraph(n) {
				drop = append(drop, n)
				return false
			}
		}
		return true
	})
	for _, n := range drop {
		removeNode(n)
	}
}

// wordsLinked counts a box's words and those of them inside links.
type wordsLinked struct{ words, linked int }

// linkCounts counts, for n and every list, table, div and section under it
// (into counts), the words and the words inside links, as linkDensity does
// box by box: links above a box are not its own.
func linkCounts(n *html.Node, counts map[*html.Node]wordsLinked) wordsLinked {
	switch {
	case n.Type == html.TextNode:
		return wordsLinked{words: wordCount(n.Data)}
	case n.Type == html.ElementNode && dropTags[n.DataAtom]:
		return wordsLinked{}
	}
	var c wordsLinked
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		kc := linkCounts(k, counts)
		c.words += kc.words
		c.linked += kc.linked
	}
	if n.Type != html.ElementNode {
		return c
	}
	switch n.DataAtom {
	case atom.A:
		c.linked = c.words
	case atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Div, atom.Section:
		counts[n] = c
	}
	return c
}

// linkDensity is the share of n's words that sit inside links, and the word
// count.
func linkDensity(n *html.Node) (float64, int) {
	all, linked := 0, 0
	var visit func(c *html.Node, inLink bool)
	visit = func(c *html.Node, inLink bool) {
		if c.Type == html.TextNode {
			w := wordCount(c.Data)
			all += w
			if inLink {
				linked += w
			}
			return
		}
		if c.Type == html.ElementNode && dropTags[c.DataAtom] {
			return
		}
		in := inLink || c.DataAtom == atom.A
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			visit(k, in)
		}
	}
	visit(n, false)
	if all == 0 {
		return 0, 0
	}
	return float64(linked) / float64(all), all
}

// hasLongParagraph reports whether n holds a paragraph of prose: 25 words or
// more outside links.
func hasLongParagraph(n *html.Node) bool {
	return find(n, func(c *html.Node) bool {
		if c.DataAtom != atom.P {
			return false
		}
		ld, w := linkDensity(c)
		return float64(w)*(1-ld) >= 25
	}) != nil
}

// noscriptMinWords is how much prose a <noscript> must hold to be taken for
// the page's body: pages rendered by script (Blogger's templates, some
// news apps) put the article there for readers without script; short ones
// are "enable JavaScript" notes and tracking pixels.
const noscriptMinWords = 60

// unwrapNoscript replaces each <noscript> in the body that holds prose
// paragraphs by its content, parsed as HTML (the parser keeps a noscript's
// content as raw text, and readability drops noscript elements).
func unwrapNoscript(doc *html.Node) {
	body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		return
	}
	var found []*html.Node
	walk(body, func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.DataAtom == atom.Noscript {
			found = append(found, n)
			return false
		}
		return true
	})
	for _, ns := range found {
		if ns.FirstChild == nil || ns.FirstChild != ns.LastChild || ns.FirstChild.Type != html.TextNode || ns.Parent == nil {
			continue
		}
		raw := ns.FirstChild.Data
		if !strings.Contains(raw, "<p") {
			continue
		}
		ctx := ns.Parent
		if ctx.Type != html.ElementNode {
			ctx = body
		}
		nodes, err := html.ParseFragment(strings.NewReader(raw), ctx)
		if err != nil {
			continue
		}
		words := 0
		for _, n := range nodes {
			walk(n, func(m *html.Node) bool {
				if m.Type == html.ElementNode && m.DataAtom == atom.P {
					words += wordCount(textOf(m))
					return false
				}
				return true
			})
		}
		if words < noscriptMinWords {
			continue
		}
		for _, n := range nodes {
			ns.Parent.InsertBefore(n, ns)
		}
		removeNode(ns)
	}
}
