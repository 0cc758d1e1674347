package crawler

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// kind is what a fetched body is, for routing.
type kind int

const (
	kindHTML kind = iota
	kindSitemap
	kindFeed
	kindOther
)

// maxXMLBytes bounds a decompressed sitemap.
const maxXMLBytes = 64 << 20

// classify decides what a response is from its media type and first bytes.
func classify(contentType string, body []byte) kind {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "text/html", "application/xhtml+xml":
		return kindHTML
	case "application/rss+xml", "application/atom+xml", "application/feed+json":
		return kindFeed
	case "application/xml", "text/xml", "application/gzip", "application/x-gzip", "", "text/plain", "application/octet-stream":
		head := body
		if isGzip(body) {
			return kindSitemap // sitemaps are the gzipped XML crawls meet
		}
		if len(head) > 2048 {
			head = head[:2048]
		}
		h := strings.ToLower(string(head))
		switch {
		case strings.Contains(h, "<urlset") || strings.Contains(h, "<sitemapindex"):
			return kindSitemap
		case strings.Contains(h, "<rss") || strings.Contains(h, "<feed") || strings.Contains(h, "<rdf:rdf"):
			return kindFeed
		case strings.Contains(h, "<html") || strings.Contains(h, "<!doctype html"):
			return kindHTML
		}
	}
	return kindOther
}

func isGzip(b []byte) bool { return len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b }

// link is a URL a sitemap or feed lists, with when it last changed, when
// the list says.
type link struct {
	URL      string
	Modified time.Time
}

func urlsOf(ls []link) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.URL
	}
	return out
}

// parseW3CDate reads a sitemap <lastmod> (W3C datetime: a day, or a time
// with an offset); zero when absent or unreadable.
func parseW3CDate(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// parseSitemap returns the page URLs of a urlset and the sitemap URLs of a
// sitemap index (gzipped or not), with their <lastmod>.
func parseSitemap(body []byte) (pages, sitemaps []link, err error) {
	if isGzip(body) {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap gzip: %w", err)
		}
		body, err = io.ReadAll(io.LimitReader(zr, maxXMLBytes+1))
		if err != nil {
			return nil, nil, fmt.Errorf("sitemap gzip: %w", err)
		}
		if len(body) > maxXMLBytes {
			return nil, nil, fmt.Errorf("sitemap larger than %d bytes decompressed", maxXMLBytes)
		}
	}
	var doc struct {
		XMLName xml.Name
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("sitemap XML: %w", err)
	}
	switch doc.XMLName.Local {
	case "urlset", "sitemapindex":
	default:
		return nil, nil, fmt.Errorf("sitemap XML: root element <%s>, want <urlset> or <sitemapindex>", doc.XMLName.Local)
	}
	for _, u := range doc.URLs {
		if loc := strings.TrimSpace(u.Loc); loc != "" {
			pages = append(pages, link{loc, parseW3CDate(u.LastMod)})
		}
	}
	for _, s := range doc.Sitemaps {
		if loc := strings.TrimSpace(s.Loc); loc != "" {
			sitemaps = append(sitemaps, link{loc, parseW3CDate(s.LastMod)})
		}
	}
	return pages, sitemaps, nil
}

// parseFeed returns the item links of an RSS, Atom or JSON feed, with the
// time each item was updated, when it says (Atom <updated>, JSON Feed
// date_modified).
func parseFeed(body []byte) ([]link, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	var links []link
	for _, it := range f.Items {
		var mod time.Time // when the item says it changed; a publication date does not say
		if it.UpdatedParsed != nil {
			mod = *it.UpdatedParsed
		}
		if it.Link != "" {
			links = append(links, link{it.Link, mod})
			continue
		}
		for _, l := range it.Links {
			links = append(links, link{l, mod})
		}
	}
	return links, nil
}

// pageLinks returns the <a>/<area> hrefs of an HTML page and its <base>
// href, with a tokenizer: no tree is built.
func pageLinks(body []byte) (links []string, base string) {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return links, base
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if !hasAttr || (a != atom.A && a != atom.Area && a != atom.Base) {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" {
					if a == atom.Base {
						if base == "" {
							base = string(v)
						}
					} else {
						links = append(links, string(v))
					}
				}
				if !more {
					break
				}
			}
		}
	}
}

// IsHTML reports whether a response is an HTML page (not a sitemap, feed
// or other document), as the crawler decides.
func IsHTML(contentType string, body []byte) bool { return classify(contentType, body) == kindHTML }
