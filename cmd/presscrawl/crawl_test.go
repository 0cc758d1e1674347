package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/record"
)

func runCtx(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	code := run(ctx, args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func idOf(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(sum[:])
}

// checkArchive asserts that the data dir holds exactly the site's articles,
// once each, with the right title, date and language.
func checkArchive(t *testing.T, dir string, site *newssite.Site) {
	t.Helper()
	checkArticles(t, dir, site.URL, site.Articles)
}

// checkArticles asserts that the data dir holds exactly these articles of
// the site at siteURL, once each, with the right title, date and language.
func checkArticles(t *testing.T, dir, siteURL string, articles []newssite.Article) {
	t.Helper()
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n, err := store.Count()
	if err != nil {
		t.Fatal(err)
	}
	if n != uint64(len(articles)) {
		t.Errorf("%d records stored, want %d (the articles, once each)", n, len(articles))
	}
	for _, a := range articles {
		r, err := store.Get(context.Background(), idOf(siteURL+a.Path))
		if err != nil || r == nil {
			t.Errorf("article %s not stored (%v)", a.Path, err)
			continue
		}
		wantDate, wantSource := a.Published.Format(time.RFC3339), record.DateFromJSONLD
		if a.Lang == "ar" {
			wantDate, wantSource = a.Published.Format("2006-01-02"), record.DateFromVisible
		}
		if r.PublishedAt == nil || r.PublishedAt.String() != wantDate || r.DateSource != wantSource {
			t.Errorf("%s: published_at %v from %s, want %s from %s", a.Path, r.PublishedAt, r.DateSource, wantDate, wantSource)
		}
		if r.Language != a.Lang || r.Title != a.Title || !r.IsArticle {
			t.Errorf("%s: language %q title %q is_article %v", a.Path, r.Language, r.Title, r.IsArticle)
		}
		if !strings.Contains(r.Text, a.Word) || strings.Contains(r.Text, "Related Articles") || strings.Contains(r.Text, "مقالات ذات صلة") {
			t.Errorf("%s: text lacks its body or holds boilerplate", a.Path)
		}
	}
}

// checkFetchedOnce asserts that each article was fetched once (the flaky
// one twice: a 500, then the page), under no other spelling, and that
// nothing robots.txt disallows was fetched.
func checkFetchedOnce(t *testing.T, site *newssite.Site) {
	t.Helper()
	hits := site.AllHits()
	for _, a := range site.Articles {
		want := 1
		if a.Path == newssite.FlakyPath {
			want = 2
		}
		if got := hits[a.Path]; got != want {
			t.Errorf("%s fetched %d times, want %d", a.Path, got, want)
		}
		if got := hits[a.Path+"amp/"]; got > 1 {
			t.Errorf("%samp/ fetched %d times", a.Path, got)
		}
	}
	for k, v := range hits {
		if strings.HasPrefix(k, "/private/") {
			t.Errorf("disallowed %s fetched %d times", k, v)
		}
		if strings.Contains(k, "?") && v > 0 {
			t.Errorf("%s fetched: tracking-parameter duplicates must be canonicalised first", k)
		}
	}
	if hits["/robots.txt"] == 0 || hits["/sitemap_index.xml"] != 1 || hits["/sitemap-ar.xml.gz"] != 1 || hits["/feed/"] > 1 {
		t.Errorf("robots %d, sitemap index %d, gzipped sitemap %d, feed %d", hits["/robots.txt"], hits["/sitemap_index.xml"], hits["/sitemap-ar.xml.gz"], hits["/feed/"])
	}
	calendar := 0
	for k := range hits {
		if strings.HasPrefix(k, "/calendar/") {
			calendar++
		}
	}
	if calendar == 0 || calendar > 6 {
		t.Errorf("%d calendar pages fetched: the trap must be entered and bounded by --max-depth", calendar)
	}
}

func TestCrawlSyntheticSite(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 200, Arabic: 100})
	defer site.Close()
	dir := t.TempDir()
	args := []string{"crawl", "--data-dir", dir, "--delay", "0", "--parallelism", "4", site.URL + "/", site.URL + "/feed/"}
	code, stdout, stderr := runCtx(t, context.Background(), args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("crawl wrote to stdout: %q", stdout)
	}
	for _, want := range []string{"crawl finished", fmt.Sprintf("stored %d", len(site.Articles)), "disallowed by robots.txt", "HTTP 404", "not HTML (application/pdf)", "not an article"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
	checkArchive(t, dir, site)
	checkFetchedOnce(t, site)

	t.Run("search finds each article by a word of its body", func(t *testing.T) {
		store, err := local.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		for _, a := range site.Articles {
			hits, total, err := store.Search(context.Background(), a.Word, 5)
			if err != nil || total != 1 || len(hits) != 1 || hits[0].Record.ID != idOf(site.URL+a.Path) {
				t.Errorf("search %q: %d hits (total %d), err %v", a.Word, len(hits), total, err)
			}
		}
		for _, tc := range []struct {
			q    string
			want int
		}{
			{"language:ar", 100},
			{"language:en", 202},
			{`site_name:"Arab Press"`, 202},
			{`published_at:>="2024-06-01" language:en`, 2},
			{"language:ar NOT section:economy", 100},
			{`"regional affairs" AND language:en`, 200},
			{`"regional affairs" OR "special story"`, 202},
			{"المحادثات", 100},
		} {
			_, total, err := store.Search(context.Background(), tc.q, 1)
			if err != nil || int(total) != tc.want {
				t.Errorf("search %q: %d matches, want %d (%v)", tc.q, total, tc.want, err)
			}
		}
	})

	t.Run("search and export commands", func(t *testing.T) {
		a := site.Articles[7]
		code, out, stderr := runCtx(t, context.Background(), "search", "--data-dir", dir, "--json", a.Word)
		recs := decodeLines(t, out)
		if code != 0 || len(recs) != 1 || recs[0]["title"] != a.Title || !strings.Contains(stderr, "1 of 1") {
			t.Errorf("search --json: exit %d, %d records, stderr %q", code, len(recs), stderr)
		}
		code, out, _ = runCtx(t, context.Background(), "search", "--data-dir", dir, a.Word)
		if code != 0 || !strings.Contains(out, "TITLE") || !strings.Contains(out, a.Title) {
			t.Errorf("search table: exit %d\n%s", code, out)
		}
		// Newest first in February, the second page; show by the id's start.
		code, out, stderr = runCtx(t, context.Background(), "search", "--data-dir", dir, "--json", "--sort", "-date",
			"--since", "2024-02-01", "--until", "2024-02-29", "--limit", "3", "--offset", "3", "language:en")
		recs = decodeLines(t, out)
		if code != 0 || len(recs) != 3 || !strings.Contains(stderr, "from the 4-th") {
			t.Fatalf("search --sort -date --since --until --offset: exit %d, %d records\n%s", code, len(recs), stderr)
		}
		prev := "2024-03-01"
		for _, r := range recs {
			d, _ := r["published_at"].(string)
			if d[:10] < "2024-02-01" || d[:10] > "2024-02-29" || d > prev {
				t.Errorf("published_at %s: not in February newest first (after %s)", d, prev)
			}
			prev = d
		}
		id := recs[0]["id"].(string)
		code, out, _ = runCtx(t, context.Background(), "show", "--data-dir", dir, id[:12])
		if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, recs[0]["title"].(string)) {
			t.Errorf("show %s: exit %d\n%s", id[:12], code, out)
		}
		// A query may start with -word; digits and filters fold as people type them.
		for q, want := range map[string]string{"-regional": "of 100 matching" /* the Arabic ones */, "language:AR": "of 100 matching",
			"section:NO-SUCH": "of 0 matching", "٣": "matching", "محادثات": "of 100 matching", "negotiate": "of 200 matching" /* stemmed: negotiations */} {
			code, _, stderr = runCtx(t, context.Background(), "search", "--data-dir", dir, "--limit", "1", q)
			if code != 0 || !strings.Contains(stderr, want) {
				t.Errorf("search %s: exit %d %q, want %q", q, code, stderr, want)
			}
		}
		code, _, stderr = runCtx(t, context.Background(), "search", "--data-dir", dir, "--limit", "1", "٩٩")
		if code != 0 || strings.Contains(stderr, " 0 of 0") {
			t.Errorf("search ٩٩: exit %d %q", code, stderr)
		}
		code, _, stderr = runCtx(t, context.Background(), "search", "--data-dir", dir, "--since", "March", "x")
		if code != 2 || !strings.Contains(stderr, "want YYYY-MM-DD") {
			t.Errorf("--since March: exit %d %q", code, stderr)
		}
		code, first, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
		_, second, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
		lines := decodeLines(t, first)
		if code != 0 || len(lines) != len(site.Articles) || first != second {
			t.Errorf("export: exit %d, %d lines, reproducible %v", code, len(lines), first == second)
		}
		ids := make([]string, len(lines))
		for i, l := range lines {
			ids[i] = l["id"].(string)
		}
		if !sort.StringsAreSorted(ids) {
			t.Error("export is not in id order")
		}
		code, _, stderr = runCtx(t, context.Background(), "search", "--data-dir", t.TempDir(), "x")
		if code != 1 || !strings.Contains(stderr, "holds no index") {
			t.Errorf("search of an empty dir: exit %d %q", code, stderr)
		}
	})

	t.Run("stats counts the archive by language and month, whole or a query's", func(t *testing.T) {
		counts := func(args ...string) map[string]int {
			t.Helper()
			code, out, stderr := runCtx(t, context.Background(), append([]string{"stats", "--data-dir", dir, "--json"}, args...)...)
			if code != 0 {
				t.Fatalf("stats %q: exit %d %s", args, code, stderr)
			}
			m := map[string]int{}
			for _, l := range decodeLines(t, out) {
				m[l["value"].(string)] = int(l["count"].(float64))
			}
			return m
		}
		wantLang, wantMonth := map[string]int{}, map[string]int{}
		for _, a := range site.Articles {
			wantLang[a.Lang]++
			wantMonth[a.Published.Format("2006-01")]++
		}
		if got := counts("--by", "language"); !maps.Equal(got, wantLang) {
			t.Errorf("by language %v, want %v", got, wantLang)
		}
		if got := counts("--by", "month"); !maps.Equal(got, wantMonth) {
			t.Errorf("by month %v, want %v", got, wantMonth)
		}
		if got := counts("--by", "language", "language:ar"); !maps.Equal(got, map[string]int{"ar": wantLang["ar"]}) {
			t.Errorf("by language of language:ar %v, want only ar: %d", got, wantLang["ar"])
		}
		code, out, _ := runCtx(t, context.Background(), "stats", "--data-dir", dir, "--by", "language")
		if code != 0 || !slices.Contains(strings.Split(out, "\n"), fmt.Sprintf("%-7d  ar", wantLang["ar"])) {
			t.Errorf("stats table: exit %d\n%s", code, out)
		}
		code, _, stderr := runCtx(t, context.Background(), "stats", "--data-dir", dir, "--by", "colour")
		if code != 2 || !strings.Contains(stderr, `cannot count by "colour"`) {
			t.Errorf("stats --by colour: exit %d %q", code, stderr)
		}
	})

	t.Run("a second crawl fetches only what changed, and stores only that", func(t *testing.T) {
		before := site.AllHits()
		code, _, stderr := runCtx(t, context.Background(), args...)
		// Nothing changed: each article is either left alone (the sitemap
		// dates it before the last fetch), answered 304 (ETag or
		// Last-Modified), or fetched and found unchanged.
		notFetched := summaryCount(stderr, "not fetched: no change since the last crawl by its sitemap or feed date, or --recrawl-after")
		notModified := summaryCount(stderr, "not modified")
		unchanged := summaryCount(stderr, "unchanged")
		if code != 0 || !strings.Contains(stderr, "stored 0,") || notFetched+notModified+unchanged != len(site.Articles) || notFetched == 0 {
			t.Errorf("exit %d: %d not fetched + %d not modified + %d unchanged, want %d\n%s", code, notFetched, notModified, unchanged, len(site.Articles), stderr)
		}
		after := site.AllHits()
		for _, a := range site.Articles {
			if n := after[a.Path] - before[a.Path]; n > 1 {
				t.Errorf("%s fetched %d times by the second crawl", a.Path, n)
			}
		}
		checkArchive(t, dir, site)

		// Two articles change (one per language): the third crawl stores
		// exactly those, with their new paragraph.
		site.Update(1, "A correction was appended to this report on its second day, after the editors checked the figures in the third paragraph against the official statistics and found that two of them needed a clarification for readers.")
		ar := 0
		for i, a := range site.Articles {
			if a.Lang == "ar" {
				ar = i
			}
		}
		site.Update(ar, "وأضيف تصحيح إلى هذا التقرير في يومه الثاني بعد أن راجعت الصحيفة الأرقام الواردة فيه مع الجهات الرسمية، وتبين أن بعض المعطيات المنشورة في الفقرة الثالثة كانت تحتاج إلى توضيح إضافي للقراء.")
		code, _, stderr = runCtx(t, context.Background(), args...)
		if code != 0 || !strings.Contains(stderr, "stored 2,") {
			t.Errorf("third crawl: exit %d, want 2 stored\n%s", code, stderr)
		}
		_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
		for _, a := range []newssite.Article{site.Articles[1], site.Articles[ar]} {
			found := false
			for _, l := range decodeLines(t, out) {
				if strings.HasSuffix(l["url"].(string), a.Path) {
					found = true
					if !strings.HasSuffix(l["text"].(string), a.Addendum) {
						t.Errorf("%s: the stored text lacks the update %q", a.Path, a.Addendum)
					}
				}
			}
			if !found {
				t.Errorf("%s: no record", a.Path)
			}
		}
	})
}

func TestCrawlInterruptAndResume(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 150, Arabic: 50})
	defer site.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	var mu sync.Mutex
	articles := 0
	site.OnHit(func(path string) {
		if strings.Count(path, "/") >= 5 && !strings.Contains(path, "?") { // an article page
			mu.Lock()
			articles++
			n := articles
			mu.Unlock()
			if n == 60 {
				once.Do(cancel)
			}
		}
	})
	args := []string{"crawl", "--data-dir", dir, "--delay", "0", "--parallelism", "2", site.URL + "/"}
	code, _, stderr := runCtx(t, ctx, args...)
	if code != 0 || !strings.Contains(stderr, "crawl interrupted") || !strings.Contains(stderr, "run the same command again to resume") {
		t.Fatalf("interrupted run: exit %d\n%s", code, stderr)
	}
	store, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	partial, _ := store.Count()
	store.Close()
	if partial == 0 || partial >= uint64(len(site.Articles)) {
		t.Fatalf("%d records after the interruption: want some, not all", partial)
	}
	site.OnHit(nil)
	code, _, stderr = runCtx(t, context.Background(), args...)
	if code != 0 || !strings.Contains(stderr, "crawl finished (resumed)") {
		t.Fatalf("resumed run: exit %d\n%s", code, stderr)
	}
	checkArchive(t, dir, site)
	checkFetchedOnce(t, site)
}

func TestCrawlUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"crawl"}, "at least one seed"},
		{[]string{"crawl", "--data-dir", t.TempDir(), "ftp://example.org/"}, `seed "ftp://example.org/"`},
		{[]string{"crawl", "--data-dir", t.TempDir(), "--deny", "(", "http://127.0.0.1:1/"}, `--deny: "("`},
		{[]string{"crawl", "--data-dir", t.TempDir(), "--seeds-file", "/nonexistent", "http://127.0.0.1:1/"}, "--seeds-file /nonexistent: no such file"},
		{[]string{"crawl", "--data-dir", t.TempDir(), "--parallelism", "-1", "http://127.0.0.1:1/"}, "parallelism"},
	} {
		code, _, stderr := runCtx(t, context.Background(), tc.args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

// summaryCount reads "<n> <reason>" from a crawl summary line ("unchanged"
// also from the totals line).
func summaryCount(stderr, reason string) int {
	re := regexp.MustCompile(`(?:^|[;:,] )(\d+) ` + regexp.QuoteMeta(reason) + `(?:;|,|$| \()`)
	if reason == "unchanged" || reason == "not modified" {
		re = regexp.MustCompile(reason + ` (\d+),`)
	}
	n := 0
	for _, line := range strings.Split(stderr, "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			v, _ := strconv.Atoi(m[1])
			n += v
		}
	}
	return n
}
