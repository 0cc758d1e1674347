package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/warc"
)

func article(title, word, canonical string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<html lang="en"><head><title>%s</title>`, title)
	if canonical != "" {
		fmt.Fprintf(&b, `<link rel="canonical" href="%s">`, canonical)
	}
	fmt.Fprintf(&b, `</head><body><article><h1>%s</h1>`, title)
	for i := 0; i < 6; i++ {
		fmt.Fprintf(&b, "<p>Paragraph %d about %s: the council approved the plan after a long debate about its cost, the funding from the ministry and the timetable for the works.</p>", i, word)
	}
	b.WriteString("</article></body></html>")
	return b.String()
}

const listing = `<html lang="en"><head><title>News</title></head><body><ul><li><a href="/a">A</a></li><li><a href="/b">B</a></li></ul></body></html>`

// memStore keeps records in memory, in the order they came.
type memStore struct {
	mu    sync.Mutex
	order []string
	byID  map[string]*record.Record
}

func (m *memStore) Put(_ context.Context, r *record.Record) (index.PutResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID = map[string]*record.Record{}
	}
	old := m.byID[r.ID]
	m.byID[r.ID] = r
	m.order = append(m.order, r.URL)
	switch {
	case old == nil:
		return index.Created, nil
	case old.ContentHash == r.ContentHash:
		return index.Unchanged, nil
	}
	return index.Updated, nil
}

// frontier records what the pipeline asked to follow.
type frontier struct {
	inScope bool
	asked   []string
}

func (f *frontier) Follow(raw string) bool  { f.asked = append(f.asked, raw); return f.inScope }
func (f *frontier) Allowed(u *url.URL) bool { return f.inScope }

type stalling struct{ release chan struct{} }

func (s stalling) ExtractContext(ctx context.Context, in extract.Input) (*record.Record, error) {
	select {
	case <-s.release:
	case <-ctx.Done(): // stops at its deadline, as extract.Extractor does
		return nil, ctx.Err()
	}
	return extract.Extractor{}.Extract(in)
}

func page(url, body string) *crawler.Page {
	return &crawler.Page{URL: url, FinalURL: url, StatusCode: 200, ContentType: "text/html; charset=utf-8", Body: []byte(body), FetchedAt: time.Now()}
}

func TestHandlePage(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	p := Pipeline{Extractor: extract.Extractor{}, Store: store}
	story := page("https://news.example/2024/05/06/council-plan/", article("Council plan", "water", ""))
	for i, want := range []crawler.Outcome{{Stored: true}, {Unchanged: true}} {
		if out, err := p.HandlePage(ctx, story, nil); err != nil || out != want {
			t.Errorf("put %d: %+v %v, want %+v", i, out, err, want)
		}
	}
	if out, _ := p.HandlePage(ctx, page("https://news.example/", listing), nil); out.Skip != SkipNotArticle {
		t.Errorf("listing: %+v", out)
	}
	if out, _ := p.HandlePage(ctx, page("https://news.example/x.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), nil); out.Skip != SkipNotHTML {
		t.Errorf("binary: %+v", out)
	}
	if out, _ := (Pipeline{Off: true}).HandlePage(ctx, story, nil); out.Skip != SkipNotExtracted {
		t.Errorf("off: %+v", out)
	}
}

// An alias (an AMP copy naming its canonical page) is left to its canonical
// page when the crawl can fetch that, and kept when it cannot.
func TestAliasFollowsItsCanonicalPage(t *testing.T) {
	amp := page("https://news.example/amp/council-plan/", article("Council plan", "water", "https://news.example/2024/05/06/council-plan/"))
	p := Pipeline{Extractor: extract.Extractor{}}
	f := &frontier{inScope: true}
	if d := p.Decide(amp, f); d.Record == nil || !d.Alias || d.Skip != SkipAlias || len(f.asked) != 1 || f.asked[0] != "https://news.example/2024/05/06/council-plan/" {
		t.Errorf("in scope: %+v, asked %v", d, f.asked)
	}
	if d := p.Decide(amp, &frontier{inScope: false}); d.Record == nil || d.Alias {
		t.Errorf("an alias whose canonical page cannot be fetched: %+v, want stored as any page", d)
	}
	if d := p.Decide(amp, nil); d.Record == nil || d.Alias {
		t.Errorf("an alias with nobody to follow its canonical page: %+v", d)
	}
	shared := *amp
	shared.Shared = true // its canonical page may land in another process's data dir
	if d := p.Decide(&shared, &frontier{inScope: true}); d.Record != nil || d.Skip != SkipAlias {
		t.Errorf("an alias in a shared crawl: %+v, want left to its canonical page", d)
	}
}

// A page over the budget is skipped at the budget, whatever the machine.
func TestBudget(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	p := Pipeline{Extractor: stalling{release}, Budget: 50 * time.Millisecond}
	if d := p.Decide(page("https://news.example/slow", article("Slow", "x", "")), nil); d.Record != nil || d.Skip != SkipOverBudget {
		t.Errorf("%+v, want skipped over budget", d)
	}
}

// Replay runs WARC captures through the pipeline: a page captured twice is
// stored in capture order (the later capture wins), an AMP copy whose
// canonical page was captured is left to it, non-HTML and non-200
// responses are passed over.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, 1<<30, "presscrawl/test")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 7, 10, 0, 0, 0, time.UTC)
	capture := func(url, ct string, status int, body string) {
		t.Helper()
		_, err := w.Capture(&warc.Exchange{Method: "GET", URL: url, RequestHeader: http.Header{}, StatusCode: status, Proto: "HTTP/1.1",
			ResponseHeader: http.Header{"Content-Type": {ct}}, Body: []byte(body), FetchedAt: at})
		if err != nil {
			t.Fatal(err)
		}
	}
	const canonical = "https://news.example/2024/05/06/council-plan/"
	html := "text/html; charset=utf-8"
	capture(canonical, html, 200, article("Council plan", "water", ""))
	capture("https://news.example/amp/council-plan/", html, 200, article("Council plan", "water", canonical))
	capture("https://news.example/", html, 200, listing)
	capture("https://news.example/logo.png", "image/png", 200, "\x89PNG")
	capture("https://news.example/gone", html, 404, article("Gone", "gone", ""))
	for i := 1; i <= 30; i++ {
		capture(fmt.Sprintf("https://news.example/2024/05/%02d/story-%d/", i%28+1, i), html, 200, article(fmt.Sprintf("Story %d", i), fmt.Sprint("word", i), ""))
	}
	capture(canonical, html, 200, article("Council plan", "drought", "")) // captured again, changed
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := warc.Files([]string{dir})
	if err != nil || len(files) != 1 {
		t.Fatalf("%v %v", files, err)
	}
	store := &memStore{}
	sum, err := Replay(context.Background(), Pipeline{Extractor: extract.Extractor{}, Store: store}, files, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Pages != 34 || sum.Stored != 32 || sum.Unchanged != 0 || sum.Skipped[SkipAlias] != 1 || sum.Skipped[SkipNotArticle] != 1 {
		t.Errorf("summary %+v (%s)", sum, sum.SkippedLine())
	}
	if store.order[0] != canonical || store.order[len(store.order)-1] != canonical {
		t.Errorf("not in capture order: first %s, last %s", store.order[0], store.order[len(store.order)-1])
	}
	for _, r := range store.byID {
		if r.URL == canonical && !strings.Contains(r.Text, "drought") {
			t.Error("the earlier capture won over the later one")
		}
		if r.WARCFile != filepath.Base(files[0]) || r.WARCRecordID == "" {
			t.Errorf("%s: provenance %q %q", r.URL, r.WARCFile, r.WARCRecordID)
		}
	}
}

// ignoring is an extractor that ignores its context, as a stage that cannot
// be interrupted does, until released.
type ignoring struct {
	release chan struct{}
	mu      *sync.Mutex
	running *int
	most    *int
}

func (s ignoring) ExtractContext(_ context.Context, in extract.Input) (*record.Record, error) {
	s.mu.Lock()
	*s.running++
	*s.most = max(*s.most, *s.running)
	s.mu.Unlock()
	<-s.release
	s.mu.Lock()
	*s.running--
	s.mu.Unlock()
	return nil, errors.New("released")
}

// Extractions over the budget that do not stop never pile up past the
// cores: a caller waits for its own once every slot holds an abandoned one.
func TestAbandonedExtractionsBounded(t *testing.T) {
	var mu sync.Mutex
	running, most := 0, 0
	x := ignoring{release: make(chan struct{}), mu: &mu, running: &running, most: &most}
	p := Pipeline{Extractor: x, Budget: time.Millisecond}
	calls := runtime.GOMAXPROCS(0) + 3
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < calls; i++ {
			p.Decide(page(fmt.Sprintf("https://news.example/%d", i), "<p>x</p>"), nil)
		}
	}()
	limit := runtime.GOMAXPROCS(0) + 1 // the abandoned ones and the caller's own
	for i := 0; i < 3000; i++ {        // until the caller is held (30 s at most on a busy machine)
		mu.Lock()
		r := running
		mu.Unlock()
		if r >= limit {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // room for a violation to show; none can on a slow machine
	mu.Lock()
	if most > limit {
		t.Errorf("%d extractions ran at once, want at most %d", most, limit)
	}
	mu.Unlock()
	close(x.release)
	<-done
}

// A WARC file cut short (a disk that filled, a copy that stopped) is read
// up to the damage, named in the summary, and the records before it kept;
// a response larger than the limit is streamed past, never held.
func TestReplayDamagedAndHugeCaptures(t *testing.T) {
	dir := t.TempDir()
	w, err := warc.NewWriter(dir, 1<<30, "presscrawl/test")
	if err != nil {
		t.Fatal(err)
	}
	html := "text/html; charset=utf-8"
	capture := func(url string, body []byte) {
		t.Helper()
		if _, err := w.Capture(&warc.Exchange{Method: "GET", URL: url, RequestHeader: http.Header{}, StatusCode: 200, Proto: "HTTP/1.1",
			ResponseHeader: http.Header{"Content-Type": {html}}, Body: body, FetchedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 10; i++ {
		capture(fmt.Sprintf("https://news.example/2024/05/%02d/story-%d/", i, i), []byte(article(fmt.Sprintf("Story %d", i), fmt.Sprint("word", i), "")))
	}
	huge := make([]byte, 40<<20) // incompressible enough to be a real 40 MB record
	for i := range huge {
		huge[i] = byte('a' + (i*7919)%26)
	}
	capture("https://news.example/huge/", huge)
	for i := 11; i <= 20; i++ {
		capture(fmt.Sprintf("https://news.example/2024/06/%02d/story-%d/", i, i), []byte(article(fmt.Sprintf("Story %d", i), fmt.Sprint("word", i), "")))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := warc.Files([]string{dir})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	store := &memStore{}
	sum, err := Replay(context.Background(), Pipeline{Extractor: extract.Extractor{}, Store: store}, files, ReplayOptions{MaxBytes: 1 << 20})
	runtime.ReadMemStats(&after)
	if err != nil || sum.Stored != 20 || sum.Skipped[SkipTooLarge] != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 60<<20 { // both passes would hold 80 MB
		t.Errorf("replay allocated %d MB: the 40 MB record was held", alloc>>20)
	}
	// Cut the file in the middle of the second half.
	st, _ := os.Stat(files[0])
	if err := os.Truncate(files[0], st.Size()-3000); err != nil {
		t.Fatal(err)
	}
	store = &memStore{}
	sum, err = Replay(context.Background(), Pipeline{Extractor: extract.Extractor{}, Store: store}, files, ReplayOptions{MaxBytes: 1 << 20})
	if err != nil || sum.Stored < 15 || sum.Stored == 20 || len(sum.Damaged) != 1 || !strings.Contains(sum.Damaged[0], filepath.Base(files[0])) {
		t.Errorf("damaged file: %+v (%d damaged) %v", sum, len(sum.Damaged), err)
	}
}

// instant extracts nothing, at once.
type instant struct{}

func (instant) ExtractContext(context.Context, extract.Input) (*record.Record, error) {
	return &record.Record{ID: "x", IsArticle: true}, nil
}

// An extraction that ends well within its budget is never taken for one
// over it (its end used to cancel the context the wait also watched, and
// the wait could pick the cancellation: an article lost now and then).
func TestBudgetNeverMisfires(t *testing.T) {
	p := Pipeline{Extractor: instant{}, Budget: time.Hour}
	var wg sync.WaitGroup
	var misfires atomic.Int64
	for g := 0; g < 16; g++ { // busy goroutines make the race likely
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 4000; i++ {
				if d := p.Decide(page("https://news.example/a", "<p>x</p>"), nil); d.Record == nil {
					misfires.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := misfires.Load(); n > 0 {
		t.Errorf("%d of 64,000 extractions within a budget of an hour were taken as over it", n)
	}
}

// --since by days compares each page's own calendar day; with a time, the
// instant.
func TestPublishedBefore(t *testing.T) {
	beirut := time.FixedZone("", 2*3600)
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	early := record.Timestamp{Time: time.Date(2024, 3, 1, 1, 0, 0, 0, beirut)} // 29 Feb 23:00 UTC
	if publishedBefore(early, day) {
		t.Error("1 March 01:00 in Beirut counted as before 1 March")
	}
	if !publishedBefore(record.Timestamp{Time: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), DayOnly: true}, day) {
		t.Error("29 February not before 1 March")
	}
	instant := time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC)
	if !publishedBefore(early, instant) {
		t.Error("with a time, 23:00 UTC the day before is before it")
	}
}

// fakeRenderer renders every page as html, or fails with err.
type fakeRenderer struct {
	html  string
	err   error
	calls int
}

func (f *fakeRenderer) Render(_ context.Context, _ string, allow func(*url.URL) bool) ([]byte, error) {
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	return []byte(f.html), nil
}

// --render auto renders only application shells that yield no article;
// a page it cannot render is counted, a browser that cannot start stops
// the crawl.
func TestRenderDecisions(t *testing.T) {
	ctx := context.Background()
	shell := page("https://news.example/2024/05/06/council-plan/", `<html><body><div id="app"></div><script src="/app.js"></script></body></html>`)
	static := page("https://news.example/2024/05/07/water-plan/", article("Water plan", "water", ""))
	f := &frontier{inScope: true}
	r := &fakeRenderer{html: article("Council plan", "council", "")}
	p := Pipeline{Extractor: extract.Extractor{}, Store: &memStore{}, Renderer: r, Render: RenderAuto}
	if out, err := p.HandlePage(ctx, static, f); err != nil || !out.Stored || out.Rendered || r.calls != 0 {
		t.Errorf("a static article: %+v %v, %d renders", out, err, r.calls)
	}
	if out, err := p.HandlePage(ctx, shell, f); err != nil || !out.Stored || !out.Rendered || r.calls != 1 {
		t.Errorf("a shell: %+v %v, %d renders", out, err, r.calls)
	}
	p.Render = RenderAlways
	if out, err := p.HandlePage(ctx, static, f); err != nil || !out.Rendered || r.calls != 2 {
		t.Errorf("always: %+v %v, %d renders", out, err, r.calls)
	}
	p.Render = RenderAuto
	p.Renderer = &fakeRenderer{err: errors.New("over its time limit")}
	if out, err := p.HandlePage(ctx, shell, f); err != nil || out.Skip != SkipRenderFailed || out.Rendered {
		t.Errorf("a page the browser could not render: %+v %v", out, err)
	}
	p.Renderer = &fakeRenderer{err: fmt.Errorf("%w: Chromium did not start", ErrRenderer)}
	if _, err := p.HandlePage(ctx, shell, f); !errors.Is(err, ErrRenderer) {
		t.Errorf("a browser that cannot start: %v", err)
	}
	var converted []string
	p.Renderer = &fakeRenderer{html: article("Council plan", "council", "")}
	p.Convert = func(pageURL, refersTo string, _ time.Time, html []byte) error {
		converted = append(converted, pageURL+" "+refersTo)
		return nil
	}
	shell.WARCRecordID = "urn:uuid:1"
	if _, err := p.HandlePage(ctx, shell, f); err != nil || len(converted) != 1 || converted[0] != shell.FinalURL+" urn:uuid:1" {
		t.Errorf("conversion records: %v %v", converted, err)
	}
}
