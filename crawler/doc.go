// Package crawler fetches pages: one at a time for `presscrawl extract URL`
// and, later, whole sites (seeds, sitemaps, feeds, robots.txt, politeness,
// canonical dedup, resumable state). It hands fetched pages on; it never
// extracts or stores them.
package crawler
