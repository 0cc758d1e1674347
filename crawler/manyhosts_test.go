package crawler

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/manysites"
)

func TestParseResolve(t *testing.T) {
	r, err := ParseResolve([]string{"news.test=127.0.0.1", "*.lab.example=10.0.0.7", "v6.test=[::1]"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{"news.test": "127.0.0.1", "NEWS.test.": "127.0.0.1", "a.lab.example": "10.0.0.7",
		"x.y.lab.example": "10.0.0.7", "lab.example": "", "other.test": "", "v6.test": "::1"} {
		if got, _ := r.Lookup(host); got != want {
			t.Errorf("%s -> %q, want %q", host, got, want)
		}
	}
	for _, bad := range []string{"news.test", "news.test=nowhere", "=127.0.0.1"} {
		if _, err := ParseResolve([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v, want an error naming it", bad, err)
		}
	}
}

// Many sites at once, each under its own name (one server answering by
// Host, the names sent to it by Resolve): every article fetched once; no
// host ever gets more requests within the delay than the parallelism
// allows (from the server's log); no site starves: every site's first
// article is asked for before half of all articles are.
func TestManyHostsPoliteAndFair(t *testing.T) {
	const sites, articles = 60, 6
	srv, err := manysites.Start("127.0.0.1:0", sites, articles)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rs, _ := ParseResolve([]string{"*.test=127.0.0.1"})
	cfg := DefaultConfig()
	cfg.Delay, cfg.Parallelism, cfg.MaxDepth, cfg.Resolve = 150*time.Millisecond, 2, 3, rs
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, _, err := c.Run(ctx, srv.Seeds()); err != nil {
		t.Fatal(err)
	}
	log := srv.Log()
	fetched := map[string]int{}
	byHost := map[string][]time.Time{}
	var articleOrder []string
	for _, r := range log {
		fetched[r.Host+r.Path]++
		byHost[r.Host] = append(byHost[r.Host], r.At)
		if strings.HasPrefix(r.Path, "/news/") {
			articleOrder = append(articleOrder, r.Host)
		}
	}
	if len(articleOrder) != sites*articles {
		t.Fatalf("%d articles fetched, want %d", len(articleOrder), sites*articles)
	}
	for k, n := range fetched {
		if n != 1 {
			t.Errorf("%s fetched %d times", k, n)
		}
	}
	for host, ts := range byHost {
		for i := cfg.Parallelism; i < len(ts); i++ {
			if d := ts[i].Sub(ts[i-cfg.Parallelism]); d < cfg.Delay {
				t.Errorf("%s: %d requests within %v (%v), the parallelism allows %d", host, cfg.Parallelism+1, cfg.Delay, d, cfg.Parallelism)
			}
		}
	}
	first := map[string]int{}
	for i, h := range articleOrder {
		if _, ok := first[h]; !ok {
			first[h] = i
		}
	}
	for h, i := range first {
		if i >= len(articleOrder)/2 {
			t.Errorf("%s: its first article was the %d-th of %d: starved", h, i+1, len(articleOrder))
		}
	}
	if len(first) != sites {
		t.Errorf("%d sites had an article fetched, want %d", len(first), sites)
	}
}
