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
	counts, n, err := l.CountsEach(ctx, map[string]int{by: top}, query)
	return counts[by], n, err
}

// CountsEach is Counts by several fields at once (tops: each field's top),
// in one pass over the records the query finds: the search page's facets.
func (l *Index) CountsEach(ctx context.Context, tops map[string]int, query string) (map[string][]facets.Count, int, error) {
	counters := map[string]*facets.Counter{}
	for by := range tops {
		c, err := facets.New(by)
		if err != nil {
			return nil, 0, err
		}
		counters[by] = c
	}
	q, err := buildQuery(query)
	if err != nil {
		return nil, 0, fmt.Errorf("query %s: %w: %v", index.ShowQuery(query), index.ErrBadQuery, err)
	}
	fields := map[string]string{}
	for by := range tops {
		fields[by] = facetField(by)
	}
	results, total, err := l.facets(ctx, fields, q)
	if err != nil {
		return nil, 0, fmt.Errorf("count %q: %w", query, err)
	}
	out := map[string][]facets.Count{}
	for by, top := range tops {
		counter, res := counters[by], results[by]
		counts := res.terms
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
		counter.AddCount(facets.NoValue, res.missing)
		out[by] = counter.Counts(top)
	}
	return out, total, nil
}

// maxFacetTerms bounds the values one count returns (every author of an
// archive is far fewer).
const maxFacetTerms = 1 << 20

// facetResult is one field's values among the records a query finds,
// and the number of records holding none.
type facetResult struct {
	terms   []search.TermFacet
	missing int
}

// facets counts the values of facet fields (by name) among the records q
// finds, in one search, with the number of records found.
func (l *Index) facets(ctx context.Context, fields map[string]string, q query.Query) (map[string]facetResult, int, error) {
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	for name, field := range fields {
		req.AddFacet(name, bleve.NewFacetRequest(field, maxFacetTerms))
	}
	res, err := l.search.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", index.ErrBadQuery, err)
	}
	out := map[string]facetResult{}
	for name := range fields {
		f := res.Facets[name]
		if f == nil {
			continue
		}
		var r facetResult
		if f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				r.terms = append(r.terms, *t)
			}
		}
		r.missing = f.Missing
		out[name] = r
	}
	return out, int(res.Total), nil
}

var errFound = errors.New("found")

// story is a story's first title (its own record's: the story id is its
// first record's id) and the number of sites that ran it among the records
// q finds.
func (l *Index) story(ctx context.Context, id string, q query.Query) (string, int, error) {
	of := facetFields["story"] + `:"` + id + `"`
	member := bleve.NewTermQuery(id)
	member.SetField(facetFields["story"])
	res, _, err := l.facets(ctx, map[string]string{"site": facetFields["site"]}, bleve.NewConjunctionQuery(q, member))
	if err != nil {
		return "", 0, err
	}
	sites := res["site"].terms
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
