// Package ingest is the one path from a fetched page to a stored record:
// extract the page, decide whether it is an article to keep (not an alias
// of another page, not a listing), and put the record in a store. A crawl
// hands it every page it fetches (Pipeline is a crawler.Handler); reextract
// replays WARC captures through the same Pipeline (Replay), extracting in
// parallel and storing in capture order.
//
// The package knows neither the command line nor the configuration: the
// command wires an Extractor and a Store into a Pipeline.
package ingest

import (
	"context"
	"errors"
	"net/url"
	"runtime"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// Extractor turns one page into its record (extract.Extractor). It gives
// up soon after ctx ends.
type Extractor interface {
	ExtractContext(ctx context.Context, in extract.Input) (*record.Record, error)
}

// Store is where records go: the local index, JSON Lines, a test's map.
type Store interface {
	Put(ctx context.Context, r *record.Record) (index.PutResult, error)
}

// Pipeline extracts each page and stores the articles.
type Pipeline struct {
	Extractor Extractor
	// Store receives the articles; nil for Decide alone.
	Store Store
	// Off leaves pages unextracted (a capture-only crawl into WARC files).
	Off bool
	// Budget bounds one page's extraction time (0: none). A page over it
	// is skipped and counted; its extraction is cancelled.
	Budget time.Duration
	// Since, when set, skips articles published before that day (records
	// without a date are kept: they may be new).
	Since time.Time
	// Renderer, when set, renders pages in a browser: every HTML page
	// (RenderAlways), or only application shells whose HTML and data hold
	// no article (RenderAuto).
	Renderer Renderer
	Render   RenderMode
	// Convert, when set, keeps a rendered page's document beside the
	// response it was rendered from (a WARC conversion record; refersTo is
	// the response record's id). Its failure stops the crawl, as a failed
	// capture does.
	Convert func(pageURL, refersTo string, at time.Time, html []byte) error
}

// Renderer renders a page in a browser and returns the document its
// scripts built; every request the page makes must pass allow.
type Renderer interface {
	Render(ctx context.Context, pageURL string, allow func(*url.URL) bool) ([]byte, error)
}

// RenderMode says which pages a Renderer renders.
type RenderMode int

const (
	RenderNever  RenderMode = iota // the fetched HTML only
	RenderAuto                     // application shells that yield no article
	RenderAlways                   // every HTML page
)

// ErrRenderer is a Renderer that cannot render at all (the browser does
// not start): the crawl stops, saying why, rather than count every page
// that needs it as failed.
var ErrRenderer = errors.New("the browser cannot render")

// SkipRenderFailed is a page a browser could not render (its time limit,
// a crash), when nothing else of it was an article.
const SkipRenderFailed = "render failed"

// ErrOverBudget is a page whose extraction took longer than the budget.
var ErrOverBudget = errors.New("extraction over its time budget")

// The reasons a page yields no record, as counted in summaries.
const (
	SkipNotExtracted = "not extracted (extraction off)"
	SkipOverBudget   = "extraction over its time budget"
	SkipTooLarge     = "too large"
	SkipTooComplex   = "too many tags for an article page"
	SkipEmpty        = "empty page"
	SkipNotHTML      = "not HTML (unreadable bytes)"
	SkipUnparsable   = "unparsable HTML"
	SkipAlias        = "alias of its canonical URL"
	SkipNotArticle   = "not an article (home, listing or error page)"
	SkipBeforeSince  = "published before the since day"
	// SkipReplacedAlias: the page's record replaced the one its alias page
	// stood in with; the article was counted as stored then.
	SkipReplacedAlias = "stored before from its alias page (now from this page)"
)

// abandoned holds a slot for each extraction that overran its budget and
// is still winding down: never more than the cores. When all are taken, the
// next page over budget is waited for (it stops at its next checkpoint), so
// hostile pages cannot pile up work and memory behind a crawl.
var abandoned = make(chan struct{}, runtime.GOMAXPROCS(0))

// extract runs the extractor within the budget. An extraction over it is
// cancelled (the extractor checks between its stages) and skipped.
func (p Pipeline) extract(in extract.Input) (*record.Record, error) {
	if p.Budget <= 0 {
		return p.Extractor.ExtractContext(context.Background(), in)
	}
	// ctx ends at the deadline only: it is cancelled once the result is in
	// hand, never by the extraction's end racing the select below.
	ctx, cancel := context.WithTimeout(context.Background(), p.Budget)
	type result struct {
		rec *record.Record
		err error
	}
	done := make(chan result, 1)
	go func() {
		rec, err := p.Extractor.ExtractContext(ctx, in)
		done <- result{rec, err}
	}()
	finished := func(r result) (*record.Record, error) {
		cancel()
		if errors.Is(r.err, context.DeadlineExceeded) {
			return nil, ErrOverBudget
		}
		return r.rec, r.err
	}
	select {
	case r := <-done:
		return finished(r)
	case <-ctx.Done():
	}
	select {
	case r := <-done: // it finished as the deadline came
		return finished(r)
	case abandoned <- struct{}{}:
		go func() { <-done; cancel(); <-abandoned }()
	default:
		<-done // every slot is held: wait for this one to stop
		cancel()
	}
	return nil, ErrOverBudget
}

// AliasStore is a Store that can keep a record only while none is stored
// under its id: how an alias (an AMP copy) is kept until its canonical page
// is stored, and never overwrites it.
type AliasStore interface {
	PutNew(ctx context.Context, r *record.Record) (index.PutResult, error)
}

// HandlePage implements crawler.Handler.
func (p Pipeline) HandlePage(ctx context.Context, pg *crawler.Page, f crawler.Frontier) (crawler.Outcome, error) {
	if p.Off {
		return crawler.Outcome{Skip: SkipNotExtracted}, nil
	}
	d, err := p.decide(ctx, pg, f)
	if err != nil {
		return crawler.Outcome{}, err
	}
	if d.Record == nil {
		return crawler.Outcome{Skip: d.Skip, Rendered: d.Rendered}, nil
	}
	var res index.PutResult
	if d.Alias {
		as, ok := p.Store.(AliasStore)
		if !ok {
			return crawler.Outcome{Skip: d.Skip}, nil
		}
		if res, err = as.PutNew(ctx, d.Record); err == nil && res == index.Unchanged {
			return crawler.Outcome{Skip: d.Skip}, nil // its canonical page is stored
		}
	} else {
		res, err = p.Store.Put(ctx, d.Record)
	}
	if err != nil {
		return crawler.Outcome{}, err
	}
	out := outcomeOf(res)
	out.Rendered = d.Rendered
	return out, nil
}

// outcomeOf is what a store's write of an article counts as.
func outcomeOf(res index.PutResult) crawler.Outcome {
	switch res {
	case index.Unchanged:
		return crawler.Outcome{Unchanged: true}
	case index.Replaced:
		return crawler.Outcome{Skip: SkipReplacedAlias}
	case index.Revised:
		return crawler.Outcome{Stored: true, Revised: true}
	}
	return crawler.Outcome{Stored: true}
}

// Decision is what to do with a page.
type Decision struct {
	// Record is what to store; nil: nothing.
	Record *record.Record
	// Skip says why nothing is stored; with Alias, why the record is kept
	// only until its canonical page is stored.
	Skip string
	// Alias: the page names another as canonical, which the crawl fetches;
	// its record (under the canonical page's id) is stored only while no
	// record is, so an article whose canonical page is missing (a 404, a
	// redirect back to it) is not lost, and one that is stored wins.
	Alias bool
	// Rendered: the page was rendered in a browser.
	Rendered bool
}

// Decide extracts a page and says what to store. f is asked to fetch the
// canonical page of an alias; nil when there is nobody to ask (the alias
// is then stored as any page).
func (p Pipeline) Decide(pg *crawler.Page, f crawler.Frontier) Decision {
	d, _ := p.decide(context.Background(), pg, f)
	return d
}

func (p Pipeline) decide(ctx context.Context, pg *crawler.Page, f crawler.Frontier) (Decision, error) {
	in := extract.Input{Body: pg.Body, URL: pg.FinalURL, ContentType: pg.ContentType,
		ContentLanguage: pg.ContentLanguage, FetchedAt: pg.FetchedAt}
	rec, err := p.extract(in)
	var rendered bool
	if p.Renderer != nil && f != nil && (err == nil || errors.Is(err, extract.ErrEmpty)) && p.wantsRender(pg, rec) {
		html, rerr := p.Renderer.Render(ctx, pg.FinalURL, f.Allowed)
		switch {
		case errors.Is(rerr, ErrRenderer):
			return Decision{}, rerr
		case rerr != nil && (err != nil || !rec.IsArticle):
			return Decision{Skip: SkipRenderFailed}, nil
		case rerr == nil:
			if p.Convert != nil {
				if cerr := p.Convert(pg.FinalURL, pg.WARCRecordID, time.Now().UTC(), html); cerr != nil {
					return Decision{}, cerr
				}
			}
			in.Body, in.ContentType = html, "text/html; charset=utf-8"
			if r2, err2 := p.extract(in); err2 == nil {
				rec, err, rendered = r2, nil, true
			}
		}
	}
	d := p.judge(pg, f, rec, err)
	d.Rendered = rendered
	return d, nil
}

// wantsRender: every page with RenderAlways; with RenderAuto, a page whose
// HTML is an application shell and whose HTML and data gave no article.
func (p Pipeline) wantsRender(pg *crawler.Page, rec *record.Record) bool {
	switch p.Render {
	case RenderAlways:
		return true
	case RenderAuto:
		return (rec == nil || !rec.IsArticle || rec.WordCount < 50) && (rec == nil || rec.TextSource == "") && extract.AppShell(pg.Body)
	}
	return false
}

// judge says what to do with a page's record (or its extraction's error).
func (p Pipeline) judge(pg *crawler.Page, f crawler.Frontier, rec *record.Record, err error) Decision {
	switch {
	case errors.Is(err, ErrOverBudget):
		return Decision{Skip: SkipOverBudget}
	case errors.Is(err, extract.ErrTooLarge):
		return Decision{Skip: SkipTooLarge}
	case errors.Is(err, extract.ErrTooComplex):
		return Decision{Skip: SkipTooComplex}
	case errors.Is(err, extract.ErrEmpty):
		return Decision{Skip: SkipEmpty}
	case errors.Is(err, extract.ErrNotHTML):
		return Decision{Skip: SkipNotHTML}
	case err != nil:
		return Decision{Skip: SkipUnparsable}
	}
	rec.WARCFile, rec.WARCRecordID = pg.WARCFile, pg.WARCRecordID
	if !pg.ArchivedAt.IsZero() {
		t := pg.ArchivedAt.UTC()
		rec.ArchivedAt = &t
	}
	rec.ArchiveURL = pg.ArchiveURL
	// An alias (AMP copy, tracking variant) is stored from its canonical
	// page, fetched once, unless that page cannot be crawled.
	alias := rec.CanonicalURL != "" && !urlcanon.SamePage(rec.CanonicalURL, pg.FinalURL) && f != nil && f.Follow(rec.CanonicalURL)
	switch {
	case rec.WordCount < 150 && extract.ConsentWall(pg.Body, pg.ContentType, pg.FinalURL):
		return Decision{Skip: crawler.SkipConsentWall} // never an article, whatever it holds
	case !rec.IsArticle:
		return Decision{Skip: SkipNotArticle}
	case !p.Since.IsZero() && rec.PublishedAt != nil && publishedBefore(*rec.PublishedAt, p.Since):
		return Decision{Skip: SkipBeforeSince}
	case alias && pg.Shared:
		// Its canonical page may be stored by another process, in another
		// data dir: keeping the alias there would store the article twice.
		return Decision{Skip: SkipAlias}
	case alias:
		return Decision{Record: rec, Skip: SkipAlias, Alias: true}
	}
	return Decision{Record: rec}
}

// publishedBefore reports whether a publication date lies before since.
// A since that is a day (midnight UTC) is compared by days, each date by
// the page's own calendar: an article of 1 March at 02:00 in Beirut is of
// 1 March. A since with a time is compared as an instant.
func publishedBefore(t record.Timestamp, since time.Time) bool {
	u := since.UTC()
	if t.DayOnly || u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return t.Time.Format(record.DayLayout) < u.Format(record.DayLayout)
	}
	return t.Time.Before(since)
}
