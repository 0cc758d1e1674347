package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/internal/redistest"
	"github.com/presscrawl/presscrawl/warc"
)

// Three presscrawl processes given the same command and one Redis crawl
// the site together: every article fetched once between them and stored
// once across their data dirs.
func TestThreeProcessesShareACrawlThroughRedis(t *testing.T) {
	url := redistest.URL(t)
	bin := binary(t)
	site := newssite.Start(newssite.Options{English: 300, Arabic: 100})
	defer site.Close()
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for _, d := range dirs {
		cmd := exec.Command(bin, "crawl", "--redis", url, "--data-dir", d, "--delay", "0", "--parallelism", "2",
			"--progress-interval", "0", site.URL+"/", site.URL+"/feed/")
		cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &stderr)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, errs[i])
		}
		t.Logf("process %d: %s", i, strings.TrimSpace(errs[i].String()))
	}
	hits := site.AllHits()
	for _, a := range site.Articles {
		want := 1
		if a.Path == newssite.FlakyPath {
			want = 2 // a 500, then the page
		}
		if hits[a.Path] != want {
			t.Errorf("%s fetched %d times, want %d", a.Path, hits[a.Path], want)
		}
	}
	for p, n := range hits {
		if n > 1 && p != newssite.FlakyPath && p != "/robots.txt" {
			t.Errorf("%s fetched %d times", p, n)
		}
	}
	// The union of the three data dirs is the site's articles, once each.
	byURL := map[string]int{}
	busy := 0
	for _, d := range dirs {
		st, err := local.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := st.Count()
		if n > 0 {
			busy++
		}
		st.Close()
		_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", d)
		for _, l := range decodeLines(t, out) {
			byURL[l["canonical_url"].(string)]++
		}
	}
	if len(byURL) != len(site.Articles) {
		t.Errorf("%d distinct articles stored, want %d", len(byURL), len(site.Articles))
	}
	for u, n := range byURL {
		if n != 1 {
			t.Errorf("%s stored %d times", u, n)
		}
	}
	if busy < 2 {
		t.Errorf("only %d of the 3 processes stored records: the crawl was not shared", busy)
	}
}

// Redis restarted in the middle of a crawl (SIGTERM, back 2 s later with
// its data): the process says so, waits, and finishes; every article
// stored once, none fetched twice.
func TestRedisRestartDuringCrawl(t *testing.T) {
	rs := redistest.Start(t)
	bin := binary(t)
	site := newssite.Start(newssite.Options{English: 200, Arabic: 50})
	defer site.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "crawl", "--redis", rs.URL, "--data-dir", dir, "--delay", "10ms", "--parallelism", "2",
		"--progress-interval", "0", site.URL+"/")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	restarted := make(chan bool, 1)
	go func() {
		for {
			n := 0
			for _, c := range site.AllHits() {
				n += c
			}
			if n >= 80 {
				rs.Stop()
				time.Sleep(2 * time.Second)
				rs.Restart()
				restarted <- true
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	err := cmd.Wait()
	out := stderr.String()
	t.Log(out)
	if err != nil {
		t.Fatalf("crawl: %v", err)
	}
	select {
	case <-restarted:
	default:
		t.Fatal("the crawl ended before Redis was restarted")
	}
	if !strings.Contains(out, "presscrawl: Redis at "+rs.URL+" unreachable") || !strings.Contains(out, "is back after") {
		t.Errorf("stderr does not tell of the outage")
	}
	checkArchive(t, dir, site)
	for p, n := range site.AllHits() {
		// robots.txt: read once for its Sitemap lines, once by colly.
		if n > 1 && p != newssite.FlakyPath && p != "/robots.txt" {
			t.Errorf("%s fetched %d times", p, n)
		}
	}
}

// A crawl keeps its responses in WARC files; reextract rebuilds the same
// archive from them without fetching, into any index.
func TestWARCCaptureAndReextract(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 120, Arabic: 40})
	defer site.Close()
	dir, wdir := t.TempDir(), t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--warc", wdir,
		"--warc-max-size", "300000", "--progress-interval", "0", site.URL+"/")
	if code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir, site)
	files, err := warc.Files([]string{wdir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Errorf("%d WARC files, want rotation at 300 kB", len(files))
	}
	names := map[string]bool{}
	responses := 0
	statuses := map[int]int{}
	paths := map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f, ".warc.gz") {
			t.Errorf("%s: want closed .warc.gz files after the crawl", f)
		}
		names[filepath.Base(f)] = true
		ids := map[string]bool{}
		if err := warc.ReadResponses(context.Background(), f, func(r *warc.Response) error { // digests checked
			responses++
			ids[r.RecordID] = true
			statuses[r.StatusCode]++
			if u, err := url.Parse(r.URL); err == nil {
				paths[u.Path] = true
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if responses < len(site.Articles) {
		t.Errorf("%d responses in the WARC files, want every page fetched (%d articles and more)", responses, len(site.Articles))
	}
	// Every response is kept, as web archives keep them: robots.txt, the
	// redirect, the 404s, the 500 the flaky page answered first.
	if !paths["/robots.txt"] || statuses[http.StatusNotFound] == 0 || statuses[http.StatusInternalServerError] == 0 ||
		statuses[http.StatusMovedPermanently]+statuses[http.StatusFound] == 0 {
		t.Errorf("WARC statuses %v, robots.txt kept %v: want every response", statuses, paths["/robots.txt"])
	}
	_, crawled, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	first := decodeLines(t, crawled)
	for _, l := range first {
		if f, _ := l["warc_file"].(string); !names[f] {
			t.Errorf("%s: warc_file %q is not one of the files written", l["url"], f)
		}
		if id, _ := l["warc_record_id"].(string); !strings.HasPrefix(id, "urn:uuid:") {
			t.Errorf("%s: warc_record_id %q", l["url"], id)
		}
	}

	// Re-extraction into a new index gives the same records.
	dir2 := t.TempDir()
	code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", wdir, "--data-dir", dir2)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("stored %d,", len(site.Articles))) {
		t.Fatalf("reextract: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir2, site)
	_, again, _ := runCtx(t, context.Background(), "export", "--data-dir", dir2)
	if digest(t, again) != digest(t, crawled) {
		t.Error("re-extracted records differ from the crawl's")
	}
	// Again into the same index: nothing changes.
	code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", wdir, "--data-dir", dir2)
	if code != 0 || !strings.Contains(stderr, fmt.Sprintf("stored 0, unchanged %d", len(site.Articles))) {
		t.Errorf("second reextract: exit %d\n%s", code, stderr)
	}
	// As JSON Lines: the same records.
	code, out, stderr := runCtx(t, context.Background(), "reextract", "--warc", wdir, "--index", "jsonl")
	if code != 0 || digest(t, out) != digest(t, crawled) {
		t.Errorf("reextract --index jsonl: exit %d, records differ\n%s", code, stderr)
	}

	// A capture-only crawl stores nothing; reextract makes the archive.
	dir3, wdir3 := t.TempDir(), t.TempDir()
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", dir3, "--delay", "0", "--warc", wdir3, "--no-extract",
		"--progress-interval", "0", site.URL+"/")
	if code != 0 || !strings.Contains(stderr, "stored 0,") {
		t.Fatalf("--no-extract crawl: exit %d\n%s", code, stderr)
	}
	dir4 := t.TempDir()
	if code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", wdir3, "--data-dir", dir4); code != 0 {
		t.Fatalf("reextract: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir4, site)

	// Bad inputs: a clear error naming the input.
	bad := filepath.Join(t.TempDir(), "broken.warc.gz")
	os.WriteFile(bad, []byte("this is not a WARC file"), 0o644)
	code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", bad, "--index", "jsonl")
	if code != 1 || !strings.Contains(stderr, "broken.warc.gz") {
		t.Errorf("broken WARC: exit %d %q", code, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "reextract", "--warc", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "no WARC files") {
		t.Errorf("empty dir: exit %d %q", code, stderr)
	}
}

// digest is the set of (id, content_hash) of JSON Lines records, for
// comparing archives whatever their order and provenance.
func digest(t *testing.T, jsonl string) string {
	var out []string
	for _, l := range decodeLines(t, jsonl) {
		out = append(out, fmt.Sprint(l["id"], " ", l["content_hash"]))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// Secrets never show: config masks them, errors redact the URL password.
func TestSecretsMasked(t *testing.T) {
	t.Setenv("PRESSCRAWL_CRAWL_REDIS_PASSWORD", "s3cret-pw")
	t.Setenv("PRESSCRAWL_CRAWL_REDIS", "redis://:url-pw@127.0.0.1:1/0")
	code, out, _ := runCtx(t, context.Background(), "config")
	if code != 0 || strings.Contains(out, "s3cret-pw") || strings.Contains(out, "url-pw") ||
		!strings.Contains(out, "*****") || !strings.Contains(out, "redis://:xxxxx@127.0.0.1:1/0") {
		t.Errorf("config shows a secret or no mask:\n%s", out)
	}
	code, out, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "http://127.0.0.1:9/")
	if code != 1 || strings.Contains(out+stderr, "s3cret-pw") || strings.Contains(out+stderr, "url-pw") ||
		!strings.Contains(stderr, "redis://:xxxxx@127.0.0.1:1/0") {
		t.Errorf("unreachable Redis: exit %d, stderr %q", code, stderr)
	}
}

// Two crawls share a crawl through a TLS-only Redis as an ACL user (the
// user in the URL, its password from the environment, the server's
// authority from --redis-ca-cert): every article stored once between them,
// and the password shown nowhere.
func TestCrawlThroughTLSRedisAsACLUser(t *testing.T) {
	rs := redistest.StartSecure(t)
	site := newssite.Start(newssite.Options{English: 60, Arabic: 20})
	defer site.Close()
	t.Setenv("PRESSCRAWL_CRAWL_REDIS_PASSWORD", redistest.Password)
	noPassword := strings.Replace(rs.URL, ":"+redistest.Password+"@", "@", 1)
	dirs := []string{t.TempDir(), t.TempDir()}
	codes := make([]int, 2)
	errOuts := make([]string, 2)
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Go(func() {
			codes[i], _, errOuts[i] = runCtx(t, context.Background(), "crawl", "--redis", noPassword, "--redis-ca-cert", rs.CAFile,
				"--data-dir", d, "--delay", "0", "--progress-interval", "0", site.URL+"/")
		})
	}
	wg.Wait()
	stored := 0
	for i, d := range dirs {
		if codes[i] != 0 || strings.Contains(errOuts[i], redistest.Password) {
			t.Fatalf("process %d: exit %d\n%s\n%s", i, codes[i], errOuts[i], rs.Log())
		}
		l, err := local.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := l.Count()
		stored += int(n)
		l.Close()
	}
	if stored != len(site.Articles) {
		t.Errorf("%d records stored between the two, want each of the %d articles once", stored, len(site.Articles))
	}
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--redis", noPassword, "--data-dir", t.TempDir(), site.URL+"/"); code == 0 || !strings.Contains(stderr, "certificate") {
		t.Errorf("without --redis-ca-cert: exit %d %q, want the certificate refused", code, stderr)
	}
}
