package extract

import (
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/urlcanon"
)

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
		// web addresses are already out (metaNames)
		return strings.EqualFold(s, site) || notNames[strings.ToLower(strings.TrimSpace(s))] ||
			!strings.Contains(strings.TrimSpace(s), " ") && strings.Contains(s, ".") || loginName(s)
	}
	if names := dedupe(metaNames(m.ldNames(ld["author"])), skip); len(names) > 0 {
		return names
	}
	if names := dedupe(metaNames(m.ldNames(ld["creator"])), skip); len(names) > 0 {
		return names
	}
	for _, k := range []string{"author", "article:author", "parsely-author", "sailthru.author", "dc.creator", "byl"} {
		if names := dedupe(metaNames(m.all(k)), skip); len(names) > 0 {
			return names
		}
	}
	return []string{}
}

// metaNames cleans the author names of metadata: a "By" taken off, e-mail
// addresses, web addresses and handles left out ("Lüder Hoppe
// info@buero-hoppe.de", "Frank Bueltge - http://bueltge.de", "@NatGeoUK",
// "Deutsche Welle (www.dw.com)"), quotes and separators trimmed.
func metaNames(names []string) []string {
	out := make([]string, 0, len(names))
	for _, s := range names {
		s = bylinePrefix.ReplaceAllString(collapse(s), "")
		words := strings.Fields(s)
		kept := words[:0]
		for _, w := range words {
			lw := strings.ToLower(strings.Trim(w, "()[]<>,;"))
			if strings.HasPrefix(lw, "@") || strings.Contains(lw, "@") && strings.Contains(lw, ".") ||
				strings.HasPrefix(lw, "http://") || strings.HasPrefix(lw, "https://") || strings.HasPrefix(lw, "www.") {
				continue
			}
			kept = append(kept, w)
		}
		out = append(out, strings.Trim(strings.Join(kept, " "), "'\"“”„‘’|·•,;:-–— "))
	}
	return out
}

// loginName reports a user name rather than a person's name: one word with
// digits or an underscore ("majainfos_zlfca4v6"), or lower-case words joined
// by hyphens ("sarah-indra"), as CMSs fill JSON-LD's Person when the author
// set no display name. "Jean-Pierre" and "Julia" are names.
func loginName(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || strings.Contains(s, " ") {
		return false
	}
	return strings.ContainsAny(s, "_0123456789") || strings.Contains(s, "-") && s == strings.ToLower(s)
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

// homeCrumbs name a breadcrumb trail's first step, the home page.
var homeCrumbs = setOf("home", "homepage", "home page", "start", "startseite", "inicio", "accueil", "accueil", "inicio", "portada", "strona główna",
	"główna", "home page", "الرئيسية", "الصفحة الرئيسية", "главная", "anasayfa", "ana sayfa", "forside", "etusivu")

// breadcrumbSection is the section a breadcrumb trail names: its first step
// after the home page (named as home, by the site's name or its domain)
// that is neither the article itself (its title, its URL) nor longer than
// five words. The trail is JSON-LD's BreadcrumbList,
// else a breadcrumb element's links. "" when there is none.
func breadcrumbSection(m *meta, doc *html.Node, title, site string, base *url.URL) string {
	var steps []crumb
	if list := m.ldFirst(map[string]bool{"breadcrumblist": true}); list != nil {
		items, _ := list["itemListElement"].([]any)
		for _, it := range items {
			o, ok := it.(map[string]any)
			if !ok {
				continue
			}
			c := crumb{name: ldString(o["name"])}
			if item, ok := o["item"].(map[string]any); ok {
				c.name = firstNonEmpty(c.name, ldString(item["name"]))
				c.url, _ = item["@id"].(string)
			} else if s, ok := o["item"].(string); ok {
				c.url = s
			}
			pos, _ := o["position"].(float64)
			c.pos = int(pos)
			steps = append(steps, c)
		}
		slices.SortStableFunc(steps, func(a, b crumb) int { return a.pos - b.pos })
	}
	if len(steps) == 0 {
		steps = htmlCrumbs(doc)
	}
	for i, c := range steps {
		name := collapse(c.name)
		low := strings.ToLower(name)
		switch {
		case name == "" || wordCount(name) > 5 || !hasLetterOrDigit(name):
		case i == 0 && (homeCrumbs[low] || isRootURL(c.url)):
		case homeCrumbs[low] || strings.EqualFold(name, site) || !strings.Contains(name, " ") && strings.Contains(name, "."):
			// the site's name or domain standing for its home page
		case strings.EqualFold(name, collapse(title)) || c.url != "" && base != nil && urlcanon.SamePage(absolute(c.url, base), base.String()):
			return "" // the article itself: no section before it
		default:
			return name
		}
	}
	return ""
}

type crumb struct {
	name, url string
	pos       int
}

// htmlCrumbs are the links of the first element whose class or id names a
// breadcrumb trail.
func htmlCrumbs(doc *html.Node) []crumb {
	trail := find(doc, func(n *html.Node) bool {
		if pageWide(n) {
			return false // "genesis-breadcrumbs-hidden" on a body is no trail
		}
		class, id := attr(n, "class"), attr(n, "id")
		if class == "" && id == "" || !strings.Contains(strings.ToLower(class+" "+id), "breadcrumb") {
			return false
		}
		for w := range classWords(n) {
			if w == "breadcrumb" || w == "breadcrumbs" {
				return true
			}
		}
		return false
	})
	if trail == nil {
		return nil
	}
	var out []crumb
	walkElements(trail, func(n *html.Node) bool {
		if n.DataAtom == atom.A {
			out = append(out, crumb{name: textOf(n), url: attr(n, "href")})
			return false
		}
		return true
	})
	return out
}

// isRootURL reports a link to a site's home page ("/", "https://site/").
func isRootURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && s != "" && (u.Path == "" || u.Path == "/") && u.RawQuery == ""
}

// pathSection is the section the page's address names in its first segment
// (after a language code), when the page itself links to that section's
// own page (/world/, /ar/economy/) under a short name: the name the site
// gives it there ("World", "اقتصاد"). Dates, numbers and the page's own
// last segment are no section. "" when there is none.
func pathSection(doc *html.Node, base *url.URL, site string) string {
	if base == nil {
		return ""
	}
	segs := strings.Split(strings.Trim(base.EscapedPath(), "/"), "/")
	prefix := ""
	if len(segs) > 1 && len(segs[0]) == 2 && primaryTag(segs[0]) != "" {
		prefix, segs = "/"+segs[0], segs[1:]
	}
	if len(segs) < 2 { // the page's own slug is no section
		return ""
	}
	seg := segs[0]
	if len(seg) < 2 || len(seg) > 40 || strings.ContainsAny(seg, ".;=") || strings.IndexFunc(seg, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return ""
	}
	want := strings.ToLower(prefix + "/" + seg)
	lowSeg := strings.ToLower(seg)
	rawSeg := lowSeg // as an href may write it: unescaped (/ar/اقتصاد/)
	if u, err := url.PathUnescape(seg); err == nil {
		rawSeg = strings.ToLower(u)
	}
	var name string
	walkElements(doc, func(n *html.Node) bool {
		if name != "" {
			return false
		}
		if n.DataAtom != atom.A {
			return true
		}
		href := attr(n, "href")
		if lh := strings.ToLower(href); !strings.Contains(lh, lowSeg) && !strings.Contains(lh, rawSeg) { // most links: no parse
			return false
		}
		u, err := base.Parse(strings.TrimSpace(href))
		if err != nil || u.Host != base.Host || u.RawQuery != "" {
			return false
		}
		if strings.ToLower(strings.TrimSuffix(u.EscapedPath(), "/")) == want {
			t := strings.TrimSpace(strings.TrimSuffix(textOf(n), "(current)"))
			low := strings.ToLower(t)
			switch {
			case t == "" || wordCount(t) > 4 || !hasLetterOrDigit(t):
			case homeCrumbs[low] || site != "" && (strings.EqualFold(t, site) || strings.Contains(low, strings.ToLower(site))):
			case strings.Contains(t, ".") && !strings.Contains(t, " ") || strings.Contains(low, base.Hostname()):
				// the site's name or domain on a link to its front section
			default:
				name = t
			}
		}
		return false
	})
	return name
}
