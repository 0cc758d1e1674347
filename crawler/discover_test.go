package crawler

import (
	"bytes"
	"compress/gzip"
	"net/url"
	"slices"
	"testing"
)

func TestParseSitemap(t *testing.T) {
	urlset := []byte(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc> https://a.example/1 </loc><news:news><news:title>T</news:title></news:news></url><url><loc>https://a.example/2</loc></url></urlset>`)
	pl, ml, err := parseSitemap(urlset)
	pages, maps := urlsOf(pl), urlsOf(ml)
	if err != nil || !slices.Equal(pages, []string{"https://a.example/1", "https://a.example/2"}) || len(maps) != 0 {
		t.Errorf("urlset: %q %q %v", pages, maps, err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`<sitemapindex><sitemap><loc>https://a.example/s1.xml</loc></sitemap><sitemap><loc>https://a.example/s2.xml.gz</loc></sitemap></sitemapindex>`))
	zw.Close()
	pl, ml, err = parseSitemap(gz.Bytes())
	pages, maps = urlsOf(pl), urlsOf(ml)
	if err != nil || len(pages) != 0 || !slices.Equal(maps, []string{"https://a.example/s1.xml", "https://a.example/s2.xml.gz"}) {
		t.Errorf("gzipped index: %q %q %v", pages, maps, err)
	}
	for _, bad := range []string{"<html><body>not a sitemap</body></html>", "<urlset><url><loc>x", "", "\x1f\x8bnot gzip"} {
		if _, _, err := parseSitemap([]byte(bad)); err == nil {
			t.Errorf("parseSitemap(%q): want an error", bad)
		}
	}
}

func TestParseFeed(t *testing.T) {
	rss := `<rss version="2.0"><channel><title>x</title><item><title>a</title><link>https://a.example/1</link></item><item><title>b</title><link>https://a.example/2</link></item></channel></rss>`
	atom := `<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>a</title><link href="https://a.example/3"/></entry></feed>`
	for _, tc := range []struct {
		in   string
		want []string
	}{{rss, []string{"https://a.example/1", "https://a.example/2"}}, {atom, []string{"https://a.example/3"}}} {
		gotl, err := parseFeed([]byte(tc.in))
		got := urlsOf(gotl)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseFeed: %q %v, want %q", got, err, tc.want)
		}
	}
	if _, err := parseFeed([]byte("<html></html>")); err == nil {
		t.Error("want an error for HTML")
	}
}

func TestPageLinks(t *testing.T) {
	links, base := pageLinks([]byte(`<html><head><base href="/news/"></head><body><a href="a">A</a> <A HREF="/b?x=1">B</A><area href="c"><a name="x">no href</a><link href="/style.css"></body></html>`))
	if base != "/news/" || !slices.Equal(links, []string{"a", "/b?x=1", "c"}) {
		t.Errorf("links %q base %q", links, base)
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		want     kind
	}{
		{"text/html; charset=utf-8", "<p>", kindHTML},
		{"application/rss+xml", "<rss>", kindFeed},
		{"application/xml", `<?xml version="1.0"?><urlset>`, kindSitemap},
		{"text/xml", `<?xml version="1.0"?><rss version="2.0">`, kindFeed},
		{"application/gzip", "\x1f\x8b\x08rest", kindSitemap},
		{"", "<!DOCTYPE html><html>", kindHTML},
		{"application/xml", "<other/>", kindOther},
		{"application/pdf", "%PDF", kindOther},
	} {
		if got := classify(tc.ct, []byte(tc.body)); got != tc.want {
			t.Errorf("classify(%q, %q) = %v, want %v", tc.ct, tc.body, got, tc.want)
		}
	}
}

func TestScope(t *testing.T) {
	mustURL := func(s string) *url.URL { u, _ := url.Parse(s); return u }
	s, err := newScope(false, nil, []string{`/private/`})
	if err != nil {
		t.Fatal(err)
	}
	s.addSeed(mustURL("https://www.arabpress.example/"))
	for raw, want := range map[string]bool{
		"https://arabpress.example/a":            true,
		"http://www.arabpress.example/b":         true,
		"https://news.arabpress.example/c":       false,
		"https://other.example/":                 false,
		"https://arabpress.example/private/x":    false,
		"https://arabpress.example:8443/a":       false,
		"https://arabpress.example.evil.test/a/": false,
	} {
		if got := s.contains(mustURL(raw)); got != want {
			t.Errorf("contains(%s) = %v, want %v", raw, got, want)
		}
	}
	sub, _ := newScope(true, []string{`/20\d\d/`}, nil)
	sub.addSeed(mustURL("https://www.bbc.co.uk/"))
	for raw, want := range map[string]bool{
		"https://news.bbc.co.uk/2024/x": true,
		"https://bbc.co.uk/2024/y":      true,
		"https://news.bbc.co.uk/about":  false, // not allowed by --allow
		"https://co.uk/2024/z":          false,
	} {
		if got := sub.contains(mustURL(raw)); got != want {
			t.Errorf("with subdomains: contains(%s) = %v, want %v", raw, got, want)
		}
	}
	if _, err := newScope(false, []string{"("}, nil); err == nil {
		t.Error("a bad --allow pattern must be an error")
	}
}
