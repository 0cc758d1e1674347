package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// visibleAuthors reads the byline printed on the page, for pages whose
// metadata names no author: the names marked up as authors (rel="author"
// links, microdata itemprop="author", hCard "author vcard", links to a
// /author/ archive), outside comments, sidebars and the page chrome, in
// document order.
func visibleAuthors(doc *html.Node, site string) []string {
	var names []string
	var box *html.Node // the byline's container: a second author sits in it too
	walkElements(doc, func(n *html.Node) bool {
		if notByline(n) {
			return false
		}
		name := ""
		switch {
		case hasToken(strings.ToLower(attr(n, "itemprop")), "author"):
			name = itemName(n)
		case n.DataAtom == atom.A && hasToken(strings.ToLower(attr(n, "rel")), "author"):
			name = textOf(n)
		case n.DataAtom == atom.A && strings.Contains(attr(n, "href"), "/author/"):
			name = textOf(n)
		case hasClass(n, "author") && hasClass(n, "vcard"):
			name = hcardName(n)
		default:
			return true
		}
		if name = personName(name); name != "" && !strings.EqualFold(name, site) {
			if box == nil {
				box = n
				for i := 0; i < 2 && box.Parent != nil; i++ {
					box = box.Parent
				}
			}
			if within(n, box) {
				names = append(names, name)
			}
		}
		return false
	})
	return dedupe(names, nil)
}

func within(n, box *html.Node) bool {
	for p := n; p != nil; p = p.Parent {
		if p == box {
			return true
		}
	}
	return false
}

// notByline: comments, sidebars, related-post lists and the page's own
// header, navigation and footer name other people.
func notByline(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer:
		return true
	case atom.Header:
		return !inArticle(n)
	}
	for w := range classWords(n) {
		switch w {
		case "comment", "comments", "respond", "reply", "sidebar", "widget", "related", "discussion":
			return true
		}
	}
	return false
}

func hasClass(n *html.Node, c string) bool {
	for _, w := range strings.Fields(strings.ToLower(attr(n, "class"))) {
		if w == c {
			return true
		}
	}
	return false
}

// itemName is the name of a microdata author: its itemprop="name" (text or
// content), else its content, else its text.
func itemName(n *html.Node) string {
	var name string
	walk(n, func(c *html.Node) bool {
		if name != "" || c.Type != html.ElementNode {
			return false
		}
		if c != n && hasToken(strings.ToLower(attr(c, "itemprop")), "name") {
			name = firstNonEmpty(attr(c, "content"), textOf(c))
			return false
		}
		return true
	})
	return firstNonEmpty(name, attr(n, "content"), textOf(n))
}

// hcardName is the formatted name (class fn) of an hCard, else its text.
func hcardName(n *html.Node) string {
	var name string
	walk(n, func(c *html.Node) bool {
		if name != "" || c.Type != html.ElementNode {
			return false
		}
		if c != n && (hasClass(c, "fn") || hasClass(c, "name")) {
			name = textOf(c)
			return false
		}
		return true
	})
	return firstNonEmpty(name, textOf(n))
}

// personName cleans a byline into a name, or "" when it does not read as
// one: one to five words, no digits, no sentence punctuation.
func personName(s string) string {
	s = collapse(s)
	s = bylinePrefix.ReplaceAllString(s, "")
	for _, p := range []string{"View all posts by ", "Alle Beiträge von ", "Alle Artikel von ", "Weitere Artikel von ", "Mehr von ",
		"More from ", "Posts by ", "Articles by "} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			s = s[len(p):]
		}
	}
	s = strings.TrimSpace(strings.Trim(s, "|·•,;:-–— "))
	if s == "" || len(s) > 60 {
		return ""
	}
	words := strings.Fields(s)
	if len(words) > 5 {
		return ""
	}
	for _, r := range s {
		if unicode.IsDigit(r) || strings.ContainsRune("@?!/|()[]{}<>=→←»«›‹", r) {
			return ""
		}
	}
	if notNames[strings.ToLower(s)] || len(words) == 1 && strings.Contains(s, ".") { // a link word; a domain
		return ""
	}
	for _, w := range words {
		if linkWords[strings.ToLower(w)] { // "Zu allen Artikeln", "More Posts", "Autorenseite von"
			return ""
		}
	}
	return s
}

// linkWords are not in names, but in the texts of links to author pages.
var linkWords = setOf("alle", "allen", "all", "artikel", "artikeln", "article", "articles", "posts", "beiträge",
	"beiträgen", "weiter", "weitere", "more", "mehr", "zeige", "view", "show", "autorenseite", "profil", "profile",
	"archiv", "archive", "user", "unknown")

// notNames are the link texts of author links that are not names.
var notNames = setOf("mehr", "more", "read more", "see more", "weiterlesen", "plus", "más", "więcej", "altro",
	"meer", "profile", "profil", "author", "autor", "auteur", "autore", "alle", "all", "posts", "artikel",
	"articles", "name", "admin", "posted", "unknown", "anonymous", "anonym", "gesponserte inhalte", "gesponsert",
	"sponsored", "sponsored content", "anzeige", "werbung", "advertisement", "publicidad", "إعلان", "publisher",
	"anónimo", "anonimo", "anonyme")

// bylineLead starts a byline written as text: "By Jane Roe", "Von Max
// Muster, 5. März", "بقلم محمد علي".
var bylineLead = regexp.MustCompile(`(?i)^(?:posted by|written by|by|von|par|por|door|przez|av|di|بقلم|كتب|كتبت)[:\s]\s*`)

// bylineStops end a name: the words that follow it on a byline line.
var bylineStops = setOf("published", "posted", "updated", "on", "am", "publié", "mis", "veröffentlicht",
	"aktualisiert", "erstellt", "stand", "publicado", "actualizado", "opublikowano")

// nameParticles may sit inside a name in lower case.
var nameParticles = setOf("van", "von", "de", "da", "del", "della", "der", "den", "di", "du", "la", "le", "dos", "das", "bin", "ibn", "al", "el", "y")

// textByline reads a byline written as text in one of the first short
// lines after the headline (40 elements, 600 characters of text at most),
// outside comments, sidebars and the page chrome.
func textByline(m *meta, doc *html.Node, order map[*html.Node]int, site string) []string {
	if m.h1 == nil {
		return nil
	}
	start := order[m.h1]
	var found []string
	seen, chars := 0, 0
	walkElements(doc, func(n *html.Node) bool {
		if found != nil || seen > 40 || chars > 600 {
			return false
		}
		if order[n] <= start || notByline(n) {
			return order[n] <= start // before the headline: look inside; a sidebar: skip
		}
		seen++
		if !ownText(n) {
			return true
		}
		t := textOf(n)
		chars += len(t)
		if wordCount(t) <= 14 {
			if name := bylineName(t); name != "" && !strings.EqualFold(name, site) {
				found = []string{name}
			}
		}
		return found == nil
	})
	return found
}

// bylineName takes the name out of a byline line, or "".
func bylineName(line string) string {
	loc := bylineLead.FindStringIndex(line)
	if loc == nil {
		return ""
	}
	rest := line[loc[1]:]
	arabic := strings.ContainsAny(line[:loc[1]], "بك")
	var words []string
	for _, w := range strings.Fields(rest) {
		end := strings.IndexAny(w, ",;|·•–—") >= 0
		w = strings.TrimRight(w, ",;|·•–—:.")
		if w == "" || w == "-" {
			break
		}
		r, _ := utf8.DecodeRuneInString(w)
		switch {
		case bylineStops[strings.ToLower(w)]:
			end = true
			w = ""
		case arabic && unicode.Is(unicode.Arabic, r):
		case unicode.IsUpper(r):
		case len(words) > 0 && nameParticles[strings.ToLower(w)]:
		default:
			end = true
			w = ""
		}
		if w != "" {
			words = append(words, w)
		}
		if end || len(words) == 4 {
			break
		}
	}
	for len(words) > 0 && nameParticles[strings.ToLower(words[len(words)-1])] {
		words = words[:len(words)-1] // "Jean Dupont Le 11 septembre": the date's article
	}
	if len(words) == 0 {
		return ""
	}
	return personName(strings.Join(words, " "))
}

// bylineClasses mark an element holding the author's name in the page's
// own markup: <span class="author">Name</span>, <div class="byline">.
var bylineClasses = setOf("author", "byline", "writer", "author-name", "author_name", "authorname", "byline-name",
	"byline__name", "byline-author", "article-author", "post-author", "entry-author", "article__author", "story-author",
	"news-author", "c-byline", "kateb", "writer-name")

// bylineSkip are class and id words of boxes whose names are not the
// article's author: advertising, sponsored teasers, author boxes of other
// posts.
var bylineSkip = setOf("sponsor", "sponsored", "promo", "advert", "advertisement", "ad", "ads", "teaser", "teasers",
	"recommended", "popular", "most-read", "newsletter")

// authorLabel is a label before the name: "Autor:", "Author:", "الكاتب:".
var authorLabel = regexp.MustCompile(`(?i)^(?:autor(?:in)?|author|auteur|autore|autora|auteurs?|redakcja|texto|text|الكاتب|الكاتبة|المحرر|كاتب)\s*:?\s+`)

// classByline is the last resort for the byline: the first element whose
// class says it holds the author (bylineClasses) and whose text, once a
// label is taken off, reads as a name. Comments, sidebars, the page chrome
// and advertising are not searched; a container whose text is longer (an
// author box with a biography) is searched inside.
func classByline(doc *html.Node, site string) []string {
	var found string
	walkElements(doc, func(n *html.Node) bool {
		if found != "" || notByline(n) {
			return false
		}
		for w := range classWords(n) {
			if bylineSkip[w] {
				return false
			}
		}
		marked := false
		for _, w := range strings.Fields(strings.ToLower(attr(n, "class"))) {
			marked = marked || bylineClasses[w]
		}
		if !marked {
			return true
		}
		t, short := shortTextOf(n, 80)
		if !short {
			return true
		}
		name := personName(authorLabel.ReplaceAllString(t, ""))
		if name == "" || strings.EqualFold(name, site) || strings.Contains(name, ".") && !strings.Contains(name, " ") {
			return true
		}
		found = name
		return false
	})
	if found == "" {
		return nil
	}
	return []string{found}
}

// footerBy finds the byline word after a publication label and its date:
// "Veröffentlicht am 28.01.2022 von Max Muster", "Posted on March 5, 2024 by
// Jane Roe", "Publié le 5 mars par Jean Dupont".
var footerBy = regexp.MustCompile(`(?i)\s(?:von|by|par|por|door|przez|di|av)\s`)

// footerByline reads the author from a post's footer line that names the
// publication and then its author (the line blogs end a post with); lines
// in comments, sidebars and the page chrome are not read.
func footerByline(doc *html.Node, site string) []string {
	var found string
	walkElements(doc, func(n *html.Node) bool {
		postFooter := n.DataAtom == atom.Footer && inArticle(n) // an <article>'s own footer is the post's
		if found != "" || notByline(n) && !postFooter {
			return false
		}
		if !ownTextHolds(n, labelWords) || inPageChrome(n) && !inArticle(n) {
			return true
		}
		line, short := shortTextOf(n, 240) // the name is often a link inside the line
		if !short {
			return true
		}
		label := publishedLabel.FindStringIndex(line)
		if label == nil {
			return true
		}
		by := footerBy.FindStringIndex(line[label[1]:])
		if by == nil {
			return true
		}
		if !strings.ContainsFunc(line[label[1]:label[1]+by[0]], unicode.IsDigit) {
			return true // no date between: "Publié par <publisher>" names who publishes the site
		}
		if name := bylineName(strings.TrimSpace(line[label[1]+by[0]:])); name != "" && !strings.EqualFold(name, site) {
			found = name
		}
		return found == ""
	})
	if found == "" {
		return nil
	}
	return []string{found}
}
