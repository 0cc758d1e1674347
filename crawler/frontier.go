package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/gocolly/colly/v2"

	"github.com/presscrawl/presscrawl/urlcanon"
)

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

func (f pageFrontier) Allowed(u *url.URL) bool {
	if u == nil || !f.c.scope.contains(u) {
		return false
	}
	return f.c.cfg.IgnoreRobots || f.c.robots.rules(context.WithoutCancel(f.c.ctx), u).allowed(u)
}

// MaxURLBytes bounds the URLs a crawl follows: longer ones are traps or
// junk (servers and browsers refuse them far earlier), and the crawl state
// could not key them.
const MaxURLBytes = 4096

// maxStateKey bounds a dedup key in the crawl state (bbolt refuses keys
// over 32 KiB; a canonical key can be longer than its URL once escaped).
const maxStateKey = 3 * MaxURLBytes

// errURLTooLong refuses a redirect to a URL over MaxURLBytes.
var errURLTooLong = errors.New("URL too long")

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
	e := Entry{URL: u.String(), Key: urlcanon.Key(u), Depth: depth, Site: c.scope.site(u.Host)}
	// No one URL may stop the crawl: what the state cannot key (escaping
	// can make a canonical URL longer than the link) never joins it.
	if len(e.URL) > MaxURLBytes || len(e.Key) > maxStateKey {
		c.stats.skip("URL too long")
		return Entry{}, false
	}
	return e, true
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
	if !c.cfg.Since.IsZero() && !l.Modified.IsZero() && l.Modified.Before(c.cfg.Since) {
		c.stats.skip(SkipDatedBeforeSince)
		return found
	}
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
	if !c.cfg.IgnoreRobots {
		u, err := url.Parse(e.URL)
		if err == nil {
			rules := c.robots.rules(c.ctx, u)
			if c.ctx.Err() != nil {
				c.giveBack(e) // interrupted while robots.txt was fetched: stays queued
				return false
			}
			if !rules.allowed(u) {
				if rules.unreachable != "" {
					c.stats.fail(rules.unreachable)
					c.seeds.mark(e.Key, rules.unreachable)
				} else {
					c.stats.skip("disallowed by robots.txt")
					c.seeds.mark(e.Key, "disallowed by robots.txt")
				}
				c.settle(e, []string{e.Key}, nil, nil)
				return false
			}
		}
	}
	err := c.collector.Request(http.MethodGet, e.URL, nil, ctx, nil)
	if err == nil {
		return true
	}
	if errors.Is(err, colly.ErrRobotsTxtBlocked) {
		c.stats.skip("disallowed by robots.txt")
		c.seeds.mark(e.Key, "disallowed by robots.txt")
	} else {
		c.stats.fail(errorReason(err))
		c.seeds.mark(e.Key, errorReason(err))
	}
	c.settle(e, []string{e.Key}, nil, nil)
	return false
}

func entryOf(ctx *colly.Context) *Entry { return ctx.GetAny("entry").(*Entry) }

// redirect follows a redirect only within scope and to a page not yet
// queued, so that an article is fetched once however it is linked.
func (c *Crawler) redirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	if len(req.URL.String()) > MaxURLBytes {
		return errURLTooLong // limits apply to redirects too
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
