package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// site serves a home page linking to /a, /b and /private/c, and the
// robots.txt robots answers.
func robotsSite(robots http.HandlerFunc) (*httptest.Server, func() map[string][]time.Time) {
	var mu sync.Mutex
	hits := map[string][]time.Time{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path] = append(hits[r.URL.Path], time.Now())
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			robots(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/a">a</a> <a href="/b">b</a> <a href="/private/c">c</a></body></html>`)
	}))
	return srv, func() map[string][]time.Time {
		mu.Lock()
		defer mu.Unlock()
		out := map[string][]time.Time{}
		for k, v := range hits {
			out[k] = append([]time.Time(nil), v...)
		}
		return out
	}
}

// A robots.txt answering 5xx is "unreachable": nothing is crawled (RFC 9309
// §2.3.1.4), and the seed says why.
func TestRobotsServerErrorDisallowsAll(t *testing.T) {
	srv, hits := robotsSite(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	_, snap := crawlOnce(t, cfg, srv.URL+"/")
	if n := len(hits()["/"]); n != 0 {
		t.Errorf("the home page was fetched %d times with robots.txt unreachable", n)
	}
	if len(snap.Seeds) != 1 || snap.Seeds[0].Reason != "robots.txt unreachable (HTTP 503)" {
		t.Errorf("seeds %+v", snap.Seeds)
	}
}

// A robots.txt that redirects to another host is followed there (up to five
// redirects), and its rules apply to the site that asked.
func TestRobotsRedirectToAnotherHost(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	}))
	defer other.Close()
	srv, hits := robotsSite(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/robots.txt", http.StatusMovedPermanently)
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	_, snap := crawlOnce(t, cfg, srv.URL+"/")
	h := hits()
	if len(h["/a"]) != 1 || len(h["/b"]) != 1 || len(h["/private/c"]) != 0 {
		t.Errorf("fetched /a %d, /b %d, /private/c %d times; want 1, 1, 0", len(h["/a"]), len(h["/b"]), len(h["/private/c"]))
	}
	if skipped := countOf(snap.Skipped, "disallowed by robots.txt"); skipped != 1 {
		t.Errorf("%d disallowed, want 1: %+v", skipped, snap.Skipped)
	}
}

func countOf(cs []Count, reason string) int64 {
	for _, c := range cs {
		if c.Reason == reason {
			return c.N
		}
	}
	return 0
}

// The seeds' robots.txt files are fetched at once, not one site after the
// other: each answers only when all five have been asked (or after 20 s,
// with a 500 that would stop its site).
func TestRobotsFetchedInParallel(t *testing.T) {
	const n = 5
	var mu sync.Mutex
	asked := 0
	all := make(chan struct{})
	barrier := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked++
		if asked == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case <-time.After(20 * time.Second):
			http.Error(w, "asked one at a time", http.StatusInternalServerError)
		}
	}
	var seeds []string
	for i := 0; i < n; i++ {
		srv, _ := robotsSite(barrier)
		defer srv.Close()
		seeds = append(seeds, srv.URL+"/")
	}
	st, err := OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	c, err := New(cfg, st, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := c.Run(context.Background(), seeds)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snap.Seeds {
		if !s.Fetched {
			t.Errorf("seed %s: %s", s.URL, s.Reason)
		}
	}
}

// Crawl-delay is honoured: one request at a time, that far apart (bounded
// by MaxCrawlDelay), however many connections --parallelism allows.
func TestRobotsCrawlDelay(t *testing.T) {
	srv, hits := robotsSite(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nCrawl-delay: 1\n")
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism = 0, 4
	crawlOnce(t, cfg, srv.URL+"/")
	var at []time.Time
	for path, ts := range hits() {
		if path != "/robots.txt" {
			at = append(at, ts...)
		}
	}
	if len(at) != 4 {
		t.Fatalf("%d pages fetched, want 4", len(at))
	}
	sortTimes(at)
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < time.Second {
			t.Errorf("requests %d and %d %v apart, want the Crawl-delay of 1s at least", i-1, i, gap)
		}
	}
}

// A 503 with Retry-After is tried again after the time the server asks.
func TestRetryAfterHonoured(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		at = append(at, time.Now())
		first := len(at) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>fine</p></body></html>")
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.RetryBackoff = 0, 10*time.Millisecond
	rec, _ := crawlOnce(t, cfg, srv.URL+"/")
	mu.Lock()
	defer mu.Unlock()
	if len(at) != 2 || len(rec.pages) != 1 {
		t.Fatalf("%d requests, %d pages", len(at), len(rec.pages))
	}
	if gap := at[1].Sub(at[0]); gap < 2*time.Second {
		t.Errorf("retried after %v, the server asked for 2s", gap)
	}
	if d, ok := retryAfter(&http.Header{"Retry-After": {"Wed, 21 Oct 2015 07:28:00 GMT"}}, time.Date(2015, 10, 21, 7, 27, 0, 0, time.UTC)); !ok || d != time.Minute {
		t.Errorf("HTTP date: %v %v", d, ok)
	}
	if _, ok := retryAfter(&http.Header{"Retry-After": {"soon"}}, time.Now()); ok {
		t.Error("a malformed Retry-After was read")
	}
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// SeedsOnly: a sitemap seed gives its pages and nothing more (no home page,
// no links of theirs, no robots.txt sitemaps); an HTML seed gives itself and
// the pages it links to.
func TestSeedsOnly(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprintf(w, "User-agent: *\nAllow: /\nSitemap: %s/all.xml\n", srvURL)
		case "/news.xml", "/all.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><urlset><url><loc>%s/a</loc></url><url><loc>%s/b</loc></url></urlset>`, srvURL, srvURL)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><body><a href="/deeper">d</a> <a href="/">home</a></body></html>`)
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	cfg := DefaultConfig()
	cfg.Delay, cfg.SeedsOnly = 0, true
	crawlOnce(t, cfg, srv.URL+"/news.xml")
	mu.Lock()
	if hits["/a"] != 1 || hits["/b"] != 1 || hits["/deeper"] != 0 || hits["/"] != 0 || hits["/all.xml"] != 0 {
		t.Errorf("sitemap seed, seeds only: %v", hits)
	}
	clear(hits)
	mu.Unlock()
	crawlOnce(t, cfg, srv.URL+"/section/")
	mu.Lock()
	defer mu.Unlock()
	if hits["/section/"] != 1 || hits["/deeper"] != 1 || hits["/"] != 1 || hits["/a"] != 0 {
		t.Errorf("HTML seed, seeds only: %v", hits)
	}
}
