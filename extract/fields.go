package extract

import (
	"net/url"
	"strings"

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
