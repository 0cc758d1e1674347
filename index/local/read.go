package local

import (
	"context"
	"errors"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

var (
	_ index.Reader = (*Index)(nil)
	_ index.Reader = (*Records)(nil)
)

// ErrNoSearch is a query asked of a data dir opened without its search
// index (OpenRecords): a crawl whose search is the archive.
var ErrNoSearch = errors.New("this crawl keeps its search in the archive: search it with --index elasticsearch, or the data dir after the crawl")

// Each implements index.Reader: every record in id order, or, with a
// query, those it finds, streamed in id order (EachMatch).
func (l *Index) Each(ctx context.Context, query string, fn func(*record.Record) error) error {
	if query == "" {
		return l.All(ctx, fn)
	}
	return l.EachMatch(ctx, query, fn)
}

// Counts implements index.Reader: the records a query finds counted by a
// field, as they stream by.
func (l *Index) Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error) {
	return countBy(ctx, l.Each, by, query, top)
}

// Each implements index.Reader for the records alone: every record in id
// order; a query needs the search index (ErrNoSearch).
func (l *Records) Each(ctx context.Context, query string, fn func(*record.Record) error) error {
	if query != "" {
		return ErrNoSearch
	}
	return l.All(ctx, fn)
}

// SearchWith implements index.Reader for the records alone: ErrNoSearch.
func (l *Records) SearchWith(context.Context, string, index.SearchOptions) ([]index.Hit, uint64, error) {
	return nil, 0, ErrNoSearch
}

// Counts implements index.Reader for the records alone: every record
// counted by a field; a query needs the search index (ErrNoSearch).
func (l *Records) Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error) {
	return countBy(ctx, l.Each, by, query, top)
}

// countBy counts by a field the records each gives.
func countBy(ctx context.Context, each func(context.Context, string, func(*record.Record) error) error, by, query string, top int) ([]facets.Count, int, error) {
	counter, err := facets.New(by)
	if err != nil {
		return nil, 0, err
	}
	if err := each(ctx, query, func(r *record.Record) error { counter.Add(r); return nil }); err != nil {
		return nil, 0, err
	}
	return counter.Counts(top), counter.Records(), nil
}
