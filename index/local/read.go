package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

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

// facetFields are the search index's facet fields, by the facets field
// whose values (facets.Values) each holds; month and year count days.
var facetFields = map[string]string{"site": "f_site", "language": "f_language", "author": "f_author",
	"section": "f_section", "tag": "f_tag", "day": "f_day", "story": "f_story", "wire": "f_wire", "access": "f_access"}

// facetField is the facet field a count by reads.
func facetField(by string) string {
	if by == "month" || by == "year" {
		by = "day"
	}
	return facetFields[by]
}

// Counts implements index.Reader: the records a query finds counted by a
// field, from the search index's facet fields (doc values: no record is
// read; 100,000 records in tens of milliseconds where reading them took
// seconds), the titles of the largest stories from their records.
func (l *Index) Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error) {
	counter, err := facets.New(by)
	if err != nil {
		return nil, 0, err
	}
	q, err := buildQuery(query)
	if err != nil {
		return nil, 0, fmt.Errorf("query %s: %w: %v", index.ShowQuery(query), index.ErrBadQuery, err)
	}
	counts, missing, total, err := l.facet(ctx, facetField(by), q)
	if err != nil {
		return nil, 0, fmt.Errorf("count %q: %w", query, err)
	}
	if by == "story" {
		// the stories shown: each one's first title and its sites
		slices.SortFunc(counts, func(a, b search.TermFacet) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Term, b.Term)) })
		if top > 0 && len(counts) > top {
			counts = counts[:top]
		}
		for _, c := range counts {
			title, sites, err := l.story(ctx, c.Term, q)
			if err != nil {
				return nil, 0, err
			}
			counter.AddStory(c.Term, c.Count, title, sites)
		}
	} else {
		for _, c := range counts {
			counter.AddCount(c.Term, c.Count)
		}
	}
	counter.AddCount(facets.NoValue, missing)
	return counter.Counts(top), total, nil
}

// maxFacetTerms bounds the values one count returns (every author of an
// archive is far fewer).
const maxFacetTerms = 1 << 20

// facet counts the values of a facet field among the records a query
// finds: every value, the records holding none, and the records found.
func (l *Index) facet(ctx context.Context, field string, q query.Query) ([]search.TermFacet, int, int, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.AddFacet("f", bleve.NewFacetRequest(field, maxFacetTerms))
	res, err := l.search.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%w: %v", index.ErrBadQuery, err)
	}
	f := res.Facets["f"]
	if f == nil {
		return nil, int(res.Total), int(res.Total), nil
	}
	var out []search.TermFacet
	if f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			out = append(out, *t)
		}
	}
	return out, f.Missing, int(res.Total), nil
}

var errFound = errors.New("found")

// story is a story's first title (its own record's: the story id is its
// first record's id) and the number of sites that ran it among the records
// q finds.
func (l *Index) story(ctx context.Context, id string, q query.Query) (string, int, error) {
	of := facetFields["story"] + `:"` + id + `"`
	member := bleve.NewTermQuery(id)
	member.SetField(facetFields["story"])
	sites, _, _, err := l.facet(ctx, facetFields["site"], bleve.NewConjunctionQuery(q, member))
	if err != nil {
		return "", 0, err
	}
	r, err := l.st.get(id)
	if err != nil {
		return "", 0, err
	}
	if r == nil { // its first record gone: the first in id order, as a scan counts
		title := ""
		err := l.EachMatch(ctx, of, func(first *record.Record) error { title = first.Title; return errFound })
		if err != nil && !errors.Is(err, errFound) {
			return "", 0, err
		}
		return title, len(sites), nil
	}
	return r.Title, len(sites), nil
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
