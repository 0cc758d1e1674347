package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/temoto/robotstxt"
)

// MaxCrawlDelay bounds a robots.txt Crawl-delay: a site asking for more
// is crawled at one request per MaxCrawlDelay.
const MaxCrawlDelay = 30 * time.Second

// maxRobotsRedirects is how many redirects a robots.txt fetch follows, to
// any host (RFC 9309 §2.3.1.2 asks for at least five).
const maxRobotsRedirects = 5

// robotsRules is one site's robots.txt, as RFC 9309 reads an answer:
// 2xx its rules; 4xx (and more than five redirects) no rules; 5xx or no
// answer at all "unreachable": nothing may be crawled (the next run asks
// again).
type robotsRules struct {
	group       *robotstxt.Group // nil: everything allowed
	unreachable string           // why nothing may be crawled, or ""
	sitemaps    []string
	crawlDelay  time.Duration // bounded by MaxCrawlDelay
}

func (r *robotsRules) allowed(u *url.URL) bool {
	if r.unreachable != "" {
		return false
	}
	if r.group == nil {
		return true
	}
	path := u.EscapedPath()
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return r.group.Test(path)
}

// robotsCache fetches each site's robots.txt once per run, for the first
// URL of the site that needs it; different sites are fetched at once.
type robotsCache struct {
	creds     credentials // the seeds' user:password by host, read-only during a crawl
	client    *http.Client
	userAgent string
	mu        sync.Mutex
	sites     map[string]*robotsFetch // scheme://host
}

type robotsFetch struct {
	done  chan struct{}
	rules *robotsRules
}

func newRobotsCache(transport http.RoundTripper, userAgent string, timeout time.Duration) *robotsCache {
	client := &http.Client{Transport: transport, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRobotsRedirects {
				return errTooManyRedirects
			}
			return nil
		}}
	return &robotsCache{client: client, userAgent: userAgent, sites: map[string]*robotsFetch{}, creds: credentials{}}
}

// rules returns the robots.txt of u's site, fetching it if no one has.
func (c *robotsCache) rules(ctx context.Context, u *url.URL) *robotsRules {
	key := u.Scheme + "://" + u.Host
	c.mu.Lock()
	f, ok := c.sites[key]
	if !ok {
		f = &robotsFetch{done: make(chan struct{})}
		c.sites[key] = f
	}
	c.mu.Unlock()
	if !ok {
		f.rules = c.fetch(ctx, key)
		close(f.done)
	}
	select {
	case <-f.done:
		return f.rules
	case <-ctx.Done():
		return &robotsRules{unreachable: "interrupted"}
	}
}

// prefetch fetches the robots.txt of several sites at once.
func (c *robotsCache) prefetch(ctx context.Context, us []*url.URL) {
	var wg sync.WaitGroup
	for _, u := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.rules(ctx, u)
		}()
	}
	wg.Wait()
}

func (c *robotsCache) fetch(ctx context.Context, site string) *robotsRules {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, site+"/robots.txt", nil)
	if err != nil {
		return &robotsRules{unreachable: "robots.txt: " + err.Error()}
	}
	req.Header.Set("User-Agent", c.userAgent)
	c.creds.apply(req.URL, &req.Header)
	resp, err := c.client.Do(req)
	if errors.Is(err, errTooManyRedirects) {
		return &robotsRules{} // unavailable: no rules (RFC 9309 §2.3.1.2)
	}
	if err != nil {
		return &robotsRules{unreachable: "robots.txt unreachable (" + errorReason(err) + ")"}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 500:
		return &robotsRules{unreachable: fmt.Sprintf("robots.txt unreachable (HTTP %d)", resp.StatusCode)}
	case resp.StatusCode >= 400:
		return &robotsRules{} // no robots.txt: no rules
	case resp.StatusCode >= 300:
		return &robotsRules{} // a redirect not followed (out of the guard): unavailable
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRobotsBytes))
	if err != nil {
		return &robotsRules{unreachable: "robots.txt unreachable (" + errorReason(err) + ")"}
	}
	data, err := robotstxt.FromBytes(body)
	if err != nil {
		return &robotsRules{} // unparsable: read as none, as robotstxt's authors advise
	}
	r := &robotsRules{group: data.FindGroup(agentName(c.userAgent)), sitemaps: data.Sitemaps}
	if r.group != nil && r.group.CrawlDelay > 0 {
		r.crawlDelay = min(r.group.CrawlDelay, MaxCrawlDelay)
	}
	return r
}

// agentName is the product token robots.txt groups are matched against:
// "presscrawl" for "presscrawl/1.0 (+https://...)".
func agentName(ua string) string {
	name, _, _ := strings.Cut(ua, "/")
	name, _, _ = strings.Cut(name, " ")
	if name == "" {
		return "*"
	}
	return name
}
