package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// fakeArchive is a CDX server and its id_ playback endpoint over captures
// taken of a synthetic site at two times (some articles edited between).
type fakeArchive struct {
	*httptest.Server
	mu       sync.Mutex
	captures []fakeCapture // sorted by URL, then timestamp
	hits     map[string]int
	listReqs []string
	tooMany  int              // answer this many first playback requests 429 (Retry-After 1)
	hold     map[int]chan int // capture index -> wait before serving
}

type fakeCapture struct {
	ts, url, ctype string
	body           []byte
}

func (f *fakeArchive) add(t *testing.T, ts, u string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f.captures = append(f.captures, fakeCapture{ts: ts, url: u, ctype: resp.Header.Get("Content-Type"), body: b})
}

func newFakeArchive(t *testing.T) *fakeArchive {
	f := &fakeArchive{hits: map[string]int{}, hold: map[int]chan int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/cdx/search/cdx":
			f.list(t, w, r)
		case strings.HasPrefix(r.URL.Path, "/web/"):
			f.play(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

// list answers like the Wayback CDX server: output=json, header row,
// pages of limit rows, an empty row and the resume key.
func (f *fakeArchive) list(t *testing.T, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.listReqs = append(f.listReqs, r.URL.RawQuery)
	f.mu.Unlock()
	for k, want := range map[string]string{"output": "json", "collapse": "digest", "showResumeKey": "true"} {
		if q.Get(k) != want {
			http.Error(w, "want "+k+"="+want, 400)
			return
		}
	}
	filters := strings.Join(q["filter"], ",")
	if !strings.Contains(filters, "statuscode:200") || !strings.Contains(filters, "mimetype:text/html") {
		http.Error(w, "want the status and mimetype filters", 400)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	start := 0
	if k := q.Get("resumeKey"); k != "" {
		start, _ = strconv.Atoi(strings.TrimPrefix(k, "key-"))
	}
	from, to := q.Get("from"), q.Get("to")
	rows := [][]string{{"timestamp", "original", "statuscode", "mimetype", "digest"}}
	i := start
	for ; i < len(f.captures) && len(rows) <= limit; i++ {
		c := f.captures[i]
		if from != "" && c.ts < from || to != "" && c.ts > to {
			continue
		}
		rows = append(rows, []string{c.ts, c.url, "200", "text/html", fmt.Sprintf("D%d", i)})
	}
	if i < len(f.captures) {
		rows = append(rows, []string{}, []string{"key-" + strconv.Itoa(i)})
	}
	json.NewEncoder(w).Encode(rows)
}

func (f *fakeArchive) play(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/web/")
	ts, orig, ok := strings.Cut(rest, "id_/")
	if !ok {
		http.Error(w, "want /web/<ts>id_/<url>", 400)
		return
	}
	if r.URL.RawQuery != "" {
		orig += "?" + r.URL.RawQuery
	}
	f.mu.Lock()
	if f.tooMany > 0 {
		f.tooMany--
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	idx := -1
	for i, c := range f.captures {
		if c.ts == ts && c.url == orig {
			idx = i
		}
	}
	if idx >= 0 {
		f.hits[ts+" "+orig]++
	}
	wait := f.hold[idx]
	f.mu.Unlock()
	if idx < 0 {
		http.NotFound(w, r)
		return
	}
	if wait != nil {
		select {
		case <-wait:
		case <-r.Context().Done():
			return
		}
	}
	c := f.captures[idx]
	w.Header().Set("Content-Type", c.ctype)
	w.Write(c.body)
}

// Two captures of each article, a month apart, some edited between: every
// article stored with archived_at and archive_url, the edited ones with two
// versions; the listing paged with resume keys; a 429 waited out.
func TestWaybackStoresCapturesAsVersions(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 4, Arabic: 2})
	defer site.Close()
	arts := plainArticles(site)
	arc := newFakeArchive(t)
	for _, a := range arts {
		arc.add(t, "20240305101500", site.URL+a.Path)
	}
	for i := range site.Articles {
		if site.Articles[i].Path == arts[0].Path || site.Articles[i].Path == arts[len(arts)-1].Path {
			site.Edit(i, newssite.Edit{Replace: [2]string{site.Articles[i].Word, "REVISED"}})
		}
	}
	for _, a := range arts {
		arc.add(t, "20240410090000", site.URL+a.Path)
	}
	sort.SliceStable(arc.captures, func(i, j int) bool { return arc.captures[i].url < arc.captures[j].url })
	arc.tooMany = 1
	dir := t.TempDir()
	code, _, errOut := runCtx(t, context.Background(), "wayback", "--data-dir", dir, "--cdx-url", arc.URL+"/cdx/search/cdx", "--delay", "10ms", "--page-size", "5",
		"--from", "2024-03-01", "--to", "2024-04-30", strings.TrimPrefix(site.URL, "http://")+"/")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	t.Logf("%s", errOut)
	edited := map[string]bool{arts[0].Path: true, arts[len(arts)-1].Path: true}
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, _ := store.Count(); n != uint64(len(arts)) {
		t.Errorf("%d records, want %d", n, len(arts))
	}
	for _, a := range arts {
		r, _ := store.Get(context.Background(), idOf(site.URL+a.Path))
		if r == nil || r.Title != a.Title || r.Language != a.Lang || r.PublishedAt == nil {
			t.Errorf("%s: record %+v", a.Path, r)
			continue
		}
		// an edited article's record is its last capture's; an unchanged
		// one keeps its first
		ts, at := "20240305101500", "2024-03-05T10:15:00Z"
		if edited[a.Path] {
			ts, at = "20240410090000", "2024-04-10T09:00:00Z"
			if !strings.Contains(r.Text, "REVISED") {
				t.Errorf("%s: the last capture's words are not the record's", a.Path)
			}
		}
		if r.ArchivedAt == nil || r.ArchivedAt.Format(time.RFC3339) != at || r.ArchiveURL != arc.URL+"/web/"+ts+"id_/"+site.URL+a.Path {
			t.Errorf("%s: archived_at %v archive_url %q", a.Path, r.ArchivedAt, r.ArchiveURL)
		}
		vs, _ := store.Versions(context.Background(), r.ID)
		if want := map[bool]int{true: 2, false: 1}[edited[a.Path]]; len(vs) != want {
			t.Errorf("%s: %d versions, want %d", a.Path, len(vs), want)
		}
	}
	arc.mu.Lock()
	pages := len(arc.listReqs)
	arc.mu.Unlock()
	if pages < 2 || !strings.Contains(errOut, "new versions 2") {
		t.Errorf("%d listing requests (want paging), summary:\n%s", pages, errOut)
	}
}

// Interrupted while a capture is being fetched, the same command goes on
// from there: no capture is fetched twice but the one in flight, and every
// article is stored.
func TestWaybackResumes(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 5, Arabic: 2})
	defer site.Close()
	arts := plainArticles(site)
	arc := newFakeArchive(t)
	for _, a := range arts {
		arc.add(t, "20240305101500", site.URL+a.Path)
	}
	sort.SliceStable(arc.captures, func(i, j int) bool { return arc.captures[i].url < arc.captures[j].url })
	stopAt := 3
	hold := make(chan int)
	arc.hold[stopAt] = hold
	dir := t.TempDir()
	args := []string{"wayback", "--data-dir", dir, "--cdx-url", arc.URL + "/cdx/search/cdx", "--delay", "1ms", site.URL + "/"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 1)
	go func() { _, _, e := runCtx(t, ctx, args...); done <- e }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		arc.mu.Lock()
		n := len(arc.hits)
		arc.mu.Unlock()
		if n > stopAt {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never reached the held capture")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	first := <-done
	t.Logf("first run: %s", first)
	if _, err := os.Stat(filepath.Join(dir, WaybackStateFile)); err != nil {
		t.Fatalf("no state left by the interrupted run: %v", err)
	}
	arc.mu.Lock()
	delete(arc.hold, stopAt)
	arc.mu.Unlock()
	code, _, errOut := runCtx(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errOut)
	}
	checkArticles(t, dir, site.URL, arts)
	arc.mu.Lock()
	defer arc.mu.Unlock()
	for k, n := range arc.hits {
		if n > 1 && !strings.Contains(k, arc.captures[stopAt].url) {
			t.Errorf("%s fetched %d times", k, n)
		}
	}
	if !strings.Contains(errOut, "going on from an interrupted run") {
		t.Errorf("the second run did not say it went on:\n%s", errOut)
	}
}

// A target that is no site or URL prefix is refused before anything is made.
func TestWaybackRefusesBadTargets(t *testing.T) {
	for _, bad := range []string{"", "ftp://example.com/", "http://", "exa mple.com"} {
		dir := filepath.Join(t.TempDir(), "d")
		code, _, errOut := runCtx(t, context.Background(), "wayback", "--data-dir", dir, bad)
		if code != 2 || !strings.Contains(errOut, "not a site or an http(s) URL prefix") {
			t.Errorf("%q: exit %d %s", bad, code, errOut)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%q: a data dir was made", bad)
		}
	}
}
