package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/estest"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// syncBuffer is a buffer two goroutines may use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", url, err, b)
	}
	return res.StatusCode
}

// serve answers from the data dir, gives it back when idle so that a crawl
// can start on it, reads through that crawl while it runs, and from the
// data dir again once it has ended; the overview shows the last crawl.
func TestServeAroundACrawl(t *testing.T) {
	a := newssite.Start(newssite.Options{English: 20})
	defer a.Close()
	b := newssite.Start(newssite.Options{English: 30})
	defer b.Close()
	dir := t.TempDir()
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", a.URL+"/"); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, lastCrawlFile)); err != nil {
		t.Fatalf("no summary of the crawl kept: %v", err)
	}
	conf := config.Default()
	conf.DataDir, conf.Serve.Addr = dir, "127.0.0.1:0"
	var errOut syncBuffer
	streams := IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- runServe(ctx, &serveOptions{IO: streams, Config: conf, Open: readerOpener(streams), Idle: 100 * time.Millisecond,
			Ready: func(u string) { ready <- u }})
	}()
	var base string
	select {
	case base = <-ready:
	case err := <-served:
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	if !strings.Contains(errOut.String(), "serving data dir "+dir+" at http://127.0.0.1:") {
		t.Errorf("serve did not print its address: %q", errOut.String())
	}
	type stats struct {
		Records int `json:"records"`
	}
	var st stats
	if code := getJSON(t, base+"api/stats?by=language", &st); code != 200 || st.Records < 20 {
		t.Fatalf("before the second crawl: %d, %d records", code, st.Records)
	}
	first := st.Records
	res, err := http.Get(base + "overview")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), "<dt>stored</dt>") || !strings.Contains(string(page), a.URL) {
		t.Errorf("the overview lacks the last crawl's summary")
	}
	// serve gives the data dir back when idle
	for i := 0; ; i++ {
		l, err := local.Open(dir)
		if err == nil {
			l.Close()
			break
		}
		if i == 300 {
			t.Fatalf("serve kept the data dir: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cctx, stop := context.WithCancel(context.Background())
	crawled := make(chan int, 1)
	go func() {
		code, _, stderr := runCtx(t, cctx, "crawl", "--data-dir", dir, "--delay", "50ms", "--parallelism", "1", "--progress-interval", "0", b.URL+"/")
		if code != 0 {
			t.Errorf("the second crawl: exit %d\n%s", code, stderr)
		}
		crawled <- code
	}()
	// through the crawl: its records appear as it commits them
	during := 0
	for i := 0; i < 600 && during <= first; i++ {
		time.Sleep(100 * time.Millisecond)
		if getJSON(t, base+"api/stats?by=language", &st) == 200 {
			during = st.Records
		}
	}
	if during <= first {
		t.Fatalf("serve never saw the running crawl's records (%d)\n%s", during, errOut.String())
	}
	if !strings.Contains(errOut.String(), "in use by a crawl") {
		t.Errorf("serve did not read through the crawl: %s", errOut.String())
	}
	stop()
	<-crawled
	// the crawl is gone with its socket: serve opens the data dir again
	if code := getJSON(t, base+"api/stats?by=language", &st); code != 200 || st.Records < during {
		t.Errorf("after the crawl: %d, %d records (%d during)", code, st.Records, during)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve after Ctrl-C: %v", err)
	}
}

func TestServeRefusesBadSetup(t *testing.T) {
	if code, _, stderr := runCtx(t, context.Background(), "serve", "--addr", "nonsense"); code != 2 || !strings.Contains(stderr, "--addr") {
		t.Errorf("--addr nonsense: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCtx(t, context.Background(), "serve", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "holds no index") {
		t.Errorf("an empty data dir: exit %d %q", code, stderr)
	}
}

// startServe runs serve with conf on a free port until the test ends.
func startServe(t *testing.T, conf config.Config) string {
	t.Helper()
	conf.Serve.Addr = "127.0.0.1:0"
	var errOut syncBuffer
	streams := IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- runServe(ctx, &serveOptions{IO: streams, Config: conf, Open: readerOpener(streams), Ready: func(u string) { ready <- u }})
	}()
	t.Cleanup(func() { cancel(); <-served })
	select {
	case u := <-ready:
		return u
	case err := <-served:
		t.Fatalf("serve: %v\n%s", err, errOut.String())
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start")
	}
	return ""
}

// serve over the archive answers as serve over the data dir that fed it.
func TestServeTheArchive(t *testing.T) {
	es, alias := estest.URL(t), estest.Alias(t)
	site := newssite.Start(newssite.Options{English: 40, Arabic: 20})
	defer site.Close()
	dir := t.TempDir()
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0",
		"--index", "elasticsearch", "--es-url", es, "--es-index", alias, site.URL+"/"); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	conf := config.Default()
	conf.DataDir = dir
	fromLocal := startServe(t, conf)
	conf.Index.Backend, conf.ES.URL, conf.ES.Index = "elasticsearch", es, alias
	fromArchive := startServe(t, conf)
	for _, path := range []string{"api/search?q=language:ar&sort=-date&limit=7", "api/search?q=report&sort=date&offset=3&limit=5",
		"api/stats?by=language", "api/stats?by=month&q=language:en", "api/search?sort=date&f=" + url.QueryEscape(`language:"ar"`)} {
		var a, l map[string]any
		ca, cl := getJSON(t, fromArchive+path, &a), getJSON(t, fromLocal+path, &l)
		if ca != 200 || cl != 200 || fmt.Sprint(ids(a)) != fmt.Sprint(ids(l)) || a["total"] != l["total"] || fmt.Sprint(a["counts"]) != fmt.Sprint(l["counts"]) {
			t.Errorf("%s: archive %d %v %v, local %d %v %v", path, ca, a["total"], ids(a), cl, l["total"], ids(l))
		}
		if strings.Contains(path, "search") && len(ids(a)) == 0 || strings.Contains(path, "stats") && a["records"] == float64(0) {
			t.Errorf("%s: nothing found, nothing compared", path)
		}
	}
	var arabic map[string]any
	getJSON(t, fromArchive+"api/search?q=language:ar&limit=1", &arabic)
	id := ids(arabic)[0]
	for _, page := range []string{"", "?q=report", "overview", "records/" + id} {
		res, err := http.Get(fromArchive + page)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || (strings.HasPrefix(page, "records/") && !strings.Contains(string(b), `dir="rtl"`)) {
			t.Errorf("/%s over the archive: %d\n%.300s", page, res.StatusCode, b)
		}
	}
}

// ids are the ids of an /api/search answer's hits, in order.
func ids(v map[string]any) []string {
	var out []string
	hits, _ := v["hits"].([]any)
	for _, h := range hits {
		if m, ok := h.(map[string]any); ok {
			out = append(out, fmt.Sprint(m["id"]))
		}
	}
	return out
}
