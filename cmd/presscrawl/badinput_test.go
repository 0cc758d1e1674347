package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
)

// Each bad input a crawl meets yields a skip or an error with its reason in
// the summary, and the crawl goes on to store the good article.
func TestCrawlBadInputs(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	longURL := "/long/" + strings.Repeat("x", 100<<10)
	var paras strings.Builder
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&paras, "<p>Paragraph %d: the council approved the plan after a long debate about its cost, the funding from the ministry and the timetable for the works in the northern districts.</p>", i)
	}
	good := `<html><head><title>Good story</title></head><body><article><h1>Good story</h1>` + paras.String() + `</article></body></html>`
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<a href="/loop-a">a</a> <a href="/hang">h</a> <a href="/empty">e</a> <a href="/binary">b</a>
<a href="/sitemap.xml">s</a> <a href="%s">l</a> <a href="/2024/01/02/good-story-here/">g</a>`, longURL)
		case "/loop-a":
			http.Redirect(w, r, "/loop-b", http.StatusFound)
		case "/loop-b":
			http.Redirect(w, r, "/loop-a", http.StatusFound)
		case "/hang":
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		case "/empty":
			w.Header().Set("Content-Type", "text/html")
		case "/binary":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"))
		case "/sitemap.xml":
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><urlset><url><loc>/x</loc></url`)
		case "/2024/01/02/good-story-here/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, good)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	dir := t.TempDir()
	store, err := index.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := crawler.OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Timeout, cfg.RetryBackoff = 0, 300*time.Millisecond, 10*time.Millisecond
	c, err := crawler.New(cfg, state, pipeline{x: extract.Extractor{}, store: store})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, err := c.Run(context.Background(), []string{srv.URL + "/"})
	state.Close()
	if err != nil {
		t.Fatal(err)
	}
	n, _ := store.Count()
	store.Close()
	if n != 1 {
		t.Errorf("%d records stored, want the good article", n)
	}
	reasons := map[string]int64{}
	for _, cs := range [][]crawler.Count{snap.Skipped, snap.Errors} {
		for _, x := range cs {
			reasons[x.Reason] += x.N
		}
	}
	for _, want := range []string{"timeout", "empty page", "not HTML (unreadable bytes)", "bad sitemap", "redirect out of scope or to a known URL", "URL too long"} {
		if reasons[want] == 0 {
			t.Errorf("no %q in the summary: %v", want, reasons)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if hits["/hang"] != 1+cfg.Retries {
		t.Errorf("the hanging page was tried %d times, want %d", hits["/hang"], 1+cfg.Retries)
	}
	if hits[longURL] != 0 {
		t.Error("a 100 KB URL was fetched")
	}
	if hits["/loop-a"] > 2 || hits["/loop-b"] > 1 {
		t.Errorf("redirect loop: /loop-a %d, /loop-b %d", hits["/loop-a"], hits["/loop-b"])
	}
}
