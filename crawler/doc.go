// Package crawler fetches pages: one at a time for `presscrawl extract URL`,
// and whole sites for `presscrawl crawl` on gocolly/colly (seeds, sitemaps,
// feeds, robots.txt, politeness, canonical dedup, crawl state kept in the
// data dir or in Redis so that a crawl resumes). It hands each fetched page
// to a Handler (package ingest extracts and stores it) with a narrow
// Frontier to ask for one more URL; it never extracts or stores itself.
//
// Files by concern: crawl.go (Config, the Crawler, Run), frontier.go (what
// joins the crawl, per-site queues feeding colly, redirects), response.go
// (colly's callbacks: headers, bodies, errors, a fetched page's settlement),
// discover.go (links, sitemaps, feeds, robots.txt sitemaps), statestore.go
// (the StateStore interface), state.go and redis.go (its two
// implementations), guard.go (private addresses, TLS roots), neterr.go
// (retries and error reasons), fetch.go (single pages), capture.go (WARC
// capture through a Capturer), stats.go (counters and the reasons that
// name a setting).
package crawler
