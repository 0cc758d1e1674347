package extract

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// meta holds what a page says about itself in its markup, before any text
// analysis: every source is kept so that the record can choose among them.
type meta struct {
	htmlLang string
	titleTag string
	h1       *html.Node
	// titleH1 is the <h1> whose text matches the page's title when that is
	// not the first <h1> (a logo or section name in an <h1> before it);
	// nil otherwise.
	titleH1      *html.Node
	h1s          []*html.Node
	canonical    string
	props        map[string][]string // <meta property|name|itemprop> by lower-case key
	ld           []map[string]any    // JSON-LD objects, @graph flattened
	timeElements []*html.Node        // <time>, and hAtom's <abbr class="published" title="…">
	articles     int                 // <article> elements: listing pages have many
	paywall      bool                // an element whose class or id names a paywall
}

func (m *meta) first(keys ...string) string {
	for _, k := range keys {
		for _, v := range m.props[k] {
			if v = collapse(v); v != "" {
				return v
			}
		}
	}
	return ""
}

func (m *meta) all(key string) []string { return m.props[key] }

// readMeta collects the page's self-description from the whole document.
func readMeta(doc *html.Node) *meta {
	m := &meta{props: map[string][]string{}}
	walk(doc, func(n *html.Node) bool {
		if n.Type != html.ElementNode {
			return true
		}
		switch n.DataAtom {
		case atom.Html:
			m.htmlLang = attr(n, "lang")
			if m.htmlLang == "" {
				m.htmlLang = attr(n, "xml:lang")
			}
		case atom.Title:
			if m.titleTag == "" && !inSVG(n) {
				m.titleTag = unescapeEntities(textOf(n))
			}
		case atom.Meta:
			content := attr(n, "content")
			for _, k := range []string{"property", "name", "itemprop"} {
				if key := strings.ToLower(strings.TrimSpace(attr(n, k))); key != "" && content != "" {
					m.props[key] = append(m.props[key], unescapeEntities(content))
				}
			}
			if he := strings.ToLower(attr(n, "http-equiv")); he == "content-language" && content != "" {
				m.props["http-equiv:content-language"] = append(m.props["http-equiv:content-language"], content)
			}
		case atom.Link:
			if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				m.canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Script:
			if n.FirstChild == nil {
				return false
			}
			if typ := strings.ToLower(attr(n, "type")); strings.Contains(typ, "ld+json") {
				m.ld = append(m.ld, parseJSONLD(n.FirstChild.Data)...)
			} else if schemaOrgJSON(typ, n.FirstChild.Data) {
				// schema.org JSON in a script of no JSON-LD type (or "text/json"):
				// read as JSON-LD when it is a JSON object naming schema.org.
				m.ld = append(m.ld, parseJSONLD(n.FirstChild.Data)...)
			}
			return false
		case atom.Style, atom.Noscript, atom.Template:
			return false
		case atom.H1:
			if m.h1 == nil {
				m.h1 = n
			}
			m.h1s = append(m.h1s, n)
		case atom.Time:
			m.timeElements = append(m.timeElements, n)
		case atom.Abbr:
			if hasToken(attr(n, "class"), "published") && attr(n, "title") != "" {
				m.timeElements = append(m.timeElements, n)
			}
		case atom.Article:
			m.articles++
		}
		if !m.paywall && paywallMarked(n) {
			m.paywall = true
		}
		if n.DataAtom != atom.Meta {
			// microdata on a visible element: <span itemprop="datePublished" content="2020-03-18T13:15:00+01:00">
			if key := strings.ToLower(strings.TrimSpace(attr(n, "itemprop"))); microdataDates[key] {
				if v := firstNonEmpty(attr(n, "content"), attr(n, "datetime")); v != "" {
					m.props[key] = append(m.props[key], v)
				}
			}
		}
		return true
	})
	m.titleH1 = titleHeading(m)
	return m
}

// microdataDates are the itemprop names of dates read from any element
// that carries its value in a content or datetime attribute.
var microdataDates = map[string]bool{"datepublished": true, "datecreated": true, "datemodified": true}

// schemaOrgJSON reports a script that holds a JSON object with schema.org
// as its @context, whatever its type attribute says (several CMSs write it
// in a script of no type or of type text/json). Code is never JSON: a
// script of JavaScript fails to parse and yields nothing.
func schemaOrgJSON(typ, src string) bool {
	switch typ {
	case "", "application/json", "text/json", "text/javascript", "application/javascript":
	default:
		return false
	}
	src = strings.TrimSpace(src)
	if !strings.HasPrefix(src, "{") && !strings.HasPrefix(src, "[") {
		return false
	}
	head := src[:min(len(src), 300)]
	return strings.Contains(head, "schema.org") && strings.Contains(head, "@context")
}

// titleHeading is the <h1> after the first whose text matches og:title or
// <title> (one contains the other), when the first does not: where a page
// puts its logo or section name in an <h1> before the headline.
func titleHeading(m *meta) *html.Node {
	if len(m.h1s) < 2 {
		return nil
	}
	title := lettersOf(firstNonEmpty(m.first("og:title"), m.titleTag))
	matches := func(h *html.Node) bool {
		t := lettersOf(textOf(h))
		return len(t) >= 8 && (strings.Contains(title, t) || strings.Contains(t, title))
	}
	if title == "" || matches(m.h1s[0]) {
		return nil
	}
	for _, h := range m.h1s[1:] {
		if matches(h) {
			return h
		}
	}
	return nil
}

// lettersOf keeps the letters and digits of s, lower-cased: how two
// spellings of a title are compared ("THW : Vergangenheit" and "THW:
// Vergangenheit").
func lettersOf(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

func inSVG(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == atom.Svg {
			return true
		}
	}
	return false
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(strings.ToLower(list)) {
		if f == tok {
			return true
		}
	}
	return false
}

// parseJSONLD returns every object of a JSON-LD block, with @graph members
// and top-level arrays flattened. Invalid JSON yields nothing.
func parseJSONLD(src string) []map[string]any {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(src)), &v); err != nil {
		return nil
	}
	v = unescapeLD(v)
	var out []map[string]any
	var add func(any)
	add = func(v any) {
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				add(e)
			}
		case map[string]any:
			if g, ok := t["@graph"]; ok {
				add(g)
			}
			if _, ok := t["@type"]; ok {
				out = append(out, t)
			} else if ty, ok := t["type"].(string); ok && t["@context"] != nil {
				t["@type"] = ty // "type" for "@type" at the top of a schema.org object (a site's slip)
				out = append(out, t)
			}
		}
	}
	add(v)
	return out
}

// entity is a character reference left in a value after the HTML parser's
// own unescaping: sites escape their metadata twice ("O&#039;Donnell",
// "&#8222;Titel&#8220;" in og:title), and JSON-LD strings are not HTML
// ("Tom &amp; Jerry"). Left, they reach the index and Kibana as written.
var entity = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});`)

// unescapeEntities replaces the character references in s, when it has one.
func unescapeEntities(s string) string {
	if strings.IndexByte(s, '&') < 0 || !entity.MatchString(s) {
		return s
	}
	return html.UnescapeString(s)
}

// unescapeLD unescapes the character references of every string in a
// decoded JSON-LD value, in place.
func unescapeLD(v any) any {
	switch t := v.(type) {
	case string:
		return unescapeEntities(t)
	case []any:
		for i, e := range t {
			t[i] = unescapeLD(e)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = unescapeLD(e)
		}
	}
	return v
}

// ldTypes returns an object's @type values.
func ldTypes(o map[string]any) []string {
	switch t := o["@type"].(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

var articleTypes = map[string]bool{
	"article": true, "newsarticle": true, "reportagenewsarticle": true, "analysisnewsarticle": true,
	"opinionnewsarticle": true, "backgroundnewsarticle": true, "reviewnewsarticle": true,
	"askpublicnewsarticle": true, "blogposting": true, "socialmediaposting": true, "liveblogposting": true,
	"scholarlyarticle": true, "techarticle": true, "report": true, "satiricalarticle": true,
	"advertisercontentarticle": true, "medicalscholarlyarticle": true, "posting": true,
}

// listingTypes mark pages that list other pages.
var listingTypes = map[string]bool{
	"collectionpage": true, "searchresultspage": true, "itemlist": true, "profilepage": true,
}

// ldArticle returns the page's article object, if its JSON-LD has one.
func (m *meta) ldArticle() map[string]any { return m.ldFirst(articleTypes) }

// webPageTypes are the JSON-LD types of a page as a whole (Yoast SEO, on
// many WordPress sites, dates the WebPage and has no Article).
var webPageTypes = map[string]bool{"webpage": true, "itempage": true}

// ldWebPage returns the page's WebPage object, if its JSON-LD has one.
func (m *meta) ldWebPage() map[string]any { return m.ldFirst(webPageTypes) }

func (m *meta) ldHasType(set map[string]bool) bool { return m.ldFirst(set) != nil }

// ldFirst returns the first JSON-LD object of one of the types in set
// (lower case).
func (m *meta) ldFirst(set map[string]bool) map[string]any {
	for _, o := range m.ld {
		for _, t := range ldTypes(o) {
			if set[strings.ToLower(t)] {
				return o
			}
		}
	}
	return nil
}

// ldString reads a string property; for an object it takes its name, url or
// @value, for a list its first usable member.
func ldString(v any) string {
	switch t := v.(type) {
	case string:
		return collapse(t)
	case []any:
		for _, e := range t {
			if s := ldString(e); s != "" {
				return s
			}
		}
	case map[string]any:
		for _, k := range []string{"name", "url", "@value", "@id"} {
			if s, ok := t[k].(string); ok && collapse(s) != "" {
				return collapse(s)
			}
		}
	}
	return ""
}

// ldNames reads the names in a JSON-LD person or organisation value: a
// string, an object's name, or the name of the object its "@id" refers to
// elsewhere in the page's graph (Yoast SEO writes the article's author as
// {"@id": ".../#/schema/person/..."} and the Person beside it).
func (m *meta) ldNames(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{collapse(t)}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, m.ldNames(e)...)
		}
		return out
	case map[string]any:
		if s, ok := t["name"].(string); ok {
			return []string{collapse(s)}
		}
		if o := m.ldObject(t["@id"]); o != nil {
			if s, ok := o["name"].(string); ok {
				return []string{collapse(s)}
			}
		}
	}
	return nil
}

// ldObject is the page's JSON-LD object whose "@id" is id, or nil.
func (m *meta) ldObject(id any) map[string]any {
	s, ok := id.(string)
	if !ok || s == "" {
		return nil
	}
	for _, o := range m.ld {
		if o["@id"] == s {
			return o
		}
	}
	return nil
}

// ldSiteName finds the publisher's or the WebSite's name.
func (m *meta) ldSiteName(article map[string]any) string {
	if article != nil {
		if p, ok := article["publisher"].(map[string]any); ok {
			if s, ok := p["name"].(string); ok && collapse(s) != "" {
				return collapse(s)
			}
			if o := m.ldObject(p["@id"]); o != nil {
				if s, ok := o["name"].(string); ok {
					return collapse(s)
				}
			}
		}
	}
	for _, o := range m.ld {
		for _, t := range ldTypes(o) {
			if t == "WebSite" {
				if s, ok := o["name"].(string); ok {
					return collapse(s)
				}
			}
		}
	}
	return ""
}
