package crawler

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// Config sets a crawl's scope, politeness and limits.
type Config struct {
	MaxDepth     int           // link hops from a seed; sitemap and feed entries count as seeds
	MaxPages     int           // pages to fetch at most; 0 means no limit
	Delay        time.Duration // pause after each request, per connection slot and site
	Parallelism  int           // requests in flight per site
	UserAgent    string
	Timeout      time.Duration // one request, connection to last byte
	Retries      int           // extra tries after a 5xx answer or a network error
	RetryBackoff time.Duration // wait before the first retry; doubles after each
	MaxBodyBytes int           // larger responses are skipped
	// Since, when set, leaves out what a sitemap or feed dates before it
	// (a sitemap dated before it lists nothing newer, and is not fetched).
	Since             time.Time
	IgnoreRobots      bool
	IncludeSubdomains bool
	// SeedsOnly crawls the seeds, the pages they link to and the pages
	// their sitemaps and feeds list, and no further: no robots.txt
	// sitemaps, no links of links (MaxDepth 1 at most).
	SeedsOnly bool
	// AllowPrivate lets a crawl of public seeds reach private, loopback and
	// link-local addresses; a crawl whose seeds are local may anyway.
	AllowPrivate bool
	Allow, Deny  []string // regular expressions on the canonical URL
	// RootCAs, when set, are the certificate authorities trusted (see
	// CertPool); nil trusts the system's.
	RootCAs *x509.CertPool
	// Resolve sends the hosts it names to the address it gives instead of
	// asking DNS (curl's --resolve): test names, a staging server, many
	// sites on one machine. Its hosts count as local (the user said where
	// they are). See ParseResolve.
	Resolve Resolver
	// Capture, when set, keeps every response fetched (WARC).
	Capture Capturer
	// RecrawlAfter, in a crawl after a complete one, leaves pages fetched
	// more recently than this alone (their links are not followed again),
	// and asks the server whether older ones changed (ETag,
	// Last-Modified). Zero fetches every page again, conditionally.
	RecrawlAfter time.Duration
	// Header is sent with every request to the crawl's own sites
	// (ParseHeaders); never to another host.
	Header http.Header
	// Cookies, when set, is the jar the crawl starts from (LoadCookies: a
	// browser's exported session); the sites' own cookies join it.
	Cookies http.CookieJar
	// Proxy, when set, carries every request (else HTTPS_PROXY and
	// HTTP_PROXY, as Go reads them).
	Proxy *url.URL
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
	// ArchivedAt is when a web archive captured the page (a replayed WARC
	// record's date, a Wayback capture's time); ArchiveURL the capture's
	// address there.
	ArchivedAt time.Time
	ArchiveURL string
	// Shared: other processes crawl with the same state (Redis), each into
	// its own data dir, so a page's canonical page may be stored in another.
	Shared bool
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
	// Allowed reports whether the crawl may request u: in its scope (the
	// seeds' sites, --allow, --deny) and allowed by robots.txt. What a
	// page rendered in a browser asks for is held to it.
	Allowed(u *url.URL) bool
}

// SkipConsentWall is the Outcome.Skip of a consent wall (a page asking for
// consent to cookies instead of the article): the seed that led to it says
// to try the researcher's cookies.
const SkipConsentWall = "consent wall"

// SeedConsentWall is the reason given for a seed that met a consent wall.
const SeedConsentWall = "consent wall: try --cookies (your browser's cookies.txt for the site)"

// Outcome is what the Handler did with a page.
type Outcome struct {
	Stored    bool   // a record was written
	Revised   bool   // with Stored: an edit of the stored record, kept as a new version
	Unchanged bool   // a record with the same content was already stored
	Skip      string // why nothing was stored ("not an article", …), when not stored
	Rendered  bool   // the page was rendered in a browser (its HTML was an application shell)
}

// Crawler runs one crawl. Create it with New.
type Crawler struct {
	cfg     Config
	state   StateStore
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
	seeds     seedBook
	started   atomic.Int64 // requests begun, for MaxPages
	// wait, when set, holds a request until its site's politeness slot
	// (shared by several processes); colly's own delay is then off.
	wait   func(ctx context.Context, site string) error
	robots *robotsCache
	// creds are the seeds' user:password, by host: sent (Basic) to that
	// host alone, never printed.
	creds credentials
	// crawlDelay is each seed site's robots.txt Crawl-delay (bounded),
	// known before the first request and read-only after.
	crawlDelay map[string]time.Duration
	ctx        context.Context
	fatal      error
	cancel     context.CancelFunc
}

// New prepares a crawl that keeps its progress in state and hands pages to h.
func New(cfg Config, state StateStore, h Handler) (*Crawler, error) {
	if cfg.Parallelism < 1 {
		return nil, fmt.Errorf("parallelism %d: want 1 or more", cfg.Parallelism)
	}
	if cfg.MaxDepth < 0 || cfg.Delay < 0 || cfg.Retries < 0 || cfg.MaxPages < 0 {
		return nil, errors.New("depth, delay, retries and max pages cannot be negative")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultConfig().MaxBodyBytes
	}
	if cfg.SeedsOnly {
		cfg.MaxDepth = min(cfg.MaxDepth, 1)
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
		politeness(interval func(site string) time.Duration) func(context.Context, string) error
	}); ok {
		c.wait = p.politeness(c.interval)
	}
	return c, nil
}

// interval is the time between two requests to a site across every
// process sharing the crawl: delay/parallelism, or the site's robots.txt
// Crawl-delay (then one request at a time), whichever is longer.
func (c *Crawler) interval(site string) time.Duration {
	if cd := c.crawlDelay[site]; cd > 0 {
		return max(cd, c.cfg.Delay)
	}
	return c.cfg.Delay / time.Duration(c.cfg.Parallelism)
}

// snapshot is the counters with the seeds' outcomes.
func (c *Crawler) snapshot() Snapshot {
	s := c.stats.Snapshot()
	s.Seeds = c.seeds.outcomes()
	return s
}

// Stats returns the live counters, for a progress display.
func (c *Crawler) Stats() *Stats { return c.stats }

// Run crawls from the seeds (site, sitemap or feed URLs) until nothing is
// left, the page limit is reached, or ctx is cancelled: then pages in
// flight are finished, the rest stays queued, and the next Run with the
// same state resumes. It returns the final counts and whether it resumed.
func (c *Crawler) Run(ctx context.Context, seeds []string) (Snapshot, bool, error) {
	var seedURLs []*url.URL
	c.creds = credentials{}
	for _, s := range seeds {
		u, err := urlcanon.Parse(s, nil)
		if err != nil {
			return Snapshot{}, false, fmt.Errorf("seed %q: %w", urlcanon.Redact(s), err)
		}
		seedURLs = append(seedURLs, u)
		c.creds.add(s)
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
	var unmapped []string
	for _, h := range hosts {
		if _, ok := c.cfg.Resolve.Lookup(h); !ok {
			unmapped = append(unmapped, h)
		}
	}
	local := localHosts(runCtx, unmapped)
	proxy := http.ProxyFromEnvironment
	if c.cfg.Proxy != nil {
		proxy = http.ProxyURL(c.cfg.Proxy)
		local[strings.ToLower(c.cfg.Proxy.Hostname())] = true // the proxy itself may be local; what it is asked for is checked below
	}
	c.transport = guardedTransport(c.cfg.AllowPrivate, local, c.cfg.Parallelism, c.cfg.RootCAs, c.cfg.Resolve)
	c.transport.Proxy = proxy
	var guarded http.RoundTripper = proxiedGuard{next: c.transport, proxy: proxy, allowAll: c.cfg.AllowPrivate, local: local,
		resolve: net.DefaultResolver.LookupIPAddr}
	guarded = withHeaders{next: guarded, header: c.cfg.Header, ours: func(host string) bool { return c.scope.sites[c.scope.site(host)] }}
	var decoded http.RoundTripper = boundedDecoding{guarded, int64(c.cfg.MaxBodyBytes)}
	if c.cfg.Capture != nil {
		decoded = capturing{next: decoded, capture: c.cfg.Capture, max: int64(c.cfg.MaxBodyBytes), failed: c.stop}
	}
	c.client = robotsLimit{decoded}
	defer c.transport.CloseIdleConnections()
	c.robots = newRobotsCache(c.client, c.cfg.UserAgent, c.cfg.Timeout)
	c.robots.creds = c.creds
	c.robots.client.Jar = c.cfg.Cookies
	c.crawlDelay = map[string]time.Duration{}
	if !c.cfg.IgnoreRobots {
		c.robots.prefetch(runCtx, seedURLs) // every seed site at once
		for _, u := range seedURLs {
			if cd := c.robots.rules(runCtx, u).crawlDelay; cd > 0 {
				c.crawlDelay[c.scope.site(u.Host)] = cd
			}
		}
	}
	if err := c.setupCollector(sites); err != nil {
		return Snapshot{}, resumed, err
	}

	c.pumpAll() // what an interrupted run left
	var start []Entry
	for i, u := range seedURLs {
		c.seeds.add(seeds[i], urlcanon.Key(u))
		before := len(start)
		start = c.admitTo(start, u.String(), nil, 0)
		if len(start) == before {
			c.seeds.mark(urlcanon.Key(u), SeedFilteredOut)
		}
		if !c.cfg.IgnoreRobots && !c.cfg.SeedsOnly {
			for _, sm := range c.robots.rules(runCtx, u).sitemaps {
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
		return c.snapshot(), resumed, fmt.Errorf("crawl state: %w", err)
	}
	if c.fatal != nil {
		return c.snapshot(), resumed, c.fatal
	}
	return c.snapshot(), resumed, nil
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
	col.IgnoreRobotsTxt = true               // robots.txt is ours (robots.go): RFC 9309's reading of errors, redirects, Crawl-delay
	col.AllowURLRevisit = true               // dedup is ours, on canonical URLs, and persisted
	col.MaxBodySize = c.cfg.MaxBodyBytes + 1 // colly truncates silently: one byte more tells
	col.ParseHTTPErrorResponse = false
	col.WithTransport(c.client)
	if c.cfg.Cookies != nil {
		col.SetCookieJar(c.cfg.Cookies)
	}
	col.SetRequestTimeout(c.cfg.Timeout)
	col.SetRedirectHandler(c.redirect)
	c.sites = map[string]*siteQueue{}
	c.work = make(chan struct{}, 8*runtime.GOMAXPROCS(0)) // storage waits on commits: more than the cores
	c.lists = make(chan struct{}, 1)
	for site := range sites {
		parallelism, delay := c.cfg.Parallelism, c.cfg.Delay
		if cd := c.crawlDelay[site]; cd > 0 { // one request at a time, Crawl-delay apart
			parallelism, delay = 1, max(cd, c.cfg.Delay)
		}
		c.sites[site] = &siteQueue{slots: parallelism}
		if c.wait != nil {
			delay = 0 // the shared politeness slot in onRequest instead
		}
		if err := col.Limit(&colly.LimitRule{DomainRegexp: c.scope.hostPattern(site), Parallelism: parallelism, Delay: delay}); err != nil {
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
