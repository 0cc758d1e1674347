package main

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/presscrawl/presscrawl/internal/newssite"
)

// storyPage is an article page that extracts to a record.
func storyPage(title string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<html lang="en"><head><title>%s</title></head><body><article><h1>%s</h1>`, title, title)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d of %s: the council approved the plan after a long debate about its cost, the funding from the ministry and the timetable for the works.</p>", i, title)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

// bomb is n zero bytes compressed: a few hundred kilobytes that inflate to n.
func bomb(t *testing.T, n int, deflate bool) []byte {
	var buf bytes.Buffer
	var w interface {
		Write([]byte) (int, error)
		Close() error
	}
	if deflate {
		w, _ = flate.NewWriter(&buf, flate.BestCompression)
	} else {
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	}
	chunk := make([]byte, 1<<20)
	for i := 0; i < n>>20; i++ {
		w.Write(chunk)
	}
	w.Close()
	return buf.Bytes()
}

// Memory bombs by every encoding name and path, and a redirect to a 40 KB
// URL: each is skipped and counted, the good articles are stored, the
// crawl ends by itself, and the same command again succeeds.
func TestHostileSiteTraps(t *testing.T) {
	gz, df := bomb(t, 300<<20, false), bomb(t, 300<<20, true)
	nested := "<html><body>" + strings.Repeat("<b><p>x", 700_000) // 4.9 MB of formatting tags: minutes and gigabytes to walk
	longPath := "/long/" + strings.Repeat("y", 40<<10)
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		html := func() { w.Header().Set("Content-Type", "text/html; charset=utf-8") }
		switch r.URL.Path {
		case "/":
			html()
			fmt.Fprint(w, `<a href="/x-gzip">1</a> <a href="/deflate">2</a> <a href="/to-gz">3</a> <a href="/to-long">4</a>
<a href="/2024/01/02/first-story/">a</a> <a href="/2024/01/03/second-story/">b</a>
<a href="/nested/1">n1</a> <a href="/nested/2">n2</a> <a href="/nested/3">n3</a>`)
		case "/nested/1", "/nested/2", "/nested/3":
			html()
			fmt.Fprint(w, nested)
		case "/x-gzip":
			html()
			w.Header().Set("Content-Encoding", "x-gzip")
			w.Write(gz)
		case "/deflate":
			html()
			w.Header().Set("Content-Encoding", "deflate")
			w.Write(df)
		case "/to-gz":
			http.Redirect(w, r, "/feed/bomb.xml.gz", http.StatusFound)
		case "/feed/bomb.xml.gz":
			html() // a gzip file served as HTML: inflated by nobody but with a bound
			w.Write(gz)
		case "/to-long":
			http.Redirect(w, r, longPath, http.StatusFound)
		case "/2024/01/02/first-story/":
			html()
			fmt.Fprint(w, storyPage("First story"))
		case "/2024/01/03/second-story/":
			html()
			fmt.Fprint(w, storyPage("Second story"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	args := []string{"crawl", "--data-dir", dir, "--delay", "0", "--retries", "0", "--progress-interval", "0", srv.URL + "/"}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	code, _, stderr := runCtx(t, context.Background(), args...)
	runtime.ReadMemStats(&after)
	// Bytes allocated, not time: the same on a busy machine. Inflating the
	// three bombs whole would take 900 MB; bounded, each costs its 10 MiB
	// cap; the nested pages are refused before they are parsed.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 250<<20 {
		t.Errorf("the crawl allocated %d MB: a bomb was inflated past the body limit", alloc>>20)
	} else {
		t.Logf("the crawl allocated %d MB", alloc>>20)
	}
	if code != 0 || !strings.Contains(stderr, "stored 2,") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := summaryCount(stderr, "too large"); n < 2 {
		t.Errorf("%d pages too large, want the x-gzip and deflate bombs at least\n%s", n, stderr)
	}
	if summaryCount(stderr, "too many tags for an article page") != 3 {
		t.Errorf("the pages of nested tags are not refused as too complex\n%s", stderr)
	}
	if summaryCount(stderr, "URL too long") != 1 {
		t.Errorf("the redirect to a 40 KB URL is not counted as too long\n%s", stderr)
	}
	mu.Lock()
	if hits[longPath] != 0 {
		t.Error("the 40 KB URL was fetched")
	}
	mu.Unlock()
	code, _, stderr = runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(stderr, "crawl finished") {
		t.Fatalf("the same command again: exit %d\n%s", code, stderr)
	}
}

// A seed's password is never printed; a seed that cannot be fetched is
// named, and a crawl that fetched none of its seeds fails; an invalid seed
// is a usage error before any data dir exists.
func TestSeedFailuresNamed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, storyPage("Only story"))
	}))
	defer srv.Close()
	dead := "http://127.0.0.1:1/"
	withPassword := strings.Replace(srv.URL, "http://", "http://reader:hunter2@", 1) + "/"
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--retries", "0", withPassword, dead)
	if code != 0 || strings.Contains(stderr, "hunter2") || !strings.Contains(stderr, "seed "+dead+": robots.txt unreachable (connection refused)") {
		t.Errorf("one seed of two fetched: exit %d\n%s", code, stderr)
	}
	code, out, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--retries", "0", "--json", dead)
	if code != 1 || !strings.Contains(stderr, "no seed could be fetched") {
		t.Errorf("no seed fetched: exit %d\n%s", code, stderr)
	}
	var summary struct {
		Fetched int `json:"fetched"`
		Seeds   []struct {
			URL     string `json:"url"`
			Fetched bool   `json:"fetched"`
			Reason  string `json:"reason"`
		} `json:"seeds"`
	}
	if err := json.Unmarshal([]byte(out), &summary); err != nil || len(summary.Seeds) != 1 || summary.Seeds[0].Fetched ||
		!strings.Contains(summary.Seeds[0].Reason, "connection refused") {
		t.Errorf("--json summary %q: %v", out, err)
	}
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--allow", "/nothing-here/", srv.URL+"/")
	if code != 1 || !strings.Contains(stderr, "filtered out by --allow") {
		t.Errorf("every seed filtered out: exit %d\n%s", code, stderr)
	}
	data := filepath.Join(t.TempDir(), "data")
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", data, "http://exa mple/")
	if _, err := os.Stat(data); code != 2 || err == nil || strings.Contains(stderr, "resume") {
		t.Errorf("invalid seed: exit %d, data dir made: %v\n%s", code, err == nil, stderr)
	}
}

// An article whose canonical URL cannot be stored (a 404, a redirect back to
// the article) is kept from the page that names it; one whose canonical
// page is stored is stored once, from that page.
func TestCanonicalAliasesKeepTheirArticle(t *testing.T) {
	canonical := func(w http.ResponseWriter, title, href string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page := storyPage(title)
		fmt.Fprint(w, strings.Replace(page, "</title>", `</title><link rel="canonical" href="`+href+`">`, 1))
	}
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<a href="/amp/lost-story/">1</a> <a href="/2024/02/02/looped-story/">2</a> <a href="/amp/fine-story/">3</a>`)
		case "/amp/lost-story/":
			canonical(w, "Lost story", srvURL+"/2024/02/01/lost-story/") // a 404
		case "/2024/02/02/looped-story/":
			canonical(w, "Looped story", srvURL+"/2024/02/02/looped-story-canonical/")
		case "/2024/02/02/looped-story-canonical/":
			http.Redirect(w, r, "/2024/02/02/looped-story/", http.StatusMovedPermanently)
		case "/amp/fine-story/":
			canonical(w, "Fine story", srvURL+"/2024/02/03/fine-story/")
		case "/2024/02/03/fine-story/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, storyPage("Fine story"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--retries", "0", srv.URL+"/")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	recs := decodeLines(t, out)
	titles := map[string]string{}
	for _, r := range recs {
		titles[r["title"].(string)] = r["url"].(string)
	}
	if !strings.Contains(stderr, "stored 3,") || summaryCount(stderr, "stored before from its alias page (now from this page)") != 1 {
		t.Errorf("the summary counts records, not writes:\n%s", stderr)
	}
	if code != 0 || len(recs) != 3 || titles["Lost story"] == "" || titles["Looped story"] == "" ||
		titles["Fine story"] != srv.URL+"/2024/02/03/fine-story/" {
		t.Errorf("records %v, want the three stories, the fine one from its canonical page\n%s", titles, stderr)
	}
}

// A named pipe or a device as input is refused at once, not read for ever;
// the other inputs are still extracted.
func TestExtractRefusesSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.html")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	good := filepath.Join(t.TempDir(), "story.html")
	os.WriteFile(good, []byte(storyPage("A story")), 0o644)
	code, out, stderr := runCLI(t, "extract", fifo, "/dev/zero", good)
	if code != 1 || !strings.Contains(stderr, fifo+": is not a regular file (a named pipe)") ||
		!strings.Contains(stderr, "/dev/zero: is not a regular file (a device)") || !strings.Contains(out, `"title":"A story"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, stderr)
	}
}

// crawl --since stores only the articles published on or after that day
// (by each page's own calendar), and says what it left out.
func TestCrawlSince(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 120, Arabic: 40})
	defer site.Close()
	const since = "2024-03-01"
	want := 0
	for _, a := range site.Articles {
		if a.Published.Format("2006-01-02") >= since {
			want++
		}
	}
	if want == 0 || want == len(site.Articles) {
		t.Fatalf("%d of %d articles after %s: the test would prove nothing", want, len(site.Articles), since)
	}
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--since", since, site.URL+"/")
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("stored %d,", want)) || summaryCount(stderr, "published before --since") == 0 {
		t.Fatalf("exit %d, want %d stored\n%s", code, want, stderr)
	}
	_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "tsv", "--fields", "published_at")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if line[:10] < since {
			t.Errorf("stored an article published %s, before --since %s", line, since)
		}
	}
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--since", "last week", site.URL+"/")
	if code != 2 || !strings.Contains(stderr, "--since") {
		t.Errorf("--since last week: exit %d %q", code, stderr)
	}
}

// --scope: a sitemap seed alone crawls what it lists (auto), a site's home
// page its whole site; --scope site widens a sitemap seed to its site.
func TestCrawlScope(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 60})
	defer site.Close()
	count := func(args ...string) (int, string) {
		t.Helper()
		dir := t.TempDir()
		code, _, stderr := runCtx(t, context.Background(), append([]string{"crawl", "--data-dir", dir, "--delay", "0"}, args...)...)
		if code != 0 {
			t.Fatalf("crawl %v: exit %d\n%s", args, code, stderr)
		}
		_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
		return strings.Count(out, "\n"), stderr
	}
	whole, _ := count(site.URL + "/")
	feed, stderr := count(site.URL + "/feed/")
	if !strings.Contains(stderr, "(scope seeds:") || feed == 0 || feed >= whole {
		t.Errorf("a feed seed with --scope auto stored %d of the site's %d articles, want what the feed lists\n%s", feed, whole, stderr)
	}
	widened, stderr := count("--scope", "site", site.URL+"/feed/")
	if widened != whole || !strings.Contains(stderr, "(scope site:") {
		t.Errorf("--scope site from the feed stored %d, want the whole site's %d", widened, whole)
	}
}
