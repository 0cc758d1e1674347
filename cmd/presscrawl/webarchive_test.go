package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/internal/warctest"
	"github.com/presscrawl/presscrawl/record"
)

// sitePages fetches the site's article pages (and a PDF beside them) as
// pages for a third-party WARC writer, captured on day.
func sitePages(t *testing.T, site *newssite.Site, arts []newssite.Article, day string) []warctest.Page {
	t.Helper()
	var out []warctest.Page
	for _, a := range arts {
		resp, err := http.Get(site.URL + a.Path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s", a.Path, resp.Status)
		}
		out = append(out, warctest.Page{URL: site.URL + a.Path, ContentType: resp.Header.Get("Content-Type"), Body: b, Date: day + "T10:00:00Z"})
	}
	out = append(out, warctest.Page{URL: site.URL + "/files/report.pdf", ContentType: "application/pdf", Body: []byte("%PDF-1.4 report"), Date: day + "T10:00:00Z"})
	return out
}

// plainArticles are the site's articles but its trap pages (a flaky and a
// slow server's), which answer other than a plain article.
func plainArticles(site *newssite.Site) []newssite.Article {
	var arts []newssite.Article
	for _, a := range site.Articles {
		if !strings.Contains(a.Path, "-server-story") {
			arts = append(arts, a)
		}
	}
	return arts
}

// allRecords reads every record of a data dir.
func allRecords(t *testing.T, dir string) map[string]*record.Record {
	t.Helper()
	store, err := local.OpenRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := map[string]*record.Record{}
	if err := store.Each(context.Background(), "", func(r *record.Record) error { out[r.URL] = r; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// reextract reads WARC files other tools wrote: one by wget of a live
// site, one in CC-NEWS's shape by warcio; every article comes back with its
// provenance.
func TestReextractThirdPartyWARC(t *testing.T) {
	if _, err := exec.LookPath("wget"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("wget is needed under CI (.ci/run installs it)")
		}
		t.Skip("wget not available")
	}
	warctest.NeedWarcio(t)
	site := newssite.Start(newssite.Options{English: 6, Arabic: 2})
	defer site.Close()
	work := t.TempDir()
	out, _ := exec.Command("wget", "-q", "-r", "-l", "3", "-e", "robots=off", "--compression=auto", "--reject-regex", "amp|feed|sitemap|slow",
		"--warc-file="+filepath.Join(work, "site"), "-P", filepath.Join(work, "mirror"), site.URL+"/").CombinedOutput()
	if _, err := os.Stat(filepath.Join(work, "site.warc.gz")); err != nil {
		t.Fatalf("wget wrote no WARC: %v %s", err, out)
	}
	cc := filepath.Join(work, "CC-NEWS-20240305100000-00001.warc.gz")
	warctest.WriteWarcio(t, cc, sitePages(t, site, plainArticles(site), "2024-03-05"), true)

	// wget's WARC alone
	dir := t.TempDir()
	code, _, errOut := runCtx(t, context.Background(), "reextract", "--data-dir", dir, "--warc", filepath.Join(work, "site.warc.gz"))
	if code != 0 {
		t.Fatalf("reextract of wget's WARC: exit %d\n%s", code, errOut)
	}
	got := allRecords(t, dir)
	if len(got) < len(site.Articles)/2 {
		t.Errorf("wget's WARC: %d records of %d articles\n%s", len(got), len(site.Articles), errOut)
	}
	for u, r := range got {
		if r.WARCFile != "site.warc.gz" || r.WARCRecordID == "" || r.ArchivedAt == nil || r.Title == "" {
			t.Errorf("%s: warc_file %q, warc_record_id %q, archived_at %v", u, r.WARCFile, r.WARCRecordID, r.ArchivedAt)
		}
	}
	if !strings.Contains(errOut, "request") {
		t.Errorf("the summary does not count wget's request records:\n%s", errOut)
	}
	t.Logf("wget: %s", errOut)

	// warcio's CC-NEWS-shaped file
	dir = t.TempDir()
	code, _, errOut = runCtx(t, context.Background(), "reextract", "--data-dir", dir, "--warc", cc)
	if code != 0 {
		t.Fatalf("reextract of warcio's WARC: exit %d\n%s", code, errOut)
	}
	checkArticles(t, dir, site.URL, plainArticles(site))
	for u, r := range allRecords(t, dir) {
		if r.ArchivedAt == nil || r.ArchivedAt.Format(time.RFC3339) != "2024-03-05T10:00:00Z" || r.WARCFile != filepath.Base(cc) {
			t.Errorf("%s: archived_at %v, warc_file %q", u, r.ArchivedAt, r.WARCFile)
		}
	}
	for _, want := range []string{"1 metadata", "1 revisit", "revisits: 1 of a capture read here", "1 not HTML"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q:\n%s", want, errOut)
		}
	}
	t.Logf("warcio: %s", errOut)
	_ = out
}

// ccTree serves a fake CC-NEWS tree: a gzipped paths listing and WARC
// files with Range support; dropOnce cuts the first download of a file
// half-way (the client must resume with a Range request); block holds a
// file's download until released.
type ccTree struct {
	*httptest.Server
	files    map[string][]byte
	mu       sync.Mutex
	dropOnce map[string]bool
	ranges   atomic.Int64
	gets     map[string]int
	block    map[string]chan struct{}
}

func newCCTree(t *testing.T, files map[string][]byte) *ccTree {
	t.Helper()
	tr := &ccTree{files: files, dropOnce: map[string]bool{}, gets: map[string]int{}, block: map[string]chan struct{}{}}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sortStrings(names)
	var listing bytes.Buffer
	zw := gzip.NewWriter(&listing)
	for _, n := range names {
		fmt.Fprintf(zw, "crawl-data/CC-NEWS/2024/03/%s\n", n)
	}
	zw.Close()
	tr.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/crawl-data/CC-NEWS/2024/03/warc.paths.gz" {
			w.Write(listing.Bytes())
			return
		}
		name := filepath.Base(r.URL.Path)
		b, ok := tr.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		tr.mu.Lock()
		tr.gets[name]++
		drop := tr.dropOnce[name] && r.Header.Get("Range") == ""
		if drop {
			tr.dropOnce[name] = false
		}
		wait := tr.block[name]
		tr.mu.Unlock()
		if wait != nil {
			select {
			case <-wait:
			case <-r.Context().Done():
				return
			}
		}
		if r.Header.Get("Range") != "" {
			tr.ranges.Add(1)
		}
		if drop {
			w.Header().Set("Content-Length", fmt.Sprint(len(b)))
			w.Header().Set("Accept-Ranges", "bytes")
			w.WriteHeader(200)
			w.Write(b[:len(b)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.(*net.TCPConn).SetLinger(0)
				conn.Close()
			}
			return
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(tr.Close)
	return tr
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// ccFiles writes the site's articles as three CC-NEWS files of warcio
// (with a revisit, a metadata record and a PDF each).
func ccFiles(t *testing.T, site *newssite.Site) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{}
	all := plainArticles(site)
	for i := 0; i < 3; i++ {
		var arts []newssite.Article // every third article: each file holds both languages
		for k := i; k < len(all); k += 3 {
			arts = append(arts, all[k])
		}
		name := fmt.Sprintf("CC-NEWS-2024030%d100000-0000%d.warc.gz", i+1, i)
		p := filepath.Join(dir, name)
		warctest.WriteWarcio(t, p, sitePages(t, site, arts, fmt.Sprintf("2024-03-0%d", i+1)), true)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

// A remote collection through its paths listing: streamed, a dropped
// download resumed with a Range request, every article stored once with
// the URL of its file; a truncated file costs only its lost records.
func TestReextractRemoteCollection(t *testing.T) {
	warctest.NeedWarcio(t)
	site := newssite.Start(newssite.Options{English: 9, Arabic: 3})
	defer site.Close()
	files := ccFiles(t, site)
	tree := newCCTree(t, files)
	tree.dropOnce["CC-NEWS-20240302100000-00001.warc.gz"] = true
	dir := t.TempDir()
	code, _, errOut := runCtx(t, context.Background(), "reextract", "--data-dir", dir,
		"--warc-list", tree.URL+"/crawl-data/CC-NEWS/2024/03/warc.paths.gz", "--warc-base", tree.URL+"/")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	checkArticles(t, dir, site.URL, plainArticles(site))
	if tree.ranges.Load() == 0 {
		t.Error("the dropped download was not resumed with a Range request")
	}
	for u, r := range allRecords(t, dir) {
		if !strings.HasPrefix(r.WARCFile, tree.URL+"/crawl-data/CC-NEWS/2024/03/CC-NEWS-") || r.ArchivedAt == nil {
			t.Errorf("%s: warc_file %q archived_at %v", u, r.WARCFile, r.ArchivedAt)
		}
	}
	t.Logf("%s", errOut)

	// a file cut short in the middle of a record: the records before and
	// after the damage in the other files are kept, the loss is counted
	cut := "CC-NEWS-20240303100000-00002.warc.gz"
	b := files[cut]
	files[cut] = b[:len(b)*2/3]
	dir = t.TempDir()
	code, _, errOut = runCtx(t, context.Background(), "reextract", "--data-dir", dir,
		"--warc-list", tree.URL+"/crawl-data/CC-NEWS/2024/03/warc.paths.gz", "--warc-base", tree.URL+"/")
	got := allRecords(t, dir)
	n := len(plainArticles(site))
	if code == 0 || !strings.Contains(errOut, "damaged") || len(got) < n*2/3 || len(got) >= n {
		t.Errorf("a truncated file: exit %d, %d of %d articles\n%s", code, len(got), n, errOut)
	}
}

// Interrupted half-way (the second file's download hangs, the command is
// stopped), the same command goes on: the finished file is not read again,
// and every article is stored once.
func TestReextractResumes(t *testing.T) {
	warctest.NeedWarcio(t)
	site := newssite.Start(newssite.Options{English: 9, Arabic: 3})
	defer site.Close()
	files := ccFiles(t, site)
	tree := newCCTree(t, files)
	first, second := "CC-NEWS-20240301100000-00000.warc.gz", "CC-NEWS-20240302100000-00001.warc.gz"
	hold := make(chan struct{})
	tree.block[second] = hold
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	go func() {
		_, _, errOut := runCtx(t, ctx, "reextract", "--data-dir", dir, "--warc-parallel", "1",
			"--warc-list", tree.URL+"/crawl-data/CC-NEWS/2024/03/warc.paths.gz", "--warc-base", tree.URL+"/")
		done <- errOut
	}()
	state := filepath.Join(dir, ReplayStateFile)
	deadline := time.Now().Add(60 * time.Second)
	for {
		b, _ := os.ReadFile(state)
		if bytes.Contains(b, []byte(first)) && bytes.Contains(b, []byte(`"done": true`)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the first file never finished; state %s", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	errOut := <-done
	t.Logf("first run: %s", errOut)
	tree.mu.Lock()
	delete(tree.block, second)
	tree.mu.Unlock()
	close(hold)
	code, _, errOut := runCtx(t, context.Background(), "reextract", "--data-dir", dir,
		"--warc-list", tree.URL+"/crawl-data/CC-NEWS/2024/03/warc.paths.gz", "--warc-base", tree.URL+"/")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errOut)
	}
	checkArticles(t, dir, site.URL, plainArticles(site))
	tree.mu.Lock()
	gets := tree.gets[first]
	tree.mu.Unlock()
	if gets != 1 || !strings.Contains(errOut, "1 WARC files finished by an earlier run were passed over") {
		t.Errorf("the finished file was downloaded %d times; second run:\n%s", gets, errOut)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("a finished replay left its state: %v", err)
	}
}

// The filters: target URLs and capture days before extraction, languages
// after it, each counted in the summary.
func TestReextractFilters(t *testing.T) {
	warctest.NeedWarcio(t)
	site := newssite.Start(newssite.Options{English: 6, Arabic: 3})
	defer site.Close()
	files := ccFiles(t, site) // captured on 1, 2 and 3 March 2024
	dir := t.TempDir()
	var paths []string
	for name, b := range files {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		paths = append(paths, p)
	}
	sortStrings(paths)
	data := t.TempDir()
	args := []string{"reextract", "--data-dir", data, "--until", "2024-03-02", "--language", "en", "--deny", `report-number-1-`}
	for _, p := range paths {
		args = append(args, "--warc", p)
	}
	code, _, errOut := runCtx(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"captured after --until", "language not in --language", "URL left out by --allow/--deny"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("summary lacks %q:\n%s", want, errOut)
		}
	}
	for u, r := range allRecords(t, data) {
		if r.Language != "en" || r.ArchivedAt.Format(record.DayLayout) > "2024-03-02" || strings.Contains(u, "report-number-1-") {
			t.Errorf("%s: language %s, archived %v: should have been filtered", u, r.Language, r.ArchivedAt)
		}
	}
}
