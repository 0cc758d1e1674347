package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

func testRecord(i int, lang, text string) *record.Record {
	sum := sha256.Sum256([]byte(text))
	id := sha256.Sum256([]byte(fmt.Sprintf("https://a.example/%d", i)))
	day := record.Timestamp{Time: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), DayOnly: true}
	return &record.Record{ID: hex.EncodeToString(id[:]), URL: fmt.Sprintf("https://a.example/%d", i), Title: fmt.Sprintf("Title %d", i),
		Text: text, Language: lang, SiteName: "Arab Press", ContentHash: hex.EncodeToString(sum[:]), IsArticle: true,
		PublishedAt: &day, Authors: []string{}, Tags: []string{"t"}}
}

func TestPutAndSearch(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	recs := []*record.Record{
		testRecord(1, "en", "The negotiators reported progress on the agreement."),
		testRecord(2, "ar", "وصل وزير الخارجية العراقي إلى طهران للمفاوضات"),
		testRecord(3, "en", "Markets were calm and negotiations continue."),
		testRecord(4, "de", "Die Verhandlungen über den Haushalt gehen weiter."),
	}
	for _, r := range recs {
		if res, err := l.Put(ctx, r); err != nil || res != index.Created {
			t.Fatalf("Put new: %v %v", res, err)
		}
	}
	if res, _ := l.Put(ctx, recs[0]); res != index.Unchanged {
		t.Errorf("same content: %v, want Unchanged", res)
	}
	changed := *recs[0]
	changed.Text, changed.ContentHash = "The negotiators reported a breakthrough.", "other"
	if res, _ := l.Put(ctx, &changed); res != index.Revised {
		t.Errorf("changed content: %v, want Revised (an edit: the earlier version kept)", res)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if n, _ := l.Count(); n != 4 {
		t.Errorf("count %d, want 4", n)
	}
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"breakthrough", 1},
		{"progress", 0}, // the old text is gone from search too
		{"text_en:negotiate", 2},
		{"negotiate", 2}, // a plain word finds its inflected forms in the record's language
		{"مفاوضات", 1},
		{`language:AR`, 1}, // filters ignore case
		{`site_name:"arab press"`, 4},
		{"طهران", 1},
		{"الخارجيه", 1}, // Arabic normalisation: teh marbuta / heh
		{"text_ar:مفاوضات", 1},
		{`language:ar`, 1},
		{`site_name:"Arab Press"`, 4},
		// Each record's text is analyzed once, by its language; the query
		// tries each analyzer, in every text field and in a named one.
		{`"state of the agreement"`, 0},
		{`"negotiators reported a breakthrough"`, 1}, // stop words inside an English phrase
		{`"reports a breakthrough"`, 1},              // stemmed phrase
		{"Verhandlungen", 1},                         // any other language: as written, case folded
		{"verhandlung", 0},                           // and not stemmed
		{`text:haushalt`, 1},
		{`text:negotiations`, 2},
		{`title:"title 2"`, 1},
		{`text:للمفاوضات`, 1},
		{`-text:negotiate`, 2},
		{`"markets were calm"`, 1},
		{`markets OR breakthrough`, 2},
		{`markets OR breakthrough +language:en`, 2}, // one of them at least, in English: not every English record
		{`markets OR verhandlungen +language:en`, 1},
		{`markets AND breakthrough`, 0},
		{`language:en NOT markets`, 1},
		{`published_at:>="2024-01-03"`, 3},
	} {
		_, total, err := l.Search(context.Background(), tc.q, 10)
		if err != nil || int(total) != tc.want {
			t.Errorf("Search(%q) = %d, %v; want %d", tc.q, total, err, tc.want)
		}
	}
	var ids []string
	if err := l.Each(context.Background(), "", func(r *record.Record) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Errorf("Each not in id order: %q", ids)
		}
	}
}

// The records are the truth: a search index lost in a crash is rebuilt.
func TestSearchIndexRebuiltFromRecords(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := l.Put(context.Background(), testRecord(i, "en", fmt.Sprintf("unique%d words here", i))); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	if err := os.RemoveAll(filepath.Join(dir, searchDir)); err != nil {
		t.Fatal(err)
	}
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, i := range []int{0, 17, 49} {
		if _, total, _ := l.Search(context.Background(), fmt.Sprintf("unique%d", i), 1); total != 1 {
			t.Errorf("unique%d not found after rebuild", i)
		}
	}
}

func TestDataDirInUse(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Open(dir)
	if err == nil || !strings.Contains(err.Error(), "in use by another presscrawl process") {
		t.Fatalf("second open: %v", err)
	}
}

// A crawl that keeps only the records (its search is the archive) leaves
// the search index stale; the next OpenLocal rebuilds it, changed records
// included, and every written record is in the delivery outbox.
func TestOpenRecordsThenSearchRebuilt(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := l.Put(ctx, testRecord(1, "en", "the old wording of the story")); err != nil {
		t.Fatal(err)
	}
	l.Close()

	r, err := OpenRecords(dir)
	if err != nil {
		t.Fatal(err)
	}
	changed := testRecord(1, "en", "the rewritten zeppelin story")
	for _, rec := range []*record.Record{changed, testRecord(2, "ar", "بدأت المحادثات اليوم")} {
		if res, err := r.Put(ctx, rec); err != nil || res == index.Unchanged {
			t.Fatalf("put %s: %v %v", rec.ID, res, err)
		}
	}
	if pending, _, _ := r.DeliveryCounts(); pending != 3 {
		t.Errorf("%d documents waiting for delivery, want 3 (the first record queued once then rewritten, its earlier version, the second)", pending)
	}
	// Records has no Search: a crawl that keeps only the records cannot
	// be searched by mistake (the type says so, not an error at run time).
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}

	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for q, want := range map[string]uint64{"zeppelin": 1, "wording": 0, "المحادثات": 1} {
		if _, total, err := l.Search(ctx, q, 5); err != nil || total != want {
			t.Errorf("search %s after the rebuild: %d (%v), want %d", q, total, err, want)
		}
	}
}

// Damaged files: garbage or an empty records.db is an error naming the
// file (never a panic, never an empty archive); a damaged search index is
// set aside and rebuilt from the records.
func TestDamagedDataDir(t *testing.T) {
	ctx := context.Background()
	fill := func(t *testing.T) string {
		dir := t.TempDir()
		l, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 30; i++ {
			if _, err := l.Put(ctx, testRecord(i, "en", fmt.Sprintf("the story of the bridge number %d", i))); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	t.Run("garbage records.db", func(t *testing.T) {
		dir := fill(t)
		garbage := make([]byte, 64<<10)
		for i := range garbage {
			garbage[i] = byte(i*7919 + i>>3)
		}
		os.WriteFile(filepath.Join(dir, "records.db"), garbage, 0o644)
		_, err := Open(dir)
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "records.db") {
			t.Errorf("garbage: %v", err)
		}
	})
	t.Run("empty records.db", func(t *testing.T) {
		dir := fill(t)
		os.Truncate(filepath.Join(dir, "records.db"), 0)
		_, err := Open(dir)
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "empty (0 bytes)") {
			t.Errorf("empty: %v", err)
		}
	})
	t.Run("search segment cut short", func(t *testing.T) {
		dir := fill(t)
		segs, _ := filepath.Glob(filepath.Join(dir, "search.bleve", "store", "*"))
		if len(segs) < 2 {
			t.Fatalf("store files %v", segs)
		}
		for _, s := range segs {
			os.Truncate(s, 100)
		}
		l, err := Open(dir)
		if err != nil {
			t.Fatalf("a damaged search index stopped the data dir: %v", err)
		}
		defer l.Close()
		if !strings.Contains(l.Notice, "rebuilt from the records") {
			t.Errorf("notice %q", l.Notice)
		}
		if _, total, err := l.Search(ctx, "bridge", 1); err != nil || total != 30 {
			t.Errorf("search after the rebuild: %d (%v), want 30", total, err)
		}
	})
}

// A query with a syntax error is an error, not zero hits.
func TestMalformedQuery(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, q := range []string{"title:(", `"unclosed`, "published_at:>"} {
		if _, _, err := l.Search(context.Background(), q, 1); !errors.Is(err, index.ErrBadQuery) {
			t.Errorf("%s: %v, want ErrBadQuery", q, err)
		}
	}
}

// An alias page's record and its canonical page's, written at once in
// either order: the search index ends with what records.db holds.
func TestSearchFollowsTheStoredRecord(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 300
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		canon := testRecord(i, "en", fmt.Sprintf("the canonical text %d", i))
		canon.CanonicalURL = canon.URL
		canon.SiteName = "Canonical"
		alias := *canon
		alias.URL, alias.SiteName = canon.URL+"amp/", "Alias"
		alias.ContentHash = "alias-" + canon.ContentHash
		wg.Add(2)
		go func() { defer wg.Done(); l.PutNew(ctx, &alias) }()
		go func() { defer wg.Done(); l.Put(ctx, canon) }()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for site, want := range map[string]uint64{`site_name:"Canonical"`: n, `site_name:"Alias"`: 0} {
		if _, total, err := l.Search(ctx, site, 1); err != nil || total != want {
			t.Errorf("%s: %d (%v), want %d", site, total, err, want)
		}
	}
}

// Arabic-Indic and Persian digits are digits: ٩٩ and 99 find each other.
func TestDigitsFolded(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l.Put(ctx, testRecord(1, "ar", "تقرير رقم ٩٩ عن الشؤون الإقليمية"))
	l.Put(ctx, testRecord(2, "fa", "گزارش شماره ۴۲"))
	l.Put(ctx, testRecord(3, "en", "report number 7"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for q, want := range map[string]uint64{"٩٩": 1, "99": 1, "42": 1, "۴۲": 1, "٧": 1} {
		if _, total, err := l.Search(ctx, q, 5); err != nil || total != want {
			t.Errorf("search %s: %d (%v), want %d", q, total, err, want)
		}
	}
}

// EachMatch streams every match of a query in id order, past one page.
func TestEachMatch(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := 0; i < 2500; i++ {
		lang := "en"
		if i%5 == 0 {
			lang = "ar"
		}
		l.Put(ctx, testRecord(i, lang, fmt.Sprintf("story %d", i)))
	}
	l.Close()
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var ids []string
	if err := l.EachMatch(ctx, "language:en", func(r *record.Record) error { ids = append(ids, r.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2000 || !slices.IsSorted(ids) {
		t.Errorf("%d matches (want 2000), sorted %v", len(ids), slices.IsSorted(ids))
	}
}

// A data dir opened for its records alone reads them in id order and
// counts them; a query needs the search index and says so.
func TestRecordsAloneAsReader(t *testing.T) {
	ctx := context.Background()
	r, err := OpenRecords(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i := 0; i < 3; i++ {
		if _, err := r.Put(ctx, testRecord(i, "ar", "نص")); err != nil {
			t.Fatal(err)
		}
	}
	var rd index.Reader = r
	n := 0
	if err := rd.Each(ctx, "", func(*record.Record) error { n++; return nil }); err != nil || n != 3 {
		t.Errorf("every record: %d, %v", n, err)
	}
	if counts, records, err := rd.Counts(ctx, "language", "", 0); err != nil || records != 3 || len(counts) != 1 || counts[0].Count != 3 {
		t.Errorf("counts %v %d %v", counts, records, err)
	}
	if _, _, err := rd.SearchWith(ctx, "x", index.SearchOptions{Limit: 1}); !errors.Is(err, ErrNoSearch) {
		t.Errorf("search: %v, want ErrNoSearch", err)
	}
	if err := rd.Each(ctx, "language:ar", func(*record.Record) error { return nil }); !errors.Is(err, ErrNoSearch) {
		t.Errorf("a query: %v, want ErrNoSearch", err)
	}
	if got, err := r.GetPrefix(ctx, r0ID(t, r)); err != nil || got == nil {
		t.Errorf("get by prefix: %v %v", got, err)
	}
}

func r0ID(t *testing.T, r *Records) string {
	t.Helper()
	var id string
	if err := r.All(context.Background(), func(rec *record.Record) error {
		if id == "" {
			id = rec.ID[:6]
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// Queries past the bounds are refused at once, naming the bound, by search
// and by the streaming reads (export, stats) alike; so is a parenthesis,
// which the local syntax does not have and which used to give 0 records.
func TestQueryBounds(t *testing.T) {
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 50; i++ {
		if _, err := l.Put(ctx, testRecord(i, "en", fmt.Sprintf("story number %d about a water agreement", i))); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]string{
		"text:" + strings.Repeat("*a", 500): "wildcards",
		strings.Repeat("water ", 20000):     "bytes",
		strings.Repeat("w ", 200):           "terms",
		"(tehran)":                          "parentheses",
		"title:(tehran)":                    "parentheses",
		`"unclosed`:                         "not closed",
	} {
		_, _, serr := l.SearchWith(ctx, q, index.SearchOptions{Limit: 5})
		eerr := l.Each(ctx, q, func(*record.Record) error { return nil })
		_, _, cerr := l.Counts(ctx, "site", q, 0)
		for what, err := range map[string]error{"search": serr, "each": eerr, "counts": cerr} {
			if !errors.Is(err, index.ErrBadQuery) || !strings.Contains(err.Error(), want) || len(err.Error()) > 600 {
				t.Errorf("%s of %.40q: %.200v, want a bad query naming %q", what, q, err, want)
			}
		}
	}
	dir := l.st.db.Path()
	l.Close() // the search index flushed
	if l, err = Open(filepath.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	if _, total, err := l.Search(ctx, "text:wat* text:agree*", 5); err != nil || total != 50 {
		t.Errorf("two wildcards: %d %v", total, err)
	}
}

// Latin diacritics fold: cafe finds café, Muller finds Müller, and the
// other way round; Arabic is untouched by it.
func TestDiacriticsFold(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, r := range []*record.Record{
		testRecord(1, "fr", "Le café de la gare a rouvert ses portes ce matin."),
		testRecord(2, "de", "Bürgermeister Müller eröffnete die Ausstellung."),
		testRecord(3, "ar", "افتتح الوزير المعرض في المدينة"),
	} {
		if _, err := l.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil { // flushes the search index
		t.Fatal(err)
	}
	if l, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for q, want := range map[string]int{"cafe": 1, "café": 1, "Muller": 1, "müller": 1, "burgermeister": 1, "المعرض": 1} {
		hits, _, err := l.Search(ctx, q, 10)
		if err != nil || len(hits) != want {
			t.Errorf("%q: %d hits (%v), want %d", q, len(hits), err, want)
		}
	}
}
