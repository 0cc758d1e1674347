package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/redistest"
)

// tree serves a site of n pages: / links to /p0 … /p9, and /pi to
// /p(10i) … /p(10i+9) and back to /; it counts the requests per path.
func tree(n int) (*httptest.Server, func() map[string]int, func() []time.Time) {
	var mu sync.Mutex
	hits := map[string]int{}
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // a server that takes some time: the crawlers overlap
		mu.Lock()
		hits[r.URL.Path]++
		if r.URL.Path != "/robots.txt" {
			times = append(times, time.Now())
		}
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		i := -1
		fmt.Sscanf(r.URL.Path, "/p%d", &i)
		if r.URL.Path != "/" && (i < 0 || i >= n) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		var b strings.Builder
		fmt.Fprintf(&b, `<html><body><p>page %d</p><a href="/">home</a>`, i)
		for j := 10*(i+1) - 10 + 10; j < 10*(i+1)+10 && j < n; j++ {
			fmt.Fprintf(&b, `<a href="/p%d">%d</a>`, j, j)
		}
		if i < 0 {
			for j := 0; j < 10 && j < n; j++ {
				fmt.Fprintf(&b, `<a href="/p%d">%d</a>`, j, j)
			}
		}
		b.WriteString("</body></html>")
		w.Write([]byte(b.String()))
	}))
	count := func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]int{}
		for k, v := range hits {
			out[k] = v
		}
		return out
	}
	at := func() []time.Time {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Time(nil), times...)
	}
	return srv, count, at
}

func openRedis(t *testing.T, url, name string) *RedisState {
	t.Helper()
	s, err := OpenRedisState(context.Background(), url, "", name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Three crawlers sharing one Redis state fetch every page of the site
// exactly once between them, and each page reaches exactly one Handler.
func TestRedisThreeCrawlersFetchEachPageOnce(t *testing.T) {
	url := redistest.URL(t)
	const n = 400
	srv, hits, _ := tree(n)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth = 0, 100
	recs := make([]*recorder, 3)
	var wg sync.WaitGroup
	for i := range recs {
		recs[i] = &recorder{}
		st := openRedis(t, url, t.Name())
		defer st.Close()
		c, err := New(cfg, st, recs[i])
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Run(context.Background(), []string{srv.URL + "/"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	handled := map[string]int{}
	for i, r := range recs {
		t.Logf("crawler %d handled %d pages", i, len(r.pages))
		for _, p := range r.pages {
			handled[p.FinalURL]++
		}
	}
	if len(handled) != n+1 {
		t.Errorf("%d pages handled, want %d", len(handled), n+1)
	}
	for u, c := range handled {
		if c != 1 {
			t.Errorf("%s handled %d times", u, c)
		}
	}
	for p, c := range hits() {
		if p != "/robots.txt" && c != 1 {
			t.Errorf("%s fetched %d times, want 1", p, c)
		}
	}
	busy := 0
	for _, r := range recs {
		if len(r.pages) > 0 {
			busy++
		}
	}
	if busy < 2 {
		t.Errorf("only %d of 3 crawlers got pages: the work was not shared", busy)
	}
}

// The politeness delay holds across processes: with --delay 50ms and
// --parallelism 1, three crawlers together send the site one request per
// 50 ms at most.
func TestRedisPolitenessHeldAcrossProcesses(t *testing.T) {
	url := redistest.URL(t)
	srv, _, times := tree(30)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism, cfg.MaxDepth = 50*time.Millisecond, 1, 100
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 3; i++ {
		st := openRedis(t, url, t.Name())
		defer st.Close()
		c, err := New(cfg, st, &recorder{})
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Run(context.Background(), []string{srv.URL + "/"})
		}()
	}
	wg.Wait()
	at := times()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	if len(at) != 31 {
		t.Fatalf("%d requests, want 31", len(at))
	}
	// What politeness promises: Redis hands out the site's slots 50 ms
	// apart, and no request leaves before its slot. So the k-th request to
	// arrive comes no sooner than k-1 slots after the start, however the
	// three processes are scheduled (a busy machine only delays requests,
	// which can bring two closer together than 50 ms, but never earlier
	// than their slots). Three processes pacing on their own would send
	// the 31 requests in a third of the time.
	for k, a := range at {
		if min := time.Duration(k) * cfg.Delay; a.Sub(start) < min {
			t.Fatalf("request %d arrived %v after the start, before its slot at %v", k+1, a.Sub(start).Round(time.Millisecond), min)
		}
	}
}

// The pages a process held when it died (no more heartbeats) go back to
// the queue, and another process crawls them.
func TestRedisDeadProcessPagesTakenOver(t *testing.T) {
	url := redistest.URL(t)
	srv, hits, _ := tree(50)
	defer srv.Close()
	ctx := context.Background()
	dead, err := openRedisState(ctx, RedisConn{URL: url}, t.Name(), 300*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dead.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	site := strings.TrimPrefix(srv.URL, "http://")
	seed := Entry{URL: srv.URL + "/", Key: site + "/", Site: site}
	if _, err := dead.Settle(ctx, nil, nil, nil, []Entry{seed}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := dead.Next(ctx, site); !ok || err != nil {
		t.Fatalf("next: %v %v", ok, err)
	}
	// It dies holding the seed: the heartbeat stops and is not removed.
	close(dead.stop)
	dead.wg.Wait()
	dead.once.Do(func() {})
	defer dead.rdb.Close()

	alive := openRedis(t, url, t.Name())
	defer alive.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth = 0, 100
	rec := &recorder{}
	c, _ := New(cfg, alive, rec)
	done := make(chan error)
	go func() {
		_, resumed, err := c.Run(ctx, []string{srv.URL + "/"})
		if !resumed {
			t.Error("the second process did not join the running crawl")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the crawl waited for the dead process for ever")
	}
	if len(rec.pages) != 51 {
		t.Errorf("%d pages handled, want all 51 (the dead process's seed included)", len(rec.pages))
	}
	if hits()["/"] != 1 {
		t.Errorf("/ fetched %d times", hits()["/"])
	}
}

// An interrupted shared crawl resumes: the same command again fetches the
// rest, nothing twice.
func TestRedisInterruptAndResume(t *testing.T) {
	url := redistest.URL(t)
	srv, hits, _ := tree(200)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth, cfg.Parallelism = 5*time.Millisecond, 100, 2
	ctx, cancel := context.WithCancel(context.Background())
	st := openRedis(t, url, t.Name())
	rec := &recorder{}
	c, _ := New(cfg, st, rec)
	go func() {
		for {
			rec.mu.Lock()
			n := len(rec.pages)
			rec.mu.Unlock()
			if n >= 40 {
				cancel()
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	if _, _, err := c.Run(ctx, []string{srv.URL + "/"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	first := len(rec.pages)
	if first >= 201 {
		t.Fatalf("the interruption came too late (%d pages)", first)
	}
	st = openRedis(t, url, t.Name())
	defer st.Close()
	rec2 := &recorder{}
	cfg.Delay = 0
	c, _ = New(cfg, st, rec2)
	snap, resumed, err := c.Run(context.Background(), []string{srv.URL + "/"})
	if err != nil || !resumed || snap.Queued != 0 {
		t.Fatalf("resume: %v resumed %v queued %d", err, resumed, snap.Queued)
	}
	if first+len(rec2.pages) != 201 {
		t.Errorf("%d + %d pages handled, want 201", first, len(rec2.pages))
	}
	for p, c := range hits() {
		if p != "/robots.txt" && c != 1 {
			t.Errorf("%s fetched %d times", p, c)
		}
	}
}

// handledAfter calls f once, from its own goroutine, when rec has handled
// n pages.
func handledAfter(rec *recorder, n int, f func()) {
	go func() {
		for {
			rec.mu.Lock()
			k := len(rec.pages)
			rec.mu.Unlock()
			if k >= n {
				f()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
}

// Redis restarted in the middle of a crawl (stopped as a service manager
// stops it, started again 2 s later with its data): the crawl waits for it
// and goes on; every page is fetched and handled exactly once.
func TestRedisRestartMidCrawl(t *testing.T) {
	rs := redistest.Start(t)
	srv, hits, _ := tree(300)
	defer srv.Close()
	st := openRedis(t, rs.URL, t.Name())
	defer st.Close()
	var mu sync.Mutex
	var said []string
	st.Notify = func(m string) {
		mu.Lock()
		said = append(said, m)
		mu.Unlock()
	}
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth, cfg.Parallelism = 2*time.Millisecond, 100, 4
	rec := &recorder{}
	c, _ := New(cfg, st, rec)
	handledAfter(rec, 60, func() {
		rs.Stop()
		time.Sleep(2 * time.Second)
		rs.Restart()
	})
	if _, _, err := c.Run(context.Background(), []string{srv.URL + "/"}); err != nil {
		t.Fatalf("the crawl did not wait for Redis: %v", err)
	}
	handled := map[string]int{}
	for _, p := range rec.pages {
		handled[p.FinalURL]++
	}
	if len(handled) != 301 {
		t.Errorf("%d pages handled, want 301", len(handled))
	}
	for u, n := range handled {
		if n != 1 {
			t.Errorf("%s handled %d times", u, n)
		}
	}
	for p, n := range hits() {
		if p != "/robots.txt" && n != 1 {
			t.Errorf("%s fetched %d times, want 1", p, n)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("notices: %q", said)
	if len(said) != 2 || !strings.Contains(said[0], "unreachable") || !strings.Contains(said[1], "is back after") {
		t.Errorf("notices %q, want one that Redis is unreachable and one that it is back", said)
		t.Log(rs.Log())
	}
}

// Redis away longer than the crawl waits: the crawl stops with an error
// naming Redis; the same crawl, once Redis is back, completes it, nothing
// lost, and only the pages in flight at the stop fetched again.
func TestRedisOutageLongerThanWaitStopsThenResumes(t *testing.T) {
	rs := redistest.Start(t)
	srv, hits, _ := tree(300)
	defer srv.Close()
	ctx := context.Background()
	// A short heartbeat: the stopped process's pages go back to the queue
	// 600 ms after it stops beating, not 15 s.
	st, err := openRedisState(ctx, RedisConn{URL: rs.URL}, t.Name(), 600*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	st.Wait = 500 * time.Millisecond
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth, cfg.Parallelism = 2*time.Millisecond, 100, 4
	rec := &recorder{}
	c, _ := New(cfg, st, rec)
	handledAfter(rec, 60, rs.Stop)
	_, _, err = c.Run(ctx, []string{srv.URL + "/"})
	st.Close()
	if err == nil || !strings.Contains(err.Error(), "unreachable at "+rs.URL) {
		t.Fatalf("crawl error %v, want one saying Redis at %s is unreachable", err, rs.URL)
	}
	t.Logf("first run: %d pages, then %v", len(rec.pages), err)
	first := len(rec.pages)
	if first >= 301 {
		t.Fatal("the first run was not stopped")
	}

	rs.Restart()
	st2, err := openRedisState(ctx, RedisConn{URL: rs.URL}, t.Name(), 600*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	rec2 := &recorder{}
	c, _ = New(cfg, st2, rec2)
	_, resumed, err := c.Run(ctx, []string{srv.URL + "/"})
	if err != nil || !resumed {
		t.Fatalf("second run: resumed %v, %v", resumed, err)
	}
	handled := map[string]int{}
	for _, p := range append(rec.pages, rec2.pages...) {
		handled[p.FinalURL]++
	}
	if len(handled) != 301 {
		t.Errorf("%d pages handled in all, want 301", len(handled))
	}
	again := 0
	for p, n := range hits() {
		if p != "/robots.txt" && n > 1 {
			again += n - 1
		}
	}
	t.Logf("second run: %d pages; fetched twice: %d", len(rec2.pages), again)
	// Pages fetched but not settled when Redis went are fetched again: at
	// most those in flight, the requests (Parallelism) and the pages being
	// handled (the work slots; more of them on a busy machine). A stored
	// record is idempotent by id.
	if inFlight := cfg.Parallelism + 8*runtime.GOMAXPROCS(0); again > inFlight {
		t.Errorf("%d pages fetched again, want at most the %d in flight", again, inFlight)
	}
}

// Interrupted while waiting for Redis, the crawl stops at once, not after
// the wait.
func TestRedisOutageInterrupted(t *testing.T) {
	rs := redistest.Start(t)
	srv, _, _ := tree(300)
	defer srv.Close()
	st := openRedis(t, rs.URL, t.Name())
	defer st.Close()
	ctx, cancel := context.WithCancel(context.Background())
	st.Wait, st.Abort = time.Minute, ctx.Done()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth = 2*time.Millisecond, 100
	rec := &recorder{}
	c, _ := New(cfg, st, rec)
	var stopped time.Time
	handledAfter(rec, 40, func() {
		rs.Stop()
		time.Sleep(300 * time.Millisecond)
		stopped = time.Now()
		cancel()
	})
	_, _, err := c.Run(ctx, []string{srv.URL + "/"})
	if stopped.IsZero() {
		t.Fatal("the crawl ended before Redis was stopped")
	}
	if took := time.Since(stopped); took > 30*time.Second { // not the minute of the wait; loose for a busy machine
		t.Errorf("the crawl took %v to stop after the interruption", took)
	}
	if err == nil || !strings.Contains(err.Error(), "interrupted while waiting") {
		t.Errorf("crawl error %v, want one saying it stopped waiting for Redis", err)
	}
}

// A Redis that speaks TLS only, with its default user off and an ACL user
// for the crawl's keys: the crawl state works through rediss:// with the
// user in the URL and the server's authority given; without the
// authority, with a wrong password, or as a user the server refuses, the
// error says why.
func TestRedisTLSAndACLUser(t *testing.T) {
	rs := redistest.StartSecure(t)
	pool, err := CertPool(rs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv, hits, _ := tree(30)
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.Delay, cfg.MaxDepth = 0, 100
	states := make([]*RedisState, 2)
	recs := make([]*recorder, 2)
	var wg sync.WaitGroup
	for i := range states {
		st, err := OpenRedisStateWith(ctx, RedisConn{URL: rs.URL, RootCAs: pool}, t.Name())
		if err != nil {
			t.Fatalf("rediss:// as the ACL user: %v\n%s", err, rs.Log())
		}
		defer st.Close()
		recs[i] = &recorder{}
		c, err := New(cfg, st, recs[i])
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if _, _, err := c.Run(ctx, []string{srv.URL + "/"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for path, n := range hits() {
		if n != 1 && path != "/robots.txt" { // each process reads robots.txt
			t.Errorf("%s fetched %d times through the TLS Redis, want once", path, n)
		}
	}
	if len(hits()) < 30 {
		t.Errorf("%d pages fetched, want the site's 31", len(hits()))
	}
	for name, c := range map[string]RedisConn{
		"certificate": {URL: rs.URL}, // the test's authority is not the system's
		"WRONGPASS":   {URL: rs.URL, Password: "wrong", RootCAs: pool},
		"WRONGPASS ":  {URL: strings.Replace(rs.URL, redistest.User+":", "default:", 1), RootCAs: pool}, // the default user is off
	} {
		_, err := OpenRedisStateWith(ctx, c, t.Name())
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(name)) || strings.Contains(err.Error(), redistest.Password) {
			t.Errorf("%s: %v, want an error naming %q without the password", name, err, strings.TrimSpace(name))
		}
	}
}
