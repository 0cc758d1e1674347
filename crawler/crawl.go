package crawler

import (
	"context"
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
	"time"

	"github.com/gocolly/colly/v2"
	"github.com/temoto/robotstxt"

	"github.com/presscrawl/presscrawl/urlcanon"
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
	// Follow asks the crawler to fetch rawURL too (at the same depth): for a
	// page whose canonical URL is elsewhere. It reports whether the crawler
	// fetches it now or already has; false when it is out of scope. Nil
	// outside a crawl.
	Follow func(rawURL string) bool
}

// Handler receives every fetched HTML page, from several goroutines at once.
// An error stops the crawl (the page stays queued for the next run).
type Handler interface {
	HandlePage(ctx context.Context, p *Page) (Outcome, error)
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
	state   *State
	handler Handler
	stats   *Stats
	scope   *scope

	collector *colly.Collector
	sites     map[string]*siteQueue
	work      chan struct{} // bounds pages in extraction and storage at once
	transport *http.Transport
	client    http.RoundTripper // transport with the robots.txt limit
	mu        sync.Mutex
	seen      map[string]bool // dedup keys queued or done
	started   atomic.Int64    // requests begun, for MaxPages
	ctx       context.Context
	fatal     error
	cancel    context.CancelFunc
}

// New prepares a crawl that keeps its progress in state and hands pages to h.
func New(cfg Config, state *State, h Handler) (*Crawler, error) {
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
	return &Crawler{cfg: cfg, state: state, handler: h, stats: newStats(), scope: sc, seen: map[string]bool{}}, nil
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
	resumed, done, frontier, err := c.state.begin()
	if err != nil {
		return Snapshot{}, false, err
	}
	c.seen = done
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.ctx, c.cancel = runCtx, cancel
	var hosts []string
	for _, u := range seedURLs {
		hosts = append(hosts, u.Hostname())
	}
	c.transport = guardedTransport(c.cfg.AllowPrivate || localSeeds(runCtx, hosts), c.cfg.Parallelism)
	c.client = robotsLimit{c.transport}
	defer c.transport.CloseIdleConnections()
	if err := c.setupCollector(sites); err != nil {
		return Snapshot{}, resumed, err
	}

	for _, q := range frontier {
		c.resume(q)
	}
	var start []pending
	for _, u := range seedURLs {
		start = c.admitTo(start, u.String(), nil, 0)
		if !c.cfg.IgnoreRobots {
			for _, sm := range c.robotsSitemaps(u) {
				start = c.admitTo(start, sm, u, 0) // relative Sitemap: lines occur
			}
		}
	}
	c.settle("", nil, start)
	c.collector.Wait()

	interrupted := ctx.Err() != nil || c.fatal != nil
	if err := c.state.end(interrupted); err != nil {
		return c.stats.Snapshot(), resumed, fmt.Errorf("crawl state: %w", err)
	}
	if c.fatal != nil {
		return c.stats.Snapshot(), resumed, c.fatal
	}
	return c.stats.Snapshot(), resumed, nil
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
	for site := range sites {
		c.sites[site] = &siteQueue{slots: c.cfg.Parallelism}
		if err := col.Limit(&colly.LimitRule{DomainRegexp: c.scope.hostPattern(site), Parallelism: c.cfg.Parallelism, Delay: c.cfg.Delay}); err != nil {
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

// admit decides whether a URL found at depth joins the crawl: in scope,
// not too deep, under the page limit. It returns the queue entry when the
// URL is new (reserving its dedup key), and known when it is already queued
// or done. Nothing is written: settle does that.
func (c *Crawler) admit(raw string, base *url.URL, depth int) (p pending, isNew, known bool) {
	if len(raw) > MaxURLBytes {
		c.stats.skip("URL too long")
		return pending{}, false, false
	}
	u, err := urlcanon.Parse(raw, base)
	if err != nil || depth > c.cfg.MaxDepth || !c.scope.contains(u) {
		return pending{}, false, false
	}
	key := dedupKey(u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return pending{}, false, true
	}
	if c.cfg.MaxPages > 0 && c.started.Load() >= int64(c.cfg.MaxPages) {
		return pending{}, false, false
	}
	c.seen[key] = true
	return pending{url: u.String(), key: key, depth: depth, site: c.scope.site(u.Host)}, true, false
}

// admitTo appends the URL's queue entry to found when it is new.
func (c *Crawler) admitTo(found []pending, raw string, base *url.URL, depth int) []pending {
	if p, isNew, _ := c.admit(raw, base, depth); isNew {
		found = append(found, p)
	}
	return found
}

// settle records a finished URL (url "" for none) with the new URLs it led
// to in one transaction, then queues those.
func (c *Crawler) settle(url string, keys []string, found []pending) {
	if err := c.state.settle(url, keys, found); err != nil {
		c.stop(fmt.Errorf("crawl state: %w", err))
		return
	}
	if url != "" {
		c.stats.queued.Add(-1)
	}
	c.stats.queued.Add(int64(len(found)))
	for _, p := range found {
		c.push(p)
	}
}

// resume re-queues a frontier entry of an interrupted run (url and depth
// read from the state); one of a site no longer among the seeds is left.
func (c *Crawler) resume(p pending) {
	u, err := url.Parse(p.url)
	if err != nil {
		return
	}
	p.key, p.site = dedupKey(u), c.scope.site(u.Host)
	if c.sites[p.site] == nil {
		return
	}
	c.mu.Lock()
	c.seen[p.key] = true
	c.mu.Unlock()
	c.stats.queued.Add(1)
	c.push(p)
}

// pending is a queued URL waiting for its site's turn.
type pending struct {
	url, key, site string
	depth          int
}

// siteQueue holds a site's pending URLs and counts its free request slots:
// colly gets at most --parallelism requests of a site at a time, so that a
// long frontier costs no goroutines and an interruption stops at once.
type siteQueue struct {
	mu    sync.Mutex
	items []pending
	slots int
}

func (c *Crawler) push(p pending) {
	q := c.sites[p.site] // admit and resume let in only URLs of the seeds' sites
	q.mu.Lock()
	q.items = append(q.items, p)
	q.mu.Unlock()
	c.pump(p.site)
}

// pump hands a site's pending URLs to colly while it has free slots.
func (c *Crawler) pump(site string) {
	q := c.sites[site]
	for {
		q.mu.Lock()
		if len(q.items) == 0 || q.slots == 0 || c.ctx.Err() != nil {
			q.mu.Unlock()
			return
		}
		p := q.items[0]
		q.items[0] = pending{}
		q.items = q.items[1:]
		q.slots--
		q.mu.Unlock()
		if !c.request(site, p) {
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
func (c *Crawler) request(site string, p pending) bool {
	ctx := colly.NewContext()
	ctx.Put("url", p.url)
	ctx.Put("key", p.key)
	ctx.Put("depth", p.depth)
	ctx.Put("site", site)
	ctx.Put("attempt", 0)
	err := c.collector.Request(http.MethodGet, p.url, nil, ctx, nil)
	if err == nil {
		return true
	}
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		c.stats.skip("disallowed by robots.txt")
	} else {
		c.stats.fail(errorReason(err))
	}
	c.settle(p.url, []string{p.key}, nil)
	return false
}

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
	if c.ctx.Err() != nil {
		r.Abort() // interrupted: stays in the frontier for the next run
		c.release(r.Ctx.Get("site"))
		return
	}
	if r.Ctx.GetAny("attempt").(int) == 0 { // a retry is not a new page
		if n := c.started.Add(1); c.cfg.MaxPages > 0 && n > int64(c.cfg.MaxPages) {
			r.Abort() // stays in the frontier
			c.release(r.Ctx.Get("site"))
			return
		}
	}
	// colly would inflate a *.gz body without bound: such sitemaps are
	// fetched here instead, with bounded decompression.
	if strings.HasSuffix(strings.ToLower(r.URL.Path), ".gz") {
		r.Abort()
		c.stats.fetched.Add(1)
		found := c.gzipSitemap(r.URL, r.Ctx.GetAny("depth").(int))
		c.settle(r.Ctx.Get("url"), []string{r.Ctx.Get("key")}, found)
		c.release(r.Ctx.Get("site"))
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

func (c *Crawler) onResponse(r *colly.Response) {
	u, key, depth := r.Ctx.Get("url"), r.Ctx.Get("key"), r.Ctx.GetAny("depth").(int)
	keys := []string{key}
	final := r.Request.URL
	if fu, err := urlcanon.Parse(final.String(), nil); err == nil && dedupKey(fu) != key {
		keys = append(keys, dedupKey(fu))
	}
	// The site's request slot covers the fetch only: processing holds a
	// worker slot instead, so the next request of the site goes out now.
	c.work <- struct{}{}
	c.release(r.Ctx.Get("site"))
	var found []pending
	done := true // false when the page must be fetched again by the next run
	defer func() {
		if done {
			c.settle(u, keys, found)
		} else {
			c.settle("", nil, found) // keeps its links; the page stays queued
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
	switch classify(ct, r.Body) {
	case kindSitemap:
		pages, maps, err := parseSitemap(r.Body)
		if err != nil {
			c.stats.fail("bad sitemap")
			return
		}
		for _, p := range append(maps, pages...) {
			found = c.admitTo(found, p, final, depth) // sitemap entries are as near as the sitemap
		}
		c.stats.skip("sitemap (followed)")
	case kindFeed:
		links, err := parseFeed(r.Body)
		if err != nil {
			c.stats.fail("bad feed")
			return
		}
		for _, l := range links {
			found = c.admitTo(found, l, final, depth)
		}
		c.stats.skip("feed (followed)")
	case kindHTML:
		done = c.handleHTML(r, u, ct, depth, &found)
	default:
		c.stats.skip("not HTML (" + ct + ")")
	}
}

// handleHTML adds the new URLs a page links to (and its canonical page,
// when the Handler follows it) to found, then hands the page to the
// Handler. Links come first: a page the Handler fails on still leads on.
// It reports false when the Handler failed, so the page is not done.
func (c *Crawler) handleHTML(r *colly.Response, u, ct string, depth int, found *[]pending) bool {
	final := r.Request.URL
	links, base := pageLinks(r.Body)
	baseURL := final
	if base != "" {
		if b, err := final.Parse(base); err == nil {
			baseURL = b
		}
	}
	for _, l := range links {
		*found = c.admitTo(*found, l, baseURL, depth+1)
	}
	page := &Page{
		URL: u, FinalURL: final.String(), StatusCode: r.StatusCode, ContentType: ct,
		ContentLanguage: r.Headers.Get("Content-Language"), Body: r.Body, FetchedAt: time.Now().UTC(), Depth: depth,
		Follow: func(raw string) bool {
			p, isNew, known := c.admit(raw, final, depth)
			if isNew {
				*found = append(*found, p)
			}
			return isNew || known
		},
	}
	out, err := c.handler.HandlePage(context.WithoutCancel(c.ctx), page) // in-flight pages are finished
	if err != nil {
		c.stop(fmt.Errorf("%s: %w", final, err))
		return false
	}
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
	u, key := r.Ctx.Get("url"), r.Ctx.Get("key")
	site := r.Ctx.Get("site")
	if errors.Is(err, colly.ErrAbortedBeforeRequest) {
		c.release(site) // interrupted while waiting for its turn: stays queued
		return
	}
	if errors.Is(err, colly.ErrAbortedAfterHeaders) {
		c.stats.fetched.Add(1)
		c.stats.skip(r.Ctx.Get("skip"))
		c.settle(u, []string{key}, nil)
		c.release(site)
		return
	}
	attempt := r.Ctx.GetAny("attempt").(int)
	if retryable(r.StatusCode, err) && attempt < c.cfg.Retries {
		if c.ctx.Err() != nil {
			c.release(site) // interrupted: stays queued and is tried again by the next run
			return
		}
		r.Ctx.Put("attempt", attempt+1)
		wait := c.cfg.RetryBackoff << attempt
		select {
		case <-time.After(wait):
		case <-c.ctx.Done():
			c.release(site) // stays in the frontier
			return
		}
		if rerr := r.Request.Retry(); rerr == nil {
			return // the retry keeps the slot
		}
	}
	c.stats.fetched.Add(1)
	switch {
	case r.StatusCode >= 300 && r.StatusCode < 400:
		c.stats.skip("redirect out of scope or to a known URL")
	case r.StatusCode >= 400:
		c.stats.fail(fmt.Sprintf("HTTP %d", r.StatusCode))
	default:
		c.stats.fail(errorReason(err))
	}
	c.settle(u, []string{key}, nil)
	c.release(site)
}

// gzipSitemap fetches a gzipped sitemap outside colly and reads it with
// bounded decompression; it returns the new URLs it lists.
func (c *Crawler) gzipSitemap(u *url.URL, depth int) []pending {
	f := NewFetcher(FetcherOptions{UserAgent: c.cfg.UserAgent, Timeout: c.cfg.Timeout, MaxBodyBytes: int64(c.cfg.MaxBodyBytes), Transport: c.client})
	p, err := f.fetch(context.WithoutCancel(c.ctx), u.String(), true)
	if err != nil {
		c.stats.fail("bad sitemap")
		return nil
	}
	pages, maps, err := parseSitemap(p.Body)
	if err != nil {
		c.stats.fail("bad sitemap")
		return nil
	}
	c.stats.skip("sitemap (followed)")
	var found []pending
	for _, l := range append(maps, pages...) {
		found = c.admitTo(found, l, u, depth)
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

// errorReason names a network error's kind, for the summary.
func errorReason(err error) string {
	var ne net.Error
	s := err.Error()
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return "refused: private address"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(s, "connection refused"):
		return "connection refused"
	case strings.Contains(s, "no such host"):
		return "no such host"
	case strings.Contains(s, "redirects"):
		return "too many redirects"
	case strings.Contains(s, "certificate"):
		return "TLS certificate"
	}
	return "network error"
}

// redirect follows a redirect only within scope and to a page not yet
// queued, so that an article is fetched once however it is linked.
func (c *Crawler) redirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	u, err := urlcanon.Parse(req.URL.String(), nil)
	if err != nil || !c.scope.contains(u) {
		return http.ErrUseLastResponse
	}
	key := dedupKey(u)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[key] {
		return http.ErrUseLastResponse
	}
	c.seen[key] = true
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
