// Package render renders pages whose HTML is only an application shell (an
// empty #root, #app or #__next filled by scripts) in a headless Chromium,
// driven through the DevTools protocol by chromedp, and returns the DOM the
// scripts built, for the same extraction as any page.
//
// One browser process serves a crawl, with a bounded number of tabs. The
// pages are hostile by assumption: Chromium's own sandbox stays on (Start
// refuses to run without it unless told to), every request a page makes is
// checked before it leaves (the crawl's scope and robots.txt, the guard
// against private addresses), images, media and fonts are never loaded, and
// each page has a time limit that a hanging script cannot outlast.
package render

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Options configure the browser.
type Options struct {
	// Browser is Chromium's executable; empty: chromium, chromium-browser,
	// google-chrome on PATH.
	Browser string
	// Tabs bounds the pages rendered at once (default 2).
	Tabs int
	// Timeout bounds one page, load and scripts (default 20s).
	Timeout time.Duration
	// NoSandbox runs Chromium without its sandbox: needed as root and in
	// some containers, and a risk (a page's exploit of the browser reaches
	// the account presscrawl runs as). Start refuses as root without it.
	NoSandbox bool
	// UserAgent of the browser's requests (default Chromium's).
	UserAgent string
}

// ErrNoBrowser is a machine without Chromium.
var ErrNoBrowser = errors.New("no Chromium found")

// ErrSandbox is Chromium's sandbox unable to run (as root).
var ErrSandbox = errors.New("Chromium's sandbox cannot run as root")

// ErrLaunch is a browser that did not start.
var ErrLaunch = errors.New("Chromium did not start")

// Browser is one Chromium process; Render is safe for concurrent use.
type Browser struct {
	opts     Options
	parent   context.Context
	once     sync.Once
	startErr error
	cancel   func()
	browser  context.Context
	tabs     chan struct{} // the pages being rendered
	idle     chan *tab     // tabs waiting for a page
	dataDir  string
	rendered atomic.Int64
	blocked  atomic.Int64
}

// Find returns the path of Chromium's executable, or ErrNoBrowser with the
// command that installs it.
func Find(path string) (string, error) {
	if path != "" {
		if p, err := exec.LookPath(path); err == nil {
			return p, nil
		}
		return "", fmt.Errorf("%w at %s", ErrNoBrowser, path)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w (install it: sudo apt install chromium on Debian and Ubuntu, brew install --cask chromium on macOS; or give its path)", ErrNoBrowser)
}

// Start checks that the browser can run (found, and its sandbox able to
// run or explicitly given up) and returns it; the process itself starts
// with the first page rendered, so a crawl that renders nothing pays
// nothing.
func Start(ctx context.Context, opts Options) (*Browser, error) {
	path, err := Find(opts.Browser)
	if err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 && !opts.NoSandbox {
		return nil, fmt.Errorf("%w: run presscrawl as another user, or accept the risk with --render-no-sandbox (a page that exploits the browser then runs as root)", ErrSandbox)
	}
	if opts.Tabs <= 0 {
		opts.Tabs = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	opts.Browser = path
	return &Browser{opts: opts, parent: context.WithoutCancel(ctx), tabs: make(chan struct{}, opts.Tabs), idle: make(chan *tab, opts.Tabs), cancel: func() {}}, nil
}

// launch starts the browser process, once; its error stays.
func (b *Browser) launch() error {
	b.once.Do(func() {
		dir, err := os.MkdirTemp("", "presscrawl-chromium-")
		if err != nil {
			b.startErr = fmt.Errorf("render: %w", err)
			return
		}
		flags := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(b.opts.Browser), chromedp.UserDataDir(dir), chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true),
			chromedp.Flag("blink-settings", "imagesEnabled=false"), chromedp.Flag("mute-audio", true),
			chromedp.Flag("no-pings", true), chromedp.Flag("disable-domain-reliability", true))
		if b.opts.NoSandbox {
			flags = append(flags, chromedp.NoSandbox)
		}
		if b.opts.UserAgent != "" {
			flags = append(flags, chromedp.UserAgent(b.opts.UserAgent))
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(b.parent, flags...)
		quiet := func(string, ...any) {} // a tab closed at its time limit is no error of the crawl's
		bctx, cancelBrowser := chromedp.NewContext(alloc, chromedp.WithErrorf(quiet), chromedp.WithLogf(quiet))
		// no timeout on the first call's context: it would end the browser
		// with it; the allocator bounds the start (WSURLReadTimeout, 20 s)
		if err := chromedp.Do(bctx); err != nil { // starts the process
			cancelBrowser()
			cancelAlloc()
			os.RemoveAll(dir)
			b.startErr = fmt.Errorf("%w (%s): %v (in a container or as root, --render-no-sandbox may be needed)", ErrLaunch, b.opts.Browser, err)
			return
		}
		b.browser, b.dataDir = bctx, dir
		b.cancel = func() { cancelBrowser(); cancelAlloc() }
	})
	return b.startErr
}

// Close stops the browser and removes its profile.
func (b *Browser) Close() error {
	if b == nil {
		return nil
	}
	b.once.Do(func() {}) // no start after Close
	b.cancel()
	if b.dataDir == "" {
		return nil
	}
	return os.RemoveAll(b.dataDir)
}

// Rendered is how many pages were rendered; Blocked how many requests of
// theirs were refused.
func (b *Browser) Rendered() int64 { return b.rendered.Load() }

// Blocked is how many requests the rendered pages made that were refused.
func (b *Browser) Blocked() int64 { return b.blocked.Load() }

// Guard decides whether a page may make a request: allow is the crawl's
// scope and robots.txt (nil: the page's own host only); private says
// whether a host may be a private, loopback or link-local address.
type Guard struct {
	Allow   func(u *url.URL) bool
	Private func(host string) bool
}

func (g Guard) permits(ctx context.Context, page, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
	case "data", "blob":
		return true // in the page already: no request leaves
	default:
		return false
	}
	if g.Allow != nil {
		if !g.Allow(u) {
			return false
		}
	} else if p, err := url.Parse(page); err != nil || !strings.EqualFold(p.Host, u.Host) {
		return false
	}
	host := u.Hostname()
	if g.Private != nil && g.Private(host) {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return !private(ip)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(rctx, host)
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if private(a.IP) {
			return false
		}
	}
	return true
}

func private(ip net.IP) bool {
	return ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.Equal(net.IPv4bcast)
}

// Render loads pageURL in a new tab and returns the document its scripts
// built, as HTML. Every request the page makes passes g first; images,
// media and fonts are refused. It ends at the time limit, whatever the
// page's scripts do.
func (b *Browser) Render(ctx context.Context, pageURL string, g Guard) ([]byte, error) {
	select {
	case b.tabs <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-b.tabs }()
	if err := b.launch(); err != nil {
		return nil, err
	}
	if b.browser == nil {
		return nil, errors.New("render: the browser is closed")
	}
	t, err := b.tab()
	if err != nil {
		return nil, fmt.Errorf("render %s: open a tab: %w", pageURL, err)
	}
	t.page.Store(&pageGuard{url: pageURL, g: g})
	rctx, cancel := context.WithTimeout(t.ctx, b.opts.Timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel) // the crawl's end stops the page too
	defer stop()
	var html string
	err = chromedp.Do(rctx,
		chromedp.Navigate(pageURL),
		chromedp.Func(settle),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var err error
			html, err = chromedp.OuterHTML(chromedp.CSS("html"))(ctx, tg)
			return err
		}),
	)
	t.page.Store(nil) // nothing more leaves for this page
	if err != nil {
		t.close() // a tab whose page hung or failed is not used again
		if errors.Is(rctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("render %s: over its time limit of %s", pageURL, b.opts.Timeout)
		}
		return nil, fmt.Errorf("render %s: %w", pageURL, err)
	}
	b.rendered.Add(1)
	// the page's timers and scripts stop before the tab waits for the next
	blank, cancelBlank := context.WithTimeout(t.ctx, 2*time.Second)
	if chromedp.Do(blank, chromedp.Navigate("about:blank")) == nil {
		b.idle <- t
	} else {
		t.close()
	}
	cancelBlank()
	return []byte(html), nil
}

// pageGuard is the page a tab renders now and what its requests may reach.
type pageGuard struct {
	url string
	g   Guard
}

// tab is one of the browser's tabs, kept between pages: opening a tab
// costs about as much as rendering a small page.
type tab struct {
	ctx   context.Context
	close func()
	page  atomic.Pointer[pageGuard] // nil between pages: every request fails
}

// tab takes an idle tab, or opens one with request interception on.
func (b *Browser) tab() (*tab, error) {
	select {
	case t := <-b.idle:
		return t, nil
	default:
	}
	tctx, cancel := chromedp.NewContext(b.browser)
	t := &tab{ctx: tctx, close: cancel}
	events := chromedp.Events(tctx, fetch.RequestPaused) // opens the tab; subscribed before any navigation
	go func() {
		for e, err := range events {
			if err != nil {
				return
			}
			go b.decide(tctx, t.page.Load(), e)
		}
	}()
	if _, err := chromedp.Call(tctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		cancel()
		return nil, err
	}
	return t, nil
}

// decide lets one paused request go on, or fails it: images, media and
// fonts always; what the guard does not permit, counted.
func (b *Browser) decide(ctx context.Context, pg *pageGuard, e fetch.EventRequestPaused) {
	fail := func() {
		_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: e.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
	}
	switch e.ResourceType {
	case network.ResourceTypeImage, network.ResourceTypeMedia, network.ResourceTypeFont:
		fail()
		return
	}
	if e.Request == nil || pg == nil || !pg.g.permits(ctx, pg.url, e.Request.URL) {
		b.blocked.Add(1)
		fail()
		return
	}
	_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
}

// settle waits, after the load event, until the page's text stops growing
// (scripts that fetch the article after load): unchanged for 100 ms once
// it holds an article's worth of text (500 characters), for 500 ms while it
// holds less (a "Loading..." placeholder); 5 s at most, within the page's
// time limit.
func settle(ctx context.Context, t *chromedp.Target) error {
	const poll = 100 * time.Millisecond
	last, since := -1, time.Now()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n, err := chromedp.Evaluate[int](`document.body ? document.body.innerText.length : 0`)(ctx, t)
		if err != nil {
			return err
		}
		if n != last {
			last, since = n, time.Now()
		} else if quiet := time.Since(since); n >= 500 && quiet >= poll || quiet >= 5*poll {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
	return nil
}
