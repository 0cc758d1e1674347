package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a Handler that keeps the pages it gets.
type recorder struct {
	mu    sync.Mutex
	pages []*Page
}

func (r *recorder) HandlePage(_ context.Context, p *Page, _ Frontier) (Outcome, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages = append(r.pages, p)
	return Outcome{Stored: true}, nil
}

// chain serves /0 … /n-1, each linking to the next, and logs request times.
func chain(n int, extra http.HandlerFunc) (*httptest.Server, *[]time.Time, *sync.Mutex) {
	var mu sync.Mutex
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		times = append(times, time.Now())
		mu.Unlock()
		if extra != nil && strings.HasPrefix(r.URL.Path, "/x") {
			extra(w, r)
			return
		}
		var i int
		fmt.Sscanf(r.URL.Path, "/%d", &i)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><body><p>page %d</p><a href="/%d">next</a> <a href="/x">x</a></body></html>`, i, (i+1)%n)
	}))
	return srv, &times, &mu
}

func crawlOnce(t *testing.T, cfg Config, seed string) (*recorder, Snapshot) {
	t.Helper()
	st, err := OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &recorder{}
	c, err := New(cfg, st, rec)
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := c.Run(context.Background(), []string{seed})
	if err != nil {
		t.Fatal(err)
	}
	return rec, snap
}

// The delay is a politeness floor: with one connection, consecutive
// requests to a site are at least --delay apart.
func TestPolitenessDelay(t *testing.T) {
	srv, times, mu := chain(5, nil)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism = 150*time.Millisecond, 1
	crawlOnce(t, cfg, srv.URL+"/0")
	mu.Lock()
	defer mu.Unlock()
	if len(*times) < 5 {
		t.Fatalf("%d requests", len(*times))
	}
	for i := 1; i < len(*times); i++ {
		if gap := (*times)[i].Sub((*times)[i-1]); gap < cfg.Delay {
			t.Errorf("requests %d and %d only %v apart", i-1, i, gap)
		}
	}
}

func TestLimits(t *testing.T) {
	big := strings.Repeat("x", 4096)
	srv, _, _ := chain(50, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.(http.Flusher).Flush() // no Content-Length: the body limit must catch it
		w.Write([]byte("<html><body>" + big + "</body></html>"))
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxBodyBytes, cfg.MaxPages, cfg.MaxDepth = 0, 1024, 10, 100
	rec, snap := crawlOnce(t, cfg, srv.URL+"/0")
	if snap.Fetched != 10 {
		t.Errorf("fetched %d, want --max-pages 10", snap.Fetched)
	}
	for _, p := range rec.pages {
		if strings.HasSuffix(p.FinalURL, "/x") {
			t.Error("an over-size page reached the handler")
		}
	}
	found := false
	for _, s := range snap.Skipped {
		found = found || s.Reason == "too large"
	}
	if !found {
		t.Errorf("no 'too large' skip in %v", snap.Skipped)
	}
	cfg.MaxPages, cfg.MaxDepth = 0, 3
	_, snap = crawlOnce(t, cfg, srv.URL+"/0")
	if snap.Fetched != 5 { // /0../3 and /x
		t.Errorf("fetched %d with --max-depth 3, want 5", snap.Fetched)
	}
}

func TestRobotsObeyedUnlessIgnored(t *testing.T) {
	srv, hits := countingServer(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /no/\n")
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><a href="/no/secret">s</a><a href="/yes">y</a></body></html>`)
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	crawlOnce(t, cfg, srv.URL+"/")
	if hits("/no/secret") != 0 || hits("/yes") != 1 {
		t.Errorf("robots obeyed: /no/secret %d, /yes %d", hits("/no/secret"), hits("/yes"))
	}
	cfg.IgnoreRobots = true
	crawlOnce(t, cfg, srv.URL+"/")
	if hits("/no/secret") != 1 {
		t.Errorf("--ignore-robots: /no/secret fetched %d times", hits("/no/secret"))
	}
}

// countingServer serves h and counts the requests for each path.
func countingServer(h http.HandlerFunc) (*httptest.Server, func(path string) int) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		h(w, r)
	}))
	return srv, func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return hits[path]
	}
}

// After an interruption only the requests in flight reach the server: the
// queue behind them is neither fetched nor lost, and the next run resumes.
func TestInterruptStopsQueuedRequests(t *testing.T) {
	var mu sync.Mutex
	var hits int
	ctx, cancel := context.WithCancel(context.Background())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		hits++
		if hits == 5 {
			cancel()
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/" {
			for i := 0; i < 200; i++ {
				fmt.Fprintf(w, `<a href="/p%d">p</a>`, i)
			}
			return
		}
		fmt.Fprint(w, "<p>page</p>")
	}))
	defer srv.Close()
	dir := t.TempDir()
	st, err := OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism = 20*time.Millisecond, 2
	c, err := New(cfg, st, &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := c.Run(ctx, []string{srv.URL + "/"})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := hits
	mu.Unlock()
	if got > 5+cfg.Parallelism {
		t.Errorf("%d requests reached the server, want at most %d (5, then the ones in flight)", got, 5+cfg.Parallelism)
	}
	if snap.Queued < 190 {
		t.Errorf("%d still queued after the interruption, want the rest of the 200", snap.Queued)
	}
	st, err = OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &recorder{}
	cfg.Delay = 0
	c, _ = New(cfg, st, rec)
	snap, resumed, err := c.Run(context.Background(), []string{srv.URL + "/"})
	if err != nil || !resumed || snap.Queued != 0 {
		t.Fatalf("resume: %v resumed %v queued %d", err, resumed, snap.Queued)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 201 {
		t.Errorf("%d requests over both runs, want 201: every page once", hits)
	}
}

// panicker fails on one page only.
type panicker struct{ recorder }

func (p *panicker) HandlePage(ctx context.Context, pg *Page, f Frontier) (Outcome, error) {
	if strings.HasSuffix(pg.FinalURL, "/2") {
		panic("boom")
	}
	return p.recorder.HandlePage(ctx, pg, f)
}

// A handler that panics on one page costs that page, not the crawl.
func TestPanicOnOnePageDoesNotStopTheCrawl(t *testing.T) {
	srv, _, _ := chain(6, nil)
	defer srv.Close()
	st, err := OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	h := &panicker{}
	c, _ := New(cfg, st, h)
	snap, _, err := c.Run(context.Background(), []string{srv.URL + "/0"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.pages) != 6 { // /0 /1 /3 /4 /5 /x reach the handler; /2 panics
		t.Errorf("%d pages handled, want 6", len(h.pages))
	}
	if len(snap.Errors) != 1 || !strings.Contains(snap.Errors[0].Reason, "boom") {
		t.Errorf("errors %v, want the panic counted once", snap.Errors)
	}
}

// failing cannot store one page, as when the disk is full.
type failing struct{ recorder }

func (f *failing) HandlePage(ctx context.Context, pg *Page, fr Frontier) (Outcome, error) {
	if strings.HasSuffix(pg.FinalURL, "/2") {
		return Outcome{}, fmt.Errorf("store: no space left on device")
	}
	return f.recorder.HandlePage(ctx, pg, fr)
}

// A page whose record could not be stored stops the crawl with the error
// and is fetched again by the next run: nothing is lost.
func TestStoreFailureStopsAndKeepsThePageQueued(t *testing.T) {
	srv, _, _ := chain(4, nil)
	defer srv.Close()
	dir := t.TempDir()
	st, _ := OpenState(dir)
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism = 0, 1
	c, _ := New(cfg, st, &failing{})
	_, _, err := c.Run(context.Background(), []string{srv.URL + "/0"})
	st.Close()
	if err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Fatalf("err = %v, want the store error", err)
	}
	st, _ = OpenState(dir)
	defer st.Close()
	rec := &recorder{}
	c, _ = New(cfg, st, rec)
	_, resumed, err := c.Run(context.Background(), []string{srv.URL + "/0"})
	if err != nil || !resumed {
		t.Fatalf("resume: %v %v", err, resumed)
	}
	got := false
	for _, p := range rec.pages {
		got = got || strings.HasSuffix(p.FinalURL, "/2")
	}
	if !got {
		t.Error("the page that failed to store was not fetched again")
	}
}

// A gzip bomb served as a sitemap is refused with a bounded read, and the
// crawl goes on (before, colly would have inflated it without limit).
func TestGzipBombSitemap(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 200; i++ { // 200 MB of zeros, about 200 KB compressed
		zw.Write(zeros)
	}
	zw.Close()
	srv, hits := countingServer(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "Sitemap: /bomb.xml.gz\n")
		case "/bomb.xml.gz", "/bomb":
			w.Header().Set("Content-Type", "application/gzip")
			w.Write(bomb.Bytes())
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/bomb">b</a><a href="/ok">ok</a>`)
		}
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	rec, snap := crawlOnce(t, cfg, srv.URL+"/")
	if hits("/ok") != 1 || hits("/bomb.xml.gz") != 1 {
		t.Errorf("/ok fetched %d times, /bomb.xml.gz %d times; want 1 each", hits("/ok"), hits("/bomb.xml.gz"))
	}
	if n := len(snap.Errors); n == 0 {
		t.Errorf("no error counted for the bomb: %+v", snap)
	}
	for _, p := range rec.pages {
		if len(p.Body) > cfg.MaxBodyBytes {
			t.Errorf("%s reached the handler with %d bytes", p.FinalURL, len(p.Body))
		}
	}
}

// A 20 MB robots.txt is read up to its first 500 KiB: the rules there
// apply, a rule past the cut does not (the proof that it was cut), and the
// crawl goes on.
func TestHugeRobotsTxt(t *testing.T) {
	huge := "User-agent: *\nDisallow: /no/\n" + strings.Repeat("# padding line of a very long robots file\n", 500000) + "Disallow: /late/\n"
	srv, hits := countingServer(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, huge)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<a href="/no/x">n</a><a href="/yes">y</a><a href="/late/x">l</a>`)
	})
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	_, snap := crawlOnce(t, cfg, srv.URL+"/")
	if hits("/no/x") != 0 || hits("/yes") != 1 || hits("/late/x") != 1 || snap.Fetched != 3 {
		t.Errorf("/no/x %d, /yes %d, /late/x %d, fetched %d", hits("/no/x"), hits("/yes"), hits("/late/x"), snap.Fetched)
	}
}
