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
	Allow, Deny       []string // regular expressions on the canonical URL
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
	if err := c.setupCollector(sites); err != nil {
		return Snapshot{}, resumed, err
	}

	for _, q := range frontier {
		c.resume(q)
	}
	for _, u := range seedURLs {
		c.enqueue(u.String(), nil, 0)
		if !c.cfg.IgnoreRobots {
			for _, sm := range c.robotsSitemaps(u) {
				c.enqueue(sm, nil, 0)
			}
		}
	}
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
	col.SetRequestTimeout(c.cfg.Timeout)
	col.SetRedirectHandler(c.redirect)
	for site := range sites {
		if err := col.Limit(&colly.LimitRule{DomainRegexp: c.scope.hostPattern(site), Parallelism: c.cfg.Parallelism, Delay: c.cfg.Delay}); err != nil {
			return fmt.Errorf("politeness rule for %s: %w", site, err)
		}
	}
	col.OnRequest(c.onRequest)
	col.OnResponseHeaders(c.onHeaders)
	col.OnResponse(c.onResponse)
	col.OnError(c.onError)
	c.collector = col
	return nil
}

// follow enqueues a URL found on a page (or given by its Handler).
func (c *Crawler) enqueue(raw string, base *url.URL, depth int) bool {
	u, err := urlcanon.Parse(raw, base)
	if err != nil || depth > c.cfg.MaxDepth || !c.scope.contains(u) {
		return false
	}
	key := dedupKey(u)
	c.mu.Lock()
	if c.seen[key] {
		c.mu.Unlock()
		return true
	}
	if c.cfg.MaxPages > 0 && c.started.Load() >= int64(c.cfg.MaxPages) {
		c.mu.Unlock()
		return false
	}
	c.seen[key] = true
	c.mu.Unlock()
	if err := c.state.enqueue(u.String(), depth); err != nil {
		c.stop(fmt.Errorf("crawl state: %w", err))
		return false
	}
	c.stats.queued.Add(1)
	c.request(u.String(), key, depth)
	return true
}

// resume re-queues a frontier entry of an interrupted run.
func (c *Crawler) resume(q queued) {
	u, err := url.Parse(q.url)
	if err != nil {
		return
	}
	key := dedupKey(u)
	c.mu.Lock()
	c.seen[key] = true
	c.mu.Unlock()
	c.stats.queued.Add(1)
	c.request(q.url, key, q.depth)
}

func (c *Crawler) request(u, key string, depth int) {
	ctx := colly.NewContext()
	ctx.Put("url", u)
	ctx.Put("key", key)
	ctx.Put("depth", depth)
	ctx.Put("attempt", 0)
	err := c.collector.Request(http.MethodGet, u, nil, ctx, nil)
	switch {
	case err == nil:
	case errors.Is(err, colly.ErrRobotsTxtBlocked):
		c.stats.skip("disallowed by robots.txt")
		c.finish(u, key)
	default:
		c.stats.fail(errorReason(err))
		c.finish(u, key)
	}
}

func (c *Crawler) finish(u string, keys ...string) {
	c.stats.queued.Add(-1)
	for _, k := range keys {
		if err := c.state.finish(u, k); err != nil {
			c.stop(fmt.Errorf("crawl state: %w", err))
		}
	}
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
		return
	}
	if r.Ctx.GetAny("attempt").(int) == 0 {
		if c.cfg.MaxPages > 0 && c.started.Add(1) > int64(c.cfg.MaxPages) {
			r.Abort()
			return
		}
		if c.cfg.MaxPages == 0 {
			c.started.Add(1)
		}
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
	defer c.finish(u, keys...)
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
			c.enqueue(p, final, depth) // sitemap entries are as near as the sitemap
		}
		c.stats.skip("sitemap (followed)")
	case kindFeed:
		links, err := parseFeed(r.Body)
		if err != nil {
			c.stats.fail("bad feed")
			return
		}
		for _, l := range links {
			c.enqueue(l, final, depth)
		}
		c.stats.skip("feed (followed)")
	case kindHTML:
		c.handleHTML(r, u, ct, depth)
	default:
		c.stats.skip("not HTML (" + ct + ")")
	}
}

func (c *Crawler) handleHTML(r *colly.Response, u, ct string, depth int) {
	final := r.Request.URL
	page := &Page{
		URL: u, FinalURL: final.String(), StatusCode: r.StatusCode, ContentType: ct,
		ContentLanguage: r.Headers.Get("Content-Language"), Body: r.Body, FetchedAt: time.Now().UTC(), Depth: depth,
		Follow: func(raw string) bool { return c.enqueue(raw, final, depth) },
	}
	out, err := c.handler.HandlePage(context.WithoutCancel(c.ctx), page) // in-flight pages are finished
	if err != nil {
		c.stop(fmt.Errorf("%s: %w", final, err))
		return
	}
	switch {
	case out.Stored:
		c.stats.stored.Add(1)
	case out.Unchanged:
		c.stats.unchanged.Add(1)
	case out.Skip != "":
		c.stats.skip(out.Skip)
	}
	links, base := pageLinks(r.Body)
	baseURL := final
	if base != "" {
		if b, err := final.Parse(base); err == nil {
			baseURL = b
		}
	}
	for _, l := range links {
		c.enqueue(l, baseURL, depth+1)
	}
}

func (c *Crawler) onError(r *colly.Response, err error) {
	u, key := r.Ctx.Get("url"), r.Ctx.Get("key")
	if errors.Is(err, colly.ErrAbortedAfterHeaders) {
		c.stats.fetched.Add(1)
		c.stats.skip(r.Ctx.Get("skip"))
		c.finish(u, key)
		return
	}
	attempt := r.Ctx.GetAny("attempt").(int)
	if retryable(r.StatusCode, err) && attempt < c.cfg.Retries {
		if c.ctx.Err() != nil {
			return // interrupted: stays queued and is tried again by the next run
		}
		r.Ctx.Put("attempt", attempt+1)
		wait := c.cfg.RetryBackoff << attempt
		select {
		case <-time.After(wait):
		case <-c.ctx.Done():
			return // stays in the frontier
		}
		if rerr := r.Request.Retry(); rerr == nil {
			return
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
	c.finish(u, key)
}

func retryable(status int, err error) bool {
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
	resp, err := http.DefaultClient.Do(req)
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
