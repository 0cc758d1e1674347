package main

import (
	"context"
	"errors"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
)

// recordStore is where a crawl puts its records.
type recordStore interface {
	Put(ctx context.Context, r *extract.Record) (index.PutResult, error)
}

// pipeline is the crawl's page handler: extract each fetched page and store
// the articles. It joins the crawler to the extractor and the index.
type pipeline struct {
	x     extract.Extractor
	store recordStore
}

func (p pipeline) HandlePage(ctx context.Context, pg *crawler.Page) (crawler.Outcome, error) {
	rec, err := p.x.Extract(extract.Input{Body: pg.Body, URL: pg.FinalURL, ContentType: pg.ContentType,
		ContentLanguage: pg.ContentLanguage, FetchedAt: pg.FetchedAt})
	switch {
	case errors.Is(err, extract.ErrTooLarge):
		return crawler.Outcome{Skip: "too large"}, nil
	case errors.Is(err, extract.ErrEmpty):
		return crawler.Outcome{Skip: "empty page"}, nil
	case err != nil:
		return crawler.Outcome{Skip: "not HTML (unreadable bytes)"}, nil
	}
	// An alias (AMP copy, tracking variant) is stored from its canonical page,
	// fetched once, unless that page cannot be crawled.
	if rec.CanonicalURL != "" && !crawler.SamePage(rec.CanonicalURL, pg.FinalURL) && pg.Follow != nil && pg.Follow(rec.CanonicalURL) {
		return crawler.Outcome{Skip: "alias of its canonical URL"}, nil
	}
	if !rec.IsArticle {
		return crawler.Outcome{Skip: "not an article (home, listing or error page)"}, nil
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
