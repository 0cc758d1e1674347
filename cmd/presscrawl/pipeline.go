package main

import (
	"context"
	"errors"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

// recordStore is where a crawl puts its records.
type recordStore interface {
	Put(ctx context.Context, r *record.Record) (index.PutResult, error)
}

// pipeline is the crawl's page handler: extract each fetched page and store
// the articles. It joins the crawler to the extractor and the index.
type pipeline struct {
	x     extract.Extractor
	store recordStore
	// off leaves pages unextracted (a capture-only crawl into WARC files).
	off bool
	// budget bounds one page's extraction time (0: none). A page over it is
	// skipped and counted; its extraction finishes in the background.
	budget time.Duration
}

// errOverBudget is a page whose extraction took longer than the budget.
var errOverBudget = errors.New("extraction over its time budget")

// extract runs the extractor within the budget.
func (p pipeline) extract(in extract.Input) (*record.Record, error) {
	if p.budget <= 0 {
		return p.x.Extract(in)
	}
	type result struct {
		rec *record.Record
		err error
	}
	done := make(chan result, 1)
	go func() {
		rec, err := p.x.Extract(in)
		done <- result{rec, err}
	}()
	t := time.NewTimer(p.budget)
	defer t.Stop()
	select {
	case r := <-done:
		return r.rec, r.err
	case <-t.C:
		return nil, errOverBudget
	}
}

func (p pipeline) HandlePage(ctx context.Context, pg *crawler.Page) (crawler.Outcome, error) {
	if p.off {
		return crawler.Outcome{Skip: "not extracted (--no-extract)"}, nil
	}
	rec, skip := p.decide(pg)
	if rec == nil {
		return crawler.Outcome{Skip: skip}, nil
	}
	res, err := p.store.Put(ctx, rec)
	if err != nil {
		return crawler.Outcome{}, err
	}
	if res == index.Unchanged {
		return crawler.Outcome{Unchanged: true}, nil
	}
	return crawler.Outcome{Stored: true}, nil
}

// decide extracts a page and returns the record to store, or why there is
// none.
func (p pipeline) decide(pg *crawler.Page) (*record.Record, string) {
	rec, err := p.extract(extract.Input{Body: pg.Body, URL: pg.FinalURL, ContentType: pg.ContentType,
		ContentLanguage: pg.ContentLanguage, FetchedAt: pg.FetchedAt})
	switch {
	case errors.Is(err, errOverBudget):
		return nil, "extraction over its time budget"
	case errors.Is(err, extract.ErrTooLarge):
		return nil, "too large"
	case errors.Is(err, extract.ErrEmpty):
		return nil, "empty page"
	case errors.Is(err, extract.ErrNotHTML):
		return nil, "not HTML (unreadable bytes)"
	case err != nil:
		return nil, "unparsable HTML"
	}
	rec.WARCFile, rec.WARCRecordID = pg.WARCFile, pg.WARCRecordID
	// An alias (AMP copy, tracking variant) is stored from its canonical page,
	// fetched once, unless that page cannot be crawled.
	if rec.CanonicalURL != "" && !crawler.SamePage(rec.CanonicalURL, pg.FinalURL) && pg.Follow != nil && pg.Follow(rec.CanonicalURL) {
		return nil, "alias of its canonical URL"
	}
	if !rec.IsArticle {
		return nil, "not an article (home, listing or error page)"
	}
	return rec, ""
}
