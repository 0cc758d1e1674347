package crawler

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/presscrawl/presscrawl/urlcanon"
	"github.com/presscrawl/presscrawl/warc"
)

// stop ends the crawl after an error that makes going on pointless.
func (c *Crawler) stop(err error) {
	c.mu.Lock()
	if c.fatal == nil {
		c.fatal = err
	}
	c.mu.Unlock()
	c.cancel()
}

func (c *Crawler) onRequest(r *colly.Request) {
	c.creds.apply(r.URL, r.Headers)
	e, site := entryOf(r.Ctx), r.Ctx.Get("site")
	if c.ctx.Err() != nil {
		r.Abort() // interrupted: stays queued for the next run
		c.giveBack(e)
		c.release(site)
		return
	}
	first := r.Ctx.GetAny("attempt").(int) == 0 // a retry is not a new page
	if first && c.unchanged(r, e) {
		r.Abort()
		c.stats.skip(SkipNotChanged)
		c.settle(e, []string{e.Key}, nil, nil)
		c.release(site)
		return
	}
	if first {
		if n := c.started.Add(1); c.cfg.MaxPages > 0 && n > int64(c.cfg.MaxPages) {
			r.Abort() // stays queued
			c.giveBack(e)
			c.release(site)
			return
		}
	}
	if c.wait != nil {
		if err := c.wait(c.ctx, site); err != nil {
			r.Abort()
			c.giveBack(e)
			c.release(site)
			if c.ctx.Err() == nil {
				c.stop(fmt.Errorf("politeness: %w", err))
			}
			return
		}
	}
	// colly would inflate a *.gz body without bound: such sitemaps are
	// fetched here instead, with bounded decompression.
	if strings.HasSuffix(strings.ToLower(r.URL.Path), ".gz") {
		r.Abort()
		c.stats.fetched.Add(1)
		found := c.gzipSitemap(r.URL, e.Depth)
		c.settle(e, []string{e.Key}, nil, found)
		c.release(site)
	}
}

// onHeaders refuses what is not a page, feed or sitemap before its body is
// read, and keeps the charset away from colly, which would re-encode the
// body: charset decisions are the extractor's.
func (c *Crawler) onHeaders(r *colly.Response) {
	ct := r.Headers.Get("Content-Type")
	r.Ctx.Put("content-type", ct)
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		r.Headers.Set("Content-Type", mt)
	} else {
		mt = ""
	}
	if r.StatusCode >= 300 {
		return
	}
	// colly gunzips gzip-typed bodies itself, with no bound on the output
	// (its limit counts compressed bytes): hide the type; parseSitemap
	// inflates with a bound. (*.gz URLs never reach colly: see onRequest.)
	if mt == "application/gzip" || mt == "application/x-gzip" {
		r.Headers.Set("Content-Type", "application/octet-stream")
	}
	if !acceptable(mt) {
		r.Ctx.Put("skip", "not HTML ("+mt+")")
		r.Request.Abort()
		return
	}
	if n := r.Headers.Get("Content-Length"); n != "" {
		var size int64
		if _, err := fmt.Sscan(n, &size); err == nil && size > int64(c.cfg.MaxBodyBytes) {
			r.Ctx.Put("skip", "too large")
			r.Request.Abort()
		}
	}
}

func acceptable(mt string) bool {
	switch mt {
	case "", "text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain",
		"application/rss+xml", "application/atom+xml", "application/feed+json",
		"application/gzip", "application/x-gzip", "application/octet-stream":
		return true
	}
	return false
}

// unchanged decides, for an article stored by an earlier crawl, whether
// to fetch it again: not when a sitemap or feed dates its last change
// before that fetch, nor when it is younger than RecrawlAfter (unless one
// dates a change after it). When fetched, the request is conditional
// (If-None-Match, If-Modified-Since), so an unchanged page costs a 304.
// Pages that lead to others (home, listings, sitemaps, feeds) are always
// fetched in full: they show what is new.
func (c *Crawler) unchanged(r *colly.Request, e *Entry) bool {
	v, ok, err := c.state.LastVisit(context.WithoutCancel(c.ctx), e.Key)
	if err != nil || !ok || !v.Leaf {
		return false
	}
	changedSince := e.LastMod >= v.At.Unix() // the same second: cannot tell, so fetch
	if e.LastMod > 0 && !changedSince {
		return true
	}
	if c.cfg.RecrawlAfter > 0 && time.Since(v.At) < c.cfg.RecrawlAfter && !changedSince {
		return true
	}
	r.Ctx.Put("previous", v)
	if v.ETag != "" {
		r.Headers.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		r.Headers.Set("If-Modified-Since", v.LastModified)
	}
	return false
}

// keysOf lists the dedup keys a response settles: the URL asked for, and
// the one answered when a redirect led elsewhere.
func keysOf(e *Entry, final *url.URL) []string {
	keys := []string{e.Key}
	// The redirect target's key too (redirect refuses targets over
	// MaxURLBytes, so it fits the state).
	if fu, err := urlcanon.Parse(final.String(), nil); err == nil {
		if k := urlcanon.Key(fu); k != e.Key && len(k) <= maxStateKey {
			keys = append(keys, k)
		}
	}
	return keys
}

// settleFetched settles a fetched entry and forgets the redirect target it
// reserved.
func (c *Crawler) settleFetched(e *Entry, keys []string, visit *Visit, found []Entry) {
	c.settle(e, keys, visit, found)
	if len(keys) > 1 {
		c.mu.Lock()
		delete(c.following, keys[1])
		c.mu.Unlock()
	}
}

func (c *Crawler) onResponse(r *colly.Response) {
	e := entryOf(r.Ctx)
	final := r.Request.URL
	keys := keysOf(e, final)
	// The site's request slot covers the fetch only: processing holds a
	// worker slot instead, so the next request of the site goes out now.
	c.work <- struct{}{}
	c.release(r.Ctx.Get("site"))
	var found []Entry
	visit := &Visit{At: time.Now().UTC(), ETag: r.Headers.Get("ETag"), LastModified: r.Headers.Get("Last-Modified")}
	done := true // false when the page must be fetched again by the next run
	defer func() {
		if done {
			c.settleFetched(e, keys, visit, found)
		} else {
			c.settle(nil, nil, nil, found) // keeps its links; the page stays queued
			c.giveBack(e)
		}
		<-c.work
	}()
	// A bug that panics on one page must not end a crawl of millions: the
	// page is counted as an error (its links found so far are kept).
	defer func() {
		if p := recover(); p != nil {
			c.stats.fail(fmt.Sprintf("internal error, please report: %v", p))
		}
	}()
	c.stats.fetched.Add(1)
	c.seeds.mark(e.Key, "")
	if len(r.Body) > c.cfg.MaxBodyBytes {
		c.stats.skip("too large")
		return
	}
	ct := r.Ctx.Get("content-type")
	prov := takeProvenance(r.Headers) // the capturing transport kept the exchange
	if c.cfg.Capture != nil && prov.RecordID == "" && c.ctx.Err() != nil {
		done = false // its capture failed: the crawl is stopping, the page stays queued
		return
	}
	switch classify(ct, r.Body) {
	case kindSitemap:
		c.lists <- struct{}{} // one sitemap (up to 50,000 URLs) at a time: memory stays flat
		defer func() { <-c.lists }()
		pages, maps, err := parseSitemap(r.Body)
		if err != nil {
			c.stats.fail("bad sitemap")
			return
		}
		for _, p := range maps {
			found = c.admitLink(found, p, final, e.Depth) // sitemaps are as near as the sitemap
		}
		for _, p := range pages {
			found = c.admitLink(found, p, final, c.listedDepth(e.Depth)) // so are its pages, but for SeedsOnly
			found = c.queueEarly(found)
		}
		c.stats.skip("sitemap (followed)")
	case kindFeed:
		links, err := parseFeed(r.Body)
		if err != nil {
			c.stats.fail("bad feed")
			return
		}
		for _, l := range links {
			found = c.admitLink(found, l, final, c.listedDepth(e.Depth))
		}
		c.stats.skip("feed (followed)")
	case kindHTML:
		done = c.handleHTML(r, e, ct, prov, &found, visit)
	default:
		c.stats.skip("not HTML (" + ct + ")")
	}
}

// listedDepth is the depth of a page a sitemap or feed at depth lists: the
// same (its pages count as seeds), or, crawling the seeds only, the last
// depth, so that their links are not followed.
func (c *Crawler) listedDepth(depth int) int {
	if c.cfg.SeedsOnly {
		return c.cfg.MaxDepth
	}
	return depth
}

// handleHTML adds the URLs a page links to (and its canonical page, when
// the Handler follows it) to found, then hands the page to the Handler.
// Links come first: a page the Handler fails on still leads on. It reports
// false when the Handler failed, so the page is not done.
func (c *Crawler) handleHTML(r *colly.Response, e *Entry, ct string, prov warc.Provenance, found *[]Entry, visit *Visit) bool {
	final := r.Request.URL
	links, base := pageLinks(r.Body)
	baseURL := final
	if base != "" {
		if b, err := final.Parse(base); err == nil {
			baseURL = b
		}
	}
	for _, l := range links {
		*found = c.admitTo(*found, l, baseURL, e.Depth+1)
	}
	page := &Page{
		URL: e.URL, FinalURL: final.String(), StatusCode: r.StatusCode, ContentType: ct,
		ContentLanguage: r.Headers.Get("Content-Language"), Body: r.Body, FetchedAt: time.Now().UTC(), Depth: e.Depth,
		WARCFile: prov.File, WARCRecordID: prov.RecordID, Shared: c.wait != nil,
	}
	front := pageFrontier{c: c, base: final, depth: e.Depth, found: found}
	out, err := c.handler.HandlePage(context.WithoutCancel(c.ctx), page, front) // in-flight pages are finished
	if err != nil {
		c.stop(fmt.Errorf("%s: %w", final, err))
		return false
	}
	visit.Leaf = out.Stored || out.Unchanged
	if out.Rendered {
		c.stats.rendered.Add(1)
	}
	switch {
	case out.Stored:
		c.stats.stored.Add(1)
		if out.Revised {
			c.stats.revised.Add(1)
		}
	case out.Unchanged:
		c.stats.unchanged.Add(1)
	case out.Skip != "":
		c.stats.skip(out.Skip)
		if out.Skip == SkipConsentWall {
			c.seeds.mark(e.Key, SeedConsentWall)
		}
	}
	return true
}

func (c *Crawler) onError(r *colly.Response, err error) {
	e, site := entryOf(r.Ctx), r.Ctx.Get("site")
	if errors.Is(err, colly.ErrAbortedBeforeRequest) {
		c.giveBack(e) // interrupted while waiting for its turn: stays queued
		c.release(site)
		return
	}
	keys := keysOf(e, r.Request.URL)
	if errors.Is(err, colly.ErrAbortedAfterHeaders) {
		c.stats.fetched.Add(1)
		c.seeds.mark(e.Key, "")
		c.stats.skip(r.Ctx.Get("skip"))
		c.settleFetched(e, keys, nil, nil)
		c.release(site)
		return
	}
	attempt := r.Ctx.GetAny("attempt").(int)
	if retryable(r.StatusCode, err) && attempt < c.cfg.Retries {
		if c.ctx.Err() != nil {
			c.giveBack(e) // interrupted: stays queued and is tried again by the next run
			c.release(site)
			return
		}
		r.Ctx.Put("attempt", attempt+1)
		wait := c.cfg.RetryBackoff << attempt
		if ra, ok := retryAfter(r.Headers, time.Now()); ok && (r.StatusCode == http.StatusTooManyRequests || r.StatusCode == http.StatusServiceUnavailable) {
			wait = min(ra, MaxRetryAfter) // the server says when: honoured, within bounds
		}
		select {
		case <-time.After(wait):
		case <-c.ctx.Done():
			c.giveBack(e) // stays queued
			c.release(site)
			return
		}
		if rerr := r.Request.Retry(); rerr == nil {
			return // the retry keeps the slot
		}
	}
	c.stats.fetched.Add(1)
	var visit *Visit
	switch {
	case r.StatusCode == http.StatusNotModified:
		c.stats.notModified.Add(1)
		visit = &Visit{At: time.Now().UTC(), ETag: r.Headers.Get("ETag"), LastModified: r.Headers.Get("Last-Modified")}
		if prev, ok := r.Ctx.GetAny("previous").(Visit); ok { // a 304 need not repeat the validators
			visit.Leaf = prev.Leaf
			if visit.ETag == "" {
				visit.ETag = prev.ETag
			}
			if visit.LastModified == "" {
				visit.LastModified = prev.LastModified
			}
		}
		c.seeds.mark(e.Key, "")
	case r.StatusCode >= 300 && r.StatusCode < 400:
		c.stats.skip("redirect out of scope or to a known URL")
		reason := fmt.Sprintf("HTTP %d: a redirect out of scope or to a page already known", r.StatusCode)
		if r.Headers != nil && r.Headers.Get("Location") != "" {
			reason += " (" + urlcanon.Redact(r.Headers.Get("Location")) + ")"
		}
		c.seeds.mark(e.Key, reason)
	case r.StatusCode >= 400:
		c.stats.fail(fmt.Sprintf("HTTP %d", r.StatusCode))
		c.seeds.mark(e.Key, fmt.Sprintf("HTTP %d", r.StatusCode))
	default:
		c.stats.fail(errorReason(err))
		c.seeds.mark(e.Key, errorReason(err))
	}
	c.settleFetched(e, keys, visit, nil)
	c.release(site)
}

// gzipSitemap fetches a gzipped sitemap outside colly and reads it with
// bounded decompression; it returns the URLs it lists.
func (c *Crawler) gzipSitemap(u *url.URL, depth int) []Entry {
	f := NewFetcher(FetcherOptions{UserAgent: c.cfg.UserAgent, Timeout: c.cfg.Timeout, MaxBodyBytes: int64(c.cfg.MaxBodyBytes), Transport: c.client})
	p, err := f.fetch(context.WithoutCancel(c.ctx), u.String(), true)
	if err != nil {
		c.stats.fail("bad sitemap")
		return nil
	}
	c.lists <- struct{}{}
	defer func() { <-c.lists }()
	pages, maps, err := parseSitemap(p.Body)
	if err != nil {
		c.stats.fail("bad sitemap")
		return nil
	}
	c.stats.skip("sitemap (followed)")
	var found []Entry
	for _, l := range maps {
		found = c.admitLink(found, l, u, depth)
	}
	for _, l := range pages {
		found = c.admitLink(found, l, u, c.listedDepth(depth))
		found = c.queueEarly(found)
	}
	return found
}
