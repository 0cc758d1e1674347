package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"

	"github.com/presscrawl/presscrawl/urlcanon"
	"github.com/presscrawl/presscrawl/warc"
)

// Config sets a crawl's scope, politeness and limits.
type Config struct {
	MaxDepth          int           // link hops from a seed; sitemap and feed entries count as seeds
	MaxPages          int           // pages to fetch at most; 0 means no limit
	Delay             time.Duration // pause after each request, per connection slot and site
	Parallelism       int           // requests in flight per site
	UserAgent         string
	Timeout           time.Duration // one request, connection to last byte
	Retries           int           // extra tries after a 5xx answer or a network error
	RetryBackoff      time.Duration // wait before the first retry; doubles after each
	MaxBodyBytes      int           // larger responses are skipped
	IgnoreRobots      bool
	IncludeSubdomains bool
	// AllowPrivate lets a crawl of public seeds reach private, loopback and
	// link-local addresses; a crawl whose seeds are local may anyway.
	AllowPrivate bool
	Allow, Deny  []string // regular expressions on the canonical URL
	// RootCAs, when set, are the certificate authorities trusted (see
	// CertPool); nil trusts the system's.
	RootCAs *x509.CertPool
	// Archive, when set, keeps every response fetched (WARC).
	Archive Archiver
	// RecrawlAfter, in a crawl after a complete one, leaves pages fetched
	// more recently than this alone (their links are not followed again),
	// and asks the server whether older ones changed (ETag,
	// Last-Modified). Zero fetches every page again, conditionally.
	RecrawlAfter time.Duration
}

// DefaultConfig is the configuration of `presscrawl crawl` without flags.
func DefaultConfig() Config {
	return Config{MaxDepth: 5, Delay: time.Second, Parallelism: 4, Timeout: 15 * time.Second,
		Retries: 2, RetryBackoff: time.Second, MaxBodyBytes: 10 << 20}
}

// Page is one fetched HTML page: what Fetcher.Fetch returns and what a
// crawl hands to its Handler.
type Page struct {
	// URL is the address asked for; FinalURL the one answered after redirects.
	URL, FinalURL   string
	StatusCode      int
	ContentType     string
	ContentLanguage string
	Body            []byte
	FetchedAt       time.Time
	Depth           int // link hops from a seed (crawls only)
	// WARCFile and WARCRecordID name the response's capture, when archived.
	WARCFile, WARCRecordID string
}

// Handler receives every fetched HTML page, from several goroutines at once,
// with the crawl's frontier for that page. An error stops the crawl (the
// page stays queued for the next run).
type Handler interface {
	HandlePage(ctx context.Context, p *Page, f Frontier) (Outcome, error)
}

// Frontier is all a Handler may ask of the crawl: to fetch one more URL.
type Frontier interface {
	// Follow asks the crawl to fetch rawURL too, at the page's depth: for a
	// page whose canonical URL is elsewhere. It reports whether the crawl
	// fetches it now or already has; false when it is out of scope.
	Follow(rawURL string) bool
}

// pageFrontier is the Frontier of one fetched page: what it adds joins the
// links found on the page, settled with it.
type pageFrontier struct {
	c     *Crawler
	base  *url.URL
	depth int
	found *[]Entry
}

func (f pageFrontier) Follow(raw string) bool {
	ne, ok := f.c.admit(raw, f.base, f.depth)
	if !ok {
		return false
	}
	if known, err := f.c.state.Known(context.WithoutCancel(f.c.ctx), ne.Key); err == nil && known {
		return true
	}
	*f.found = append(*f.found, ne)
	return true
}

// Outcome is what the Handler did with a page.
type Outcome struct {
	Stored    bool   // a record was written
	Unchanged bool   // a record with the same content was already stored
	Skip      string // why nothing was stored ("not an article", …), when not stored
}

// Crawler runs one crawl. Create it with New.
type Crawler struct {
	cfg     Config
	state   Store
	handler Handler
	stats   *Stats
	scope   *scope

	collector *colly.Collector
	sites     map[string]*siteQueue
	work      chan struct{} // bounds pages in extraction and storage at once
	lists     chan struct{} // bounds sitemaps being read at once
	transport *http.Transport
	client    http.RoundTripper // transport with the robots.txt limit
	mu        sync.Mutex
	following map[string]bool // redirect targets being fetched now
	started   atomic.Int64    // requests begun, for MaxPages
	// wait, when set, holds a request until its site's politeness slot
	// (shared by several processes); colly's own delay is then off.
	wait   func(ctx context.Context, site string) error
	ctx    context.Context
	fatal  error
	cancel context.CancelFunc
}

// New prepares a crawl that keeps its progress in state and hands pages to h.
func New(cfg Config, state Store, h Handler) (*Crawler, error) {
	if cfg.Parallelism < 1 {
		return nil, fmt.Errorf("parallelism %d: want 1 or more", cfg.Parallelism)
	}
	if cfg.MaxDepth < 0 || cfg.Delay < 0 || cfg.Retries < 0 || cfg.MaxPages < 0 {
		return nil, errors.New("depth, delay, retries and max pages cannot be negative")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultConfig().MaxBodyBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultConfig().Timeout
	}
	sc, err := newScope(cfg.IncludeSubdomains, cfg.Allow, cfg.Deny)
	if err != nil {
		return nil, err
	}
	c := &Crawler{cfg: cfg, state: state, handler: h, stats: newStats(), scope: sc, following: map[string]bool{}}
	if p, ok := state.(interface {
		politeness(delay time.Duration, parallelism int) func(context.Context, string) error
	}); ok && cfg.Delay > 0 {
		c.wait = p.politeness(cfg.Delay, cfg.Parallelism)
	}
	return c, nil
}

// Stats returns the live counters, for a progress display.
func (c *Crawler) Stats() *Stats { return c.stats }

// Run crawls from the seeds (site, sitemap or feed URLs) until nothing is
// left, the page limit is reached, or ctx is cancelled: then pages in
// flight are finished, the rest stays queued, and the next Run with the
// same state resumes. It returns the final counts and whether it resumed.
func (c *Crawler) Run(ctx context.Context, seeds []string) (Snapshot, bool, error) {
	var seedURLs []*url.URL
	for _, s := range seeds {
		u, err := urlcanon.Parse(s, nil)
		if err != nil {
			return Snapshot{}, false, fmt.Errorf("seed %q: %w", s, err)
		}
		seedURLs = append(seedURLs, u)
	}
	if len(seedURLs) == 0 {
		return Snapshot{}, false, errors.New("no seed URLs")
	}
	sites := map[string]bool{}
	for _, u := range seedURLs {
		sites[c.scope.addSeed(u)] = true
	}
	resumed, queued, err := c.state.Begin(ctx)
	if err != nil {
		return Snapshot{}, false, err
	}
	c.stats.queued.Store(queued)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.ctx, c.cancel = runCtx, cancel
	var hosts []string
	for _, u := range seedURLs {
		hosts = append(hosts, u.Hostname())
	}
	c.transport = guardedTransport(c.cfg.AllowPrivate || localSeeds(runCtx, hosts), c.cfg.Parallelism, c.cfg.RootCAs)
	c.client = robotsLimit{c.transport}
	defer c.transport.CloseIdleConnections()
	if err := c.setupCollector(sites); err != nil {
		return Snapshot{}, resumed, err
	}

	c.pumpAll() // what an interrupted run left
	var start []Entry
	for _, u := range seedURLs {
		start = c.admitTo(start, u.String(), nil, 0)
		if !c.cfg.IgnoreRobots {
			for _, sm := range c.robotsSitemaps(u) {
				start = c.admitTo(start, sm, u, 0) // relative Sitemap: lines occur
			}
		}
	}
	c.settle(nil, nil, nil, start)
	c.drain(runCtx)

	interrupted := ctx.Err() != nil || c.fatal != nil
	if q, _, err := c.state.Remaining(context.WithoutCancel(ctx)); err == nil {
		c.stats.queued.Store(q)
	}
	if err := c.state.End(context.WithoutCancel(ctx), interrupted); err != nil {
		return c.stats.Snapshot(), resumed, fmt.Errorf("crawl state: %w", err)
	}
	if c.fatal != nil {
		return c.stats.Snapshot(), resumed, c.fatal
	}
	return c.stats.Snapshot(), resumed, nil
}

// drain waits until the crawl has nothing left: no request of this process
// in flight, nothing queued for its sites, and (when the state is shared)
// no page in flight in another process, which could still queue links.
func (c *Crawler) drain(ctx context.Context) {
	for {
		c.collector.Wait()
		if ctx.Err() != nil {
			return
		}
		if c.pumpAll() > 0 {
			continue
		}
		queued, inFlight, err := c.state.Remaining(ctx) // takes over a dead process's pages
		if err != nil {
			c.stop(fmt.Errorf("crawl state: %w", err))
			return
		}
		if inFlight == 0 {
			if queued > 0 && c.pumpAll() > 0 {
				continue // pages taken over
			}
			return
		}
		select { // another process is still fetching: it may queue more
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Crawler) setupCollector(sites map[string]bool) error {
	col := colly.NewCollector(colly.Async(true))
	col.UserAgent = c.cfg.UserAgent
	col.IgnoreRobotsTxt = c.cfg.IgnoreRobots // colly's default ignores robots.txt: set it explicitly
	col.AllowURLRevisit = true               // dedup is ours, on canonical URLs, and persisted
	col.MaxBodySize = c.cfg.MaxBodyBytes + 1 // colly truncates silently: one byte more tells
	col.ParseHTTPErrorResponse = false
	col.WithTransport(c.client)
	col.SetRequestTimeout(c.cfg.Timeout)
	col.SetRedirectHandler(c.redirect)
	c.sites = map[string]*siteQueue{}
	c.work = make(chan struct{}, 8*runtime.GOMAXPROCS(0)) // storage waits on commits: more than the cores
	c.lists = make(chan struct{}, 1)
	for site := range sites {
		c.sites[site] = &siteQueue{slots: c.cfg.Parallelism}
		delay := c.cfg.Delay
		if c.wait != nil {
			delay = 0 // the shared politeness slot in onRequest instead
		}
		if err := col.Limit(&colly.LimitRule{DomainRegexp: c.scope.hostPattern(site), Parallelism: c.cfg.Parallelism, Delay: delay}); err != nil {
			return fmt.Errorf("politeness rule for %s: %w", site, err)
		}
	}
	col.OnRequest(c.onRequest)
	// colly calls OnRequest before a request waits for its site's politeness
	// slot and OnRequestHeaders after: an interruption must stop the
	// requests waiting there too.
	col.OnRequestHeaders(func(r *colly.Request) {
		if c.ctx.Err() != nil {
			r.Abort()
		}
	})
	col.OnResponseHeaders(c.onHeaders)
	col.OnResponse(c.onResponse)
	col.OnError(c.onError)
	c.collector = col
	return nil
}

// MaxURLBytes bounds the URLs a crawl follows: longer ones are traps or
// junk (servers and browsers refuse them far earlier), and the crawl state
// could not key them.
const MaxURLBytes = 4096

// admit decides whether a URL found at depth may join the crawl: in scope,
// not too deep, under the page limit. Whether it is new is the state's
// decision, when settling: that is atomic, also across processes.
func (c *Crawler) admit(raw string, base *url.URL, depth int) (Entry, bool) {
	if len(raw) > MaxURLBytes {
		c.stats.skip("URL too long")
		return Entry{}, false
	}
	u, err := urlcanon.Parse(raw, base)
	if err != nil || depth > c.cfg.MaxDepth || !c.scope.contains(u) {
		return Entry{}, false
	}
	if c.cfg.MaxPages > 0 && c.started.Load() >= int64(c.cfg.MaxPages) {
		return Entry{}, false
	}
	return Entry{URL: u.String(), Key: urlcanon.Key(u), Depth: depth, Site: c.scope.site(u.Host)}, true
}

// admitTo appends the URL's queue entry to found when it may join.
func (c *Crawler) admitTo(found []Entry, raw string, base *url.URL, depth int) []Entry {
	if e, ok := c.admit(raw, base, depth); ok {
		found = append(found, e)
	}
	return found
}

// admitLink is admitTo for a sitemap or feed entry, with its date.
func (c *Crawler) admitLink(found []Entry, l link, base *url.URL, depth int) []Entry {
	if e, ok := c.admit(l.URL, base, depth); ok {
		if !l.Modified.IsZero() {
			e.LastMod = l.Modified.Unix()
		}
		found = append(found, e)
	}
	return found
}

// earlyBatch is how many URLs of a long list (a sitemap) are queued in one
// transaction before the list's page is done.
const earlyBatch = 2000

// queueEarly queues the URLs found so far when they are many, before the
// page that lists them is done, so that a sitemap of 50,000 URLs is not
// one huge transaction. Should the crawl stop before the page is done, the
// page is fetched again and its URLs, already known, are not queued twice.
func (c *Crawler) queueEarly(found []Entry) []Entry {
	if len(found) < earlyBatch {
		return found
	}
	c.settle(nil, nil, nil, found)
	return found[:0]
}

// settle records a finished entry (nil for none) with the new URLs it led
// to in one step, then starts what was queued.
func (c *Crawler) settle(done *Entry, keys []string, visit *Visit, found []Entry) {
	added, err := c.state.Settle(context.WithoutCancel(c.ctx), done, keys, visit, found)
	if err != nil {
		c.stop(fmt.Errorf("crawl state: %w", err))
		return
	}
	if done != nil {
		c.stats.queued.Add(-1)
	}
	c.stats.queued.Add(int64(len(added)))
	pumped := map[string]bool{}
	for _, e := range added {
		if !pumped[e.Site] {
			pumped[e.Site] = true
			c.pump(e.Site)
		}
	}
}

// giveBack returns an entry not done (interrupted, page limit, a Handler
// failure): it stays queued for the next run.
func (c *Crawler) giveBack(e *Entry) {
	if err := c.state.Return(context.WithoutCancel(c.ctx), *e); err != nil {
		c.stop(fmt.Errorf("crawl state: %w", err))
	}
}

// siteQueue counts a site's free request slots: colly gets at most
// --parallelism requests of a site at a time, taken from the state's queue
// as slots free up, so that a long frontier costs neither memory nor
// goroutines and an interruption stops at once.
type siteQueue struct {
	mu    sync.Mutex
	slots int
}

// pumpAll starts what waits in every site's queue; it returns how many
// requests it started.
func (c *Crawler) pumpAll() int {
	n := 0
	for site := range c.sites {
		n += c.pump(site)
	}
	return n
}

// pump hands a site's queued URLs to colly while it has free slots; it
// returns how many.
func (c *Crawler) pump(site string) int {
	q := c.sites[site]
	if q == nil {
		return 0 // a site no longer among the seeds
	}
	n := 0
	for {
		q.mu.Lock()
		if q.slots == 0 || c.ctx.Err() != nil {
			q.mu.Unlock()
			return n
		}
		q.slots--
		q.mu.Unlock()
		e, ok, err := c.state.Next(context.WithoutCancel(c.ctx), site)
		if err != nil {
			c.stop(fmt.Errorf("crawl state: %w", err))
		}
		if !ok || c.ctx.Err() != nil {
			if ok {
				c.giveBack(&e)
			}
			q.mu.Lock()
			q.slots++
			q.mu.Unlock()
			return n
		}
		if c.request(site, &e) {
			n++
		} else {
			q.mu.Lock()
			q.slots++ // refused at once (robots.txt): the slot is free again
			q.mu.Unlock()
		}
	}
}

// release frees a request slot of a site and starts what waits for it.
func (c *Crawler) release(site string) {
	q := c.sites[site]
	q.mu.Lock()
	q.slots++
	q.mu.Unlock()
	c.pump(site)
}

// request hands one URL to colly; false when it was refused at once.
func (c *Crawler) request(site string, e *Entry) bool {
	ctx := colly.NewContext()
	ctx.Put("entry", e)
	ctx.Put("site", site)
	ctx.Put("attempt", 0)
	err := c.collector.Request(http.MethodGet, e.URL, nil, ctx, nil)
	if err == nil {
		return true
	}
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		c.stats.skip("disallowed by robots.txt")
	} else {
		c.stats.fail(errorReason(err))
	}
	c.settle(e, []string{e.Key}, nil, nil)
	return false
}

func entryOf(ctx *colly.Context) *Entry { return ctx.GetAny("entry").(*Entry) }

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
		c.stats.skip("unchanged since the last crawl (not fetched)")
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
	if fu, err := urlcanon.Parse(final.String(), nil); err == nil && urlcanon.Key(fu) != e.Key {
		keys = append(keys, urlcanon.Key(fu))
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
	if len(r.Body) > c.cfg.MaxBodyBytes {
		c.stats.skip("too large")
		return
	}
	ct := r.Ctx.Get("content-type")
	var prov warc.Provenance
	if c.cfg.Archive != nil {
		var err error
		if prov, err = c.cfg.Archive.Archive(exchangeOf(r, ct, visit.At)); err != nil {
			c.stop(fmt.Errorf("WARC capture of %s: %w", final, err))
			done = false
			return
		}
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
		for _, p := range append(maps, pages...) {
			found = c.admitLink(found, p, final, e.Depth) // sitemap entries are as near as the sitemap
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
			found = c.admitLink(found, l, final, e.Depth)
		}
		c.stats.skip("feed (followed)")
	case kindHTML:
		done = c.handleHTML(r, e, ct, prov, &found, visit)
	default:
		c.stats.skip("not HTML (" + ct + ")")
	}
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
		WARCFile: prov.File, WARCRecordID: prov.RecordID,
	}
	front := pageFrontier{c: c, base: final, depth: e.Depth, found: found}
	out, err := c.handler.HandlePage(context.WithoutCancel(c.ctx), page, front) // in-flight pages are finished
	if err != nil {
		c.stop(fmt.Errorf("%s: %w", final, err))
		return false
	}
	visit.Leaf = out.Stored || out.Unchanged
	switch {
	case out.Stored:
		c.stats.stored.Add(1)
	case out.Unchanged:
		c.stats.unchanged.Add(1)
	case out.Skip != "":
		c.stats.skip(out.Skip)
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
	case r.StatusCode >= 300 && r.StatusCode < 400:
		c.stats.skip("redirect out of scope or to a known URL")
	case r.StatusCode >= 400:
		c.stats.fail(fmt.Sprintf("HTTP %d", r.StatusCode))
	default:
		c.stats.fail(errorReason(err))
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
	for _, l := range append(maps, pages...) {
		found = c.admitLink(found, l, u, depth)
		found = c.queueEarly(found)
	}
	return found
}

func retryable(status int, err error) bool {
	if errors.Is(err, ErrPrivateAddress) {
		return false
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		return true
	}
	if status != 0 {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// errTooManyRedirects ends a chain of redirects.
var errTooManyRedirects = errors.New("stopped after 10 redirects")

// errorReason names a network error's kind, for the summary, by the
// error's type and value (not its text).
func errorReason(err error) string {
	var (
		ne        net.Error
		dns       *net.DNSError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verifyErr *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return "refused: private address"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "no such host"
	case errors.Is(err, errTooManyRedirects):
		return "too many redirects"
	case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &hostname), errors.As(err, &verifyErr):
		return "TLS certificate"
	}
	return "network error"
}

// redirect follows a redirect only within scope and to a page not yet
// queued, so that an article is fetched once however it is linked.
func (c *Crawler) redirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	u, err := urlcanon.Parse(req.URL.String(), nil)
	if err != nil || !c.scope.contains(u) {
		return http.ErrUseLastResponse
	}
	key := urlcanon.Key(u)
	if known, err := c.state.Known(req.Context(), key); err != nil || known {
		return http.ErrUseLastResponse
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.following[key] {
		return http.ErrUseLastResponse
	}
	c.following[key] = true // until the response settles
	return nil
}

// robotsSitemaps reads the Sitemap: lines of a seed's robots.txt.
func (c *Crawler) robotsSitemaps(seed *url.URL) []string {
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, seed.Scheme+"://"+seed.Host+"/robots.txt", nil)
	if err != nil {
		return nil
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := (&http.Client{Transport: c.client, Timeout: c.cfg.Timeout}).Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 512<<10))
	if err != nil {
		return nil
	}
	rb, err := robotstxt.FromBytes(body)
	if err != nil {
		return nil
	}
	return rb.Sitemaps
}
