package crawler

import (
	"testing"

	"github.com/temoto/robotstxt"
)

// FuzzDiscovery: sitemap, feed, robots.txt and link parsing never panic on
// any bytes a server may send.
func FuzzDiscovery(f *testing.F) {
	for _, s := range []string{
		`<urlset><url><loc>https://a.example/1</loc></url></urlset>`,
		`<sitemapindex><sitemap><loc>https://a.example/s.xml</loc></sitemap></sitemapindex>`,
		`<rss version="2.0"><channel><item><link>https://a.example/1</link></item></channel></rss>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="/x"/></entry></feed>`,
		"User-agent: *\nDisallow: /private/\nSitemap: https://a.example/s.xml\n",
		`<html><base href="/b/"><a href="x">x</a></html>`,
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = parseSitemap(b)
		_, _ = parseFeed(b)
		_, _ = pageLinks(b)
		_ = classify("", b)
		if r, err := robotstxt.FromBytes(b); err == nil {
			_ = r.TestAgent("/a/b", "presscrawl")
		}
	})
}
