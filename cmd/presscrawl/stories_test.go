package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/record"
)

// devStories are real article texts (as paragraphs) of the development
// set: material for outlets that republish one story.
func devStories(t *testing.T, n int) [][]string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "datasets", "trafilatura-eval")
	b, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Skipf("development set not available: %v", err)
	}
	var cases []struct{ URL, File string }
	json.Unmarshal(b, &cases)
	var out [][]string
	for _, c := range cases {
		raw, _ := os.ReadFile(filepath.Join(dir, c.File))
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		page, _ := io.ReadAll(zr)
		r, err := extract.Extract(extract.Input{Body: page, URL: c.URL})
		if err != nil || !r.IsArticle || r.Language != "en" {
			continue
		}
		var ps []string
		for _, p := range strings.Split(r.Text, "\n\n") {
			if len(strings.Fields(p)) >= 15 {
				ps = append(ps, p)
			}
		}
		if len(ps) >= 6 {
			out = append(out, ps)
		}
		if len(out) == n {
			return out
		}
	}
	t.Skipf("only %d usable English articles in the development set", len(out))
	return nil
}

// outlet serves one news site: a home page linking to its articles.
func outlet(t *testing.T, name string, articles map[string][]string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	var links strings.Builder
	for path, ps := range articles {
		path, ps := path, ps
		fmt.Fprintf(&links, `<li><a href="%s">%s</a></li>`, path, html.EscapeString(ps[0]))
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			var body strings.Builder
			for _, p := range ps[1:] {
				fmt.Fprintf(&body, "<p>%s</p>\n", html.EscapeString(p))
			}
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><title>%[1]s - %[2]s</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="%[2]s">
<meta property="article:published_time" content="2024-03-05T10:00:00+00:00"></head>
<body><header><nav><a href="/">%[2]s home</a></nav></header><main><article><h1>%[1]s</h1>%[3]s</article></main>
<footer>Copyright %[2]s</footer></body></html>`, html.EscapeString(ps[0]), name, body.String())
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `<html><head><title>%s</title></head><body><h1>%s</h1><ul>%s</ul></body></html>`, name, name, links.String())
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// Five outlets run one wire story (a dateline, a rewritten headline and
// lead, a local paragraph, the end cut), and each its own stories besides:
// crawled, the copies share one story_id, the others have their own;
// stats, search --collapse, show and the queries see them.
func TestStoriesAcrossOutlets(t *testing.T) {
	texts := devStories(t, 8)
	wire := texts[0]
	n := len(wire)
	copies := [][]string{
		append([]string{"Parliament votes on the plan"}, append([]string{"BEIRUT (Reuters) - " + wire[0]}, wire[1:]...)...),
		append([]string{"Lawmakers back plan after long debate"}, append([]string{texts[7][0]}, wire[1:]...)...),
		append([]string{"Plan approved"}, append(append(append([]string{}, wire[:n/2]...), "Local officials in our city welcomed the decision on Tuesday and said work would begin next month in the northern districts, where residents had long asked for it."), wire[n/2:]...)...),
		append([]string{"Vote passes"}, wire[:n-n/3]...),
		append([]string{"الخطة تمر في البرلمان"}, append(wire[1:n-n/3], "(Reporting by Jane Roe; Editing by John Doe)")...),
	}
	var sites []string
	for i, c := range copies {
		own := texts[1+i] // each outlet's story of its own
		srv := outlet(t, fmt.Sprintf("Outlet %d", i), map[string][]string{
			"/2024/03/05/wire-story/": c,
			"/2024/03/05/own-story/":  append([]string{fmt.Sprintf("Outlet %d's own report", i)}, own...),
		})
		sites = append(sites, srv.URL+"/")
	}
	dir := t.TempDir()
	args := append([]string{"crawl", "--data-dir", dir, "--delay", "0", "--allow-private"}, sites...)
	if code, _, errOut := runCtx(t, context.Background(), args...); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, errOut)
	}
	recs := allRecords(t, dir)
	stories := map[string][]*record.Record{}
	for _, r := range recs {
		stories[r.StoryID] = append(stories[r.StoryID], r)
	}
	var wireStory string
	for s, rs := range stories {
		if len(rs) > 1 {
			if wireStory != "" {
				t.Errorf("two groups of several records: %s and %s", wireStory, s)
			}
			wireStory = s
		}
	}
	if len(recs) != 10 || len(stories[wireStory]) != 5 || len(stories) != 6 {
		for s, rs := range stories {
			for _, r := range rs {
				t.Logf("story %.8s: %s %q", s, r.URL, r.Title)
			}
		}
		t.Fatalf("%d records in %d stories, the wire story's group %d (want 10 records, 6 stories, 5 copies)", len(recs), len(stories), len(stories[wireStory]))
	}
	first := false
	for _, r := range stories[wireStory] {
		first = first || r.ID == wireStory
		if !strings.Contains(r.URL, "wire-story") {
			t.Errorf("%s grouped with the wire story", r.URL)
		}
	}
	if !first {
		t.Errorf("story_id %s is none of its records' ids", wireStory)
	}
	wires := map[string]int{}
	for _, r := range recs {
		wires[r.Wire]++
	}
	if wires["reuters"] != 2 || wires[""] != 8 {
		t.Errorf("wire fields %v: want 2 reuters (a dateline, a credit line), the others none", wires)
	}

	code, out, errOut := runCtx(t, context.Background(), "stats", "--data-dir", dir, "--by", "story", "--top", "2")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 2 || !strings.HasPrefix(strings.Join(strings.Fields(lines[1]), " "), "5 5 "+wireStory[:12]) {
		t.Errorf("stats --by story: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCtx(t, context.Background(), "stats", "--data-dir", dir, "--by", "wire")
	if code != 0 || !strings.Contains(out, "reuters") {
		t.Errorf("stats --by wire:\n%s", out)
	}
	code, out, errOut = runCtx(t, context.Background(), "search", "--data-dir", dir, "--collapse", "--limit", "20", "")
	if code != 0 || strings.Count(out, "wire-story") != 1 || !strings.Contains(errOut, "6 of 6 stories") {
		t.Errorf("search --collapse: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCtx(t, context.Background(), "search", "--data-dir", dir, "--json", "story_id:"+wireStory)
	if code != 0 || strings.Count(out, "\n") != 5 {
		t.Errorf("search story_id:...: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	code, out, _ = runCtx(t, context.Background(), "search", "--data-dir", dir, "--json", "wire:reuters")
	if code != 0 || strings.Count(out, "\n") != 2 {
		t.Errorf("search wire:reuters: exit %d, %d lines", code, strings.Count(out, "\n"))
	}
	code, out, _ = runCtx(t, context.Background(), "show", "--data-dir", dir, wireStory)
	if code != 0 || !strings.Contains(out, "the same story: 4 other records") || strings.Count(out, "wire-story") < 5 {
		t.Errorf("show lists the story's other records:\n%s", out)
	}
	code, out, _ = runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--fields", "url,story_id,wire")
	if code != 0 || strings.Count(out, wireStory) != 5 || !strings.Contains(out, ",reuters") {
		t.Errorf("export of story_id and wire:\n%s", out)
	}
}
