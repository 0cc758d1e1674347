package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/record"
)

// Articles edited between two crawls: a word of the text, the headline
// alone, the byline, an Arabic article's text; and trivial changes that
// must add no version (punctuation and whitespace, the header's date
// widget on every page). Checked through the commands a researcher uses.
func TestArticleVersions(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 6, Arabic: 3})
	defer site.Close()
	dir := t.TempDir()
	crawl := []string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", site.URL + "/"}
	if code, _, stderr := runCtx(t, context.Background(), crawl...); code != 0 || !strings.Contains(stderr, "new versions 0,") {
		t.Fatalf("first crawl: exit %d\n%s", code, stderr)
	}
	ar := -1
	for i, a := range site.Articles {
		if a.Lang == "ar" && ar < 0 {
			ar = i
		}
	}
	text, title, author, trivial := site.Articles[0], site.Articles[1], site.Articles[2], site.Articles[3]
	time.Sleep(1100 * time.Millisecond) // the sitemap dates edits to the second: after the first crawl's
	site.Edit(0, newssite.Edit{Replace: [2]string{text.Word, "qzcorrectedka"}})
	site.Edit(1, newssite.Edit{Title: "Officials deny the report on regional affairs"})
	site.Edit(2, newssite.Edit{Author: "Jane Roe"})
	site.Edit(3, newssite.Edit{Exclaim: true, Respace: true})
	site.Edit(ar, newssite.Edit{Replace: [2]string{site.Articles[ar].Word, "مصحح"}})
	site.SetHeaderDate("Wednesday, Nov 19, 2025")
	code, _, stderr := runCtx(t, context.Background(), crawl...)
	if code != 0 || !strings.Contains(stderr, "new versions 4,") {
		t.Fatalf("second crawl: exit %d, want 4 new versions\n%s", code, stderr)
	}
	urlOf := func(a newssite.Article) string { return site.URL + a.Path }

	// history: two versions each for the edited, one for the others.
	for _, tc := range []struct {
		a      newssite.Article
		n      int
		change string
	}{{text, 2, "+1 / -1 words"}, {title, 2, "headline changed"}, {author, 2, "authors"}, {trivial, 1, ""}, {site.Articles[ar], 2, "+1 / -1 words"}} {
		code, out, stderr := runCtx(t, context.Background(), "history", "--data-dir", dir, "--json", urlOf(tc.a))
		lines := decodeLines(t, out)
		if code != 0 || len(lines) != tc.n {
			t.Errorf("history %s: exit %d, %d versions, want %d\n%s%s", tc.a.Path, code, len(lines), tc.n, out, stderr)
			continue
		}
		if tc.n == 2 {
			if lines[0]["version"].(float64) != 1 || lines[1]["version"].(float64) != 2 || lines[0]["fetched_at"] == lines[1]["fetched_at"] {
				t.Errorf("history %s: %v", tc.a.Path, lines)
			}
			code, out, _ = runCtx(t, context.Background(), "history", "--data-dir", dir, urlOf(tc.a))
			if code != 0 || !strings.Contains(out, tc.change) || !strings.Contains(out, "first version seen") {
				t.Errorf("history %s table: want %q\n%s", tc.a.Path, tc.change, out)
			}
		}
	}

	// diff: the word that changed, marked in text; pieces in JSON; HTML
	// laid out right to left for the Arabic article, its text escaped.
	_, out, _ := runCtx(t, context.Background(), "diff", "--data-dir", dir, urlOf(text))
	if !strings.Contains(out, "[-"+text.Word+"-]{+qzcorrectedka+}") || !strings.Contains(out, "version 1") {
		t.Errorf("diff of the edited text:\n%s", out)
	}
	_, out, _ = runCtx(t, context.Background(), "diff", "--data-dir", dir, urlOf(site.Articles[ar]))
	if !strings.Contains(out, "[-"+site.Articles[ar].Word+"-]{+مصحح+}") {
		t.Errorf("Arabic diff:\n%s", out)
	}
	_, out, _ = runCtx(t, context.Background(), "diff", "--data-dir", dir, "--format", "json", urlOf(title))
	var d versionDiff
	if err := json.Unmarshal([]byte(out), &d); err != nil || !d.Change.Title || d.Change.Added != 0 || d.From != 1 || d.To != 2 {
		t.Errorf("diff --format json of the headline edit: %v %+v", err, d)
	}
	_, out, _ = runCtx(t, context.Background(), "diff", "--data-dir", dir, "--format", "html", urlOf(site.Articles[ar]))
	if !strings.Contains(out, `dir="rtl"`) || !strings.Contains(out, "<del>"+site.Articles[ar].Word+"</del>") || !strings.Contains(out, "<ins>مصحح</ins>") {
		t.Errorf("diff --format html of the Arabic edit:\n%s", out)
	}
	if code, _, stderr := runCtx(t, context.Background(), "diff", "--data-dir", dir, urlOf(trivial)); code != 0 || !strings.Contains(stderr, "one version") {
		t.Errorf("diff of an article with one version: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCtx(t, context.Background(), "diff", "--data-dir", dir, "--from", "3", urlOf(text)); code != 2 || !strings.Contains(stderr, "has 2 versions") {
		t.Errorf("diff --from 3 of 2 versions: exit %d %q", code, stderr)
	}

	// export: unchanged without --versions; every version with it.
	records := len(site.Articles)
	_, out, _ = runCtx(t, context.Background(), "export", "--data-dir", dir)
	if lines := decodeLines(t, out); len(lines) != records {
		t.Errorf("export: %d lines, want %d records", len(lines), records)
	}
	_, out, _ = runCtx(t, context.Background(), "export", "--data-dir", dir, "--versions")
	lines := decodeLines(t, out)
	if len(lines) != records+4 {
		t.Errorf("export --versions: %d lines, want %d records + 4 earlier versions", len(lines), records)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		key := fmt.Sprintf("%v-v%v", l["id"], l["version"])
		if seen[key] {
			t.Errorf("export --versions: %s twice", key)
		}
		seen[key] = true
	}
	_, out, _ = runCtx(t, context.Background(), "export", "--data-dir", dir, "--versions", "--format", "csv", "--fields", "id,version,versions,title")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != records+4+1 || rows[0][1] != "version" {
		t.Errorf("export --versions csv: %v, %d rows", err, len(rows))
	}

	// Edited articles, by query and by site.
	_, out, _ = runCtx(t, context.Background(), "search", "--data-dir", dir, "--json", "versions:>1")
	if n := len(decodeLines(t, out)); n != 4 {
		t.Errorf("search versions:>1: %d, want 4", n)
	}
	_, out, _ = runCtx(t, context.Background(), "stats", "--data-dir", dir, "--by", "language", "--json", "versions:>1")
	counts := map[string]float64{}
	for _, l := range decodeLines(t, out) {
		counts[l["value"].(string)] = l["count"].(float64)
	}
	if counts["en"] != 3 || counts["ar"] != 1 {
		t.Errorf("stats --by language versions:>1: %v, want en 3, ar 1", counts)
	}
	_, out, _ = runCtx(t, context.Background(), "show", "--data-dir", dir, urlOf(title))
	if !strings.Contains(out, "2 of 2") || !strings.Contains(out, "Officials deny") {
		t.Errorf("show of an edited article:\n%s", out)
	}

	// A third crawl with nothing changed adds nothing.
	if code, _, stderr := runCtx(t, context.Background(), crawl...); code != 0 || !strings.Contains(stderr, "new versions 0,") {
		t.Errorf("third crawl: exit %d\n%s", code, stderr)
	}
}

// kill -9 while a re-crawl stores new versions, then the same command:
// every edited article has exactly its two versions, numbered 1 and 2,
// none lost and none twice.
func TestKill9WhileStoringVersions(t *testing.T) {
	bin := binary(t)
	site := newssite.Start(newssite.Options{English: 200, Arabic: 40})
	defer site.Close()
	dir := t.TempDir()
	args := []string{"crawl", "--data-dir", dir, "--delay", "5ms", "--parallelism", "2", "--progress-interval", "0", site.URL + "/"}
	if code, _, stderr := runCtx(t, context.Background(), args...); code != 0 {
		t.Fatalf("first crawl: exit %d\n%s", code, stderr)
	}
	edited := map[string]bool{}
	time.Sleep(1100 * time.Millisecond) // the sitemap dates edits to the second: after the first crawl's
	for i, a := range site.Articles {
		if i%2 == 0 && a.Path != newssite.FlakyPath && a.Path != newssite.SlowPath {
			site.Edit(i, newssite.Edit{Replace: [2]string{a.Word, a.Word + "x"}})
			edited[a.Path] = true
		}
	}
	killAfterArticles(t, bin, args, site, 80)
	code, _, stderr := runCtx(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("crawl after the kill: exit %d\n%s", code, stderr)
	}
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, a := range site.Articles {
		r, err := store.Get(context.Background(), idOf(site.URL+a.Path))
		if err != nil || r == nil {
			t.Errorf("%s: %v %v", a.Path, r, err)
			continue
		}
		vs, err := store.Versions(context.Background(), r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if edited[a.Path] {
			want = 2
		}
		if len(vs) != want || r.Versions != want || r.Version != want {
			t.Errorf("%s: %d versions kept, record says version %d of %d, want %d", a.Path, len(vs), r.Version, r.Versions, want)
			continue
		}
		for i, v := range vs {
			if v.Version != i+1 {
				t.Errorf("%s: version %d numbered %d", a.Path, i+1, v.Version)
			}
		}
		if want == 2 && (!strings.Contains(vs[1].Text, a.Word+"x") || strings.Contains(vs[0].Text, a.Word+"x")) {
			t.Errorf("%s: the versions' texts are not the old and the new", a.Path)
		}
	}
	var _ = record.Record{}
}

// Two crawls kept in WARC files, an edit between them: reextract of both
// captures, in capture order, into a fresh data dir makes the versions the
// live crawls made.
func TestReextractRebuildsVersions(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 5, Arabic: 2})
	defer site.Close()
	dir, warcs := t.TempDir(), t.TempDir()
	crawl := []string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--warc", warcs, site.URL + "/"}
	if code, _, stderr := runCtx(t, context.Background(), crawl...); code != 0 {
		t.Fatalf("first crawl: exit %d\n%s", code, stderr)
	}
	time.Sleep(1100 * time.Millisecond)
	site.Edit(0, newssite.Edit{Replace: [2]string{site.Articles[0].Word, "qzcorrectedka"}})
	site.Edit(5, newssite.Edit{Title: "عنوان جديد للتقرير"})
	if code, _, stderr := runCtx(t, context.Background(), crawl...); code != 0 || !strings.Contains(stderr, "new versions 2,") {
		t.Fatalf("second crawl: exit %d\n%s", code, stderr)
	}
	again := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "reextract", "--data-dir", again, "--warc", warcs)
	if code != 0 || !strings.Contains(stderr, "new versions 2,") {
		t.Fatalf("reextract: exit %d, want 2 new versions\n%s", code, stderr)
	}
	for _, a := range []newssite.Article{site.Articles[0], site.Articles[5], site.Articles[1]} {
		_, live, _ := runCtx(t, context.Background(), "history", "--json", "--data-dir", dir, site.URL+a.Path)
		_, replayed, _ := runCtx(t, context.Background(), "history", "--json", "--data-dir", again, site.URL+a.Path)
		l, r := decodeLines(t, live), decodeLines(t, replayed)
		if len(l) != len(r) || len(l) == 0 {
			t.Errorf("%s: %d versions live, %d re-extracted", a.Path, len(l), len(r))
			continue
		}
		for i := range l {
			for _, f := range []string{"version", "content_hash", "title", "words", "warc_file"} {
				if fmt.Sprint(l[i][f]) != fmt.Sprint(r[i][f]) {
					t.Errorf("%s version %d: %s %v live, %v re-extracted", a.Path, i+1, f, l[i][f], r[i][f])
				}
			}
		}
	}
}

// crawl --every repeats the crawl, a summary each run, until Ctrl-C.
func TestCrawlEvery(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 3, Arabic: 1})
	defer site.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		deadline := time.Now().Add(2 * time.Minute) // generous: a busy machine
		for time.Now().Before(deadline) && site.Hits("/robots.txt") < 3 {
			time.Sleep(20 * time.Millisecond)
		}
		cancel() // Ctrl-C, during the third run or the wait after it
	}()
	code, _, stderr := runCtx(t, ctx, "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--progress-interval", "0", "--every", "100ms", site.URL+"/")
	if code != 0 || strings.Count(stderr, "presscrawl: crawl ") < 3 || !strings.Contains(stderr, "run 2 done; the next starts at") {
		t.Errorf("crawl --every: exit %d, want 3 runs or more, each with its summary\n%s", code, stderr)
	}
	if strings.Count(stderr, "stored 0,") < 1 {
		t.Errorf("the runs after the first stored again what they had\n%s", stderr)
	}
}
