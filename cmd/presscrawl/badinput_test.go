package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/record"
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
	huge := bytes.Repeat([]byte("<p>a 50 MB page</p>\n"), 50<<20/20)
	var bomb bytes.Buffer // 200 MB of zeros, gzipped to a few hundred kB
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	zw.Write(make([]byte, 200<<20))
	zw.Close()
	deep := "<html><body>" + strings.Repeat("<div>", 100000) + "<p>deep</p>" + strings.Repeat("</div>", 100000) + "</body></html>"
	good := `<html lang="en"><head><title>Good story</title></head><body><article><h1>Good story</h1>` + paras.String() + `</article></body></html>`
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
<a href="/sitemap.xml">s</a> <a href="%s">l</a> <a href="/2024/01/02/good-story-here/">g</a>
<a href="/huge">1</a> <a href="/huge-stream">2</a> <a href="/gzip-bomb">3</a> <a href="/deep">4</a> <a href="/slow-to-extract">5</a>
<a href="/scripts-only">6</a> <a href="/no-body">7</a> <a href="/invalid-utf8">8</a> <a href="/lying-charset">9</a>`, longURL)
		case "/huge": // 50 MB with Content-Length: refused at the headers
			w.Header().Set("Content-Type", "text/html")
			w.Write(huge)
		case "/huge-stream": // 50 MB without Content-Length: cut at the limit
			w.Header().Set("Content-Type", "text/html")
			w.(http.Flusher).Flush()
			w.Write(huge)
		case "/gzip-bomb":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb.Bytes())
		case "/deep":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, deep)
		case "/slow-to-extract":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, good)
		case "/scripts-only":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><script>var a = 1;</script></head><body><script>document.write("x")</script></body></html>`)
		case "/no-body":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><title>Only a head</title></head></html>`)
		case "/invalid-utf8":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte("<html lang=\"fr\"><body><p>caf\xe9 \xff\xfe broken</p></body></html>"))
		case "/lying-charset":
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-6")
			fmt.Fprint(w, "<html lang=\"ar\"><body><p>\u0645\u0631\u062d\u0628\u0627 UTF-8 in truth</p></body></html>")
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
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	state, err := crawler.OpenState(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := crawler.DefaultConfig()
	cfg.Delay, cfg.Timeout, cfg.RetryBackoff = 0, 2*time.Second, 10*time.Millisecond
	// The page slow to extract is held until the test ends: over any budget
	// however busy the machine, while the others are well within it.
	x := stallingExtractor{stall: "/slow-to-extract", until: hang}
	c, err := crawler.New(cfg, state, ingest.Pipeline{Extractor: x, Store: store, Budget: 3 * time.Second})
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
	for _, want := range []string{"timeout", "empty page", "not HTML (unreadable bytes)", "bad sitemap", "redirect out of scope or to a known URL", "URL too long",
		"extraction over its time budget", "unparsable HTML"} {
		if reasons[want] == 0 {
			t.Errorf("no %q in the summary: %v", want, reasons)
		}
	}
	if reasons["too large"] != 3 {
		t.Errorf("%d pages too large, want 3 (50 MB with and without Content-Length, the gzip bomb): %v", reasons["too large"], reasons)
	}
	// Scripts only, no body, invalid UTF-8 and a lying charset: read, and
	// not taken for articles.
	if reasons["not an article (home, listing or error page)"] < 4 {
		t.Errorf("the pages without article text: %v", reasons)
	}
	t.Logf("reasons: %v", reasons)
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

// stallingExtractor extracts every page but the one whose URL ends in
// stall, whose extraction lasts until until is closed.
type stallingExtractor struct {
	stall string
	until <-chan struct{}
}

func (s stallingExtractor) ExtractContext(ctx context.Context, in extract.Input) (*record.Record, error) {
	if strings.HasSuffix(in.URL, s.stall) {
		select {
		case <-s.until:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return extract.Extractor{}.ExtractContext(ctx, in)
}

// TLS is verified: a site with a certificate from an unknown authority is
// an error counted in the summary, and --ca-cert naming that authority
// makes it crawlable; nothing turns verification off.
func TestCrawlTLSVerifiedAndCACert(t *testing.T) {
	var paras strings.Builder
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&paras, "<p>Paragraph %d: the council approved the plan after a long debate about its cost, the funding from the ministry and the timetable for the works.</p>", i)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/" {
			fmt.Fprint(w, `<html lang="en"><body><a href="/2024/05/06/council-plan/">story</a></body></html>`)
			return
		}
		fmt.Fprint(w, `<html lang="en"><head><title>Council plan</title></head><body><article><h1>Council plan</h1>`+paras.String()+`</article></body></html>`)
	}))
	// The refused handshake is the point of the test: not logged.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--retries", "0", srv.URL+"/")
	if code != 1 || !strings.Contains(stderr, "stored 0,") || !strings.Contains(stderr, "seed "+srv.URL+"/: robots.txt unreachable (TLS certificate)") ||
		!strings.Contains(stderr, "no seed could be fetched") {
		t.Errorf("unknown CA: exit %d, want 1 with the seed refused for its TLS certificate\n%s", code, stderr)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pem.Encode(mustCreate(t, ca), &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--ca-cert", ca, srv.URL+"/")
	if code != 0 || !strings.Contains(stderr, "stored 1,") {
		t.Errorf("--ca-cert: exit %d\n%s", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o644)
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--ca-cert", bad, srv.URL+"/")
	if code != 2 || !strings.Contains(stderr, "bad.pem") || !strings.Contains(stderr, "no PEM certificate") {
		t.Errorf("bad --ca-cert: exit %d %q", code, stderr)
	}
}

func mustCreate(t *testing.T, path string) *os.File {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
