package local

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/single"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	bolt "go.etcd.io/bbolt"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/fold"
	"github.com/presscrawl/presscrawl/record"
)

// maxSegmentDocs bounds the search index's segments (about 60 MB each for
// news articles): a merge reads at most that much, so the pages it touches,
// and memory, stay bounded as the archive grows (bleve's default lets one
// segment reach 5 million documents). A search reads a few more segments.
const maxSegmentDocs = 10000

func scorchConfig() map[string]any {
	return map[string]any{"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": maxSegmentDocs}}
}

// analysisField names, in the document bleve is given, the analysis its
// text gets: "en" or "ar" (stemmed, stop words), or absent (folded: any
// language). Not indexed itself.
const analysisField = "analysis"

// textAnalyzers are the analyzers a record's text can have been indexed
// with: a plain query word is looked for with each.
var textAnalyzers = []string{foldedAnalyzer, en.AnalyzerName, ar.AnalyzerName}

// newMapping is the search index's mapping. Each text field is analyzed
// once, by the record's language (English and Arabic stemmed, every other
// language folded), with no _all copy: the query side tries each analyzer
// (buildQuery), which costs a search little and the indexing of every
// record nothing.
func newMapping() mapping.IndexMapping {
	m := bleve.NewIndexMapping()
	if err := m.AddCustomAnalyzer(foldedAnalyzer, map[string]any{
		"type":          custom.Name,
		"char_filters":  []any{asciifolding.Name}, // Latin diacritics: cafe finds café, Muller finds Müller
		"tokenizer":     unicode.Name,
		"token_filters": []any{lowercase.Name, ar.NormalizeName},
	}); err != nil {
		panic(fmt.Sprintf("analyzer definition: %v", err)) // a programming error, caught by every test
	}
	if err := m.AddCustomAnalyzer(keywordAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     single.Name,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		panic(fmt.Sprintf("analyzer definition: %v", err))
	}
	m.DefaultAnalyzer = foldedAnalyzer
	m.TypeField = analysisField
	m.DefaultMapping = docMapping(foldedAnalyzer)
	m.AddDocumentMapping("en", docMapping(en.AnalyzerName))
	m.AddDocumentMapping("ar", docMapping(ar.AnalyzerName))
	return m
}

// docMapping is the mapping of a record whose text fields take analyzer.
func docMapping(analyzer string) *mapping.DocumentMapping {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true // positions, for "phrase" queries
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	date := func() *mapping.FieldMapping {
		f := bleve.NewDateTimeFieldMapping()
		f.Store = false
		f.IncludeInAll = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.DefaultAnalyzer = analyzer
	for _, name := range []string{"title", "text", "description"} {
		doc.AddFieldMappingsAt(name, text())
	}
	doc.AddFieldMappingsAt("id", kw(true)) // the order of export (search_after)
	for _, name := range []string{"url", "canonical_url", "content_hash", "story_id"} {
		doc.AddFieldMappingsAt(name, kw(false))
	}
	// Where people filter, case does not matter: section:Gulf finds "gulf".
	for _, name := range []string{"site_name", "language", "section", "tags", "authors", "date_source", "wire", "access", "text_source"} {
		f := kw(false)
		f.Analyzer = keywordAnalyzer
		doc.AddFieldMappingsAt(name, f)
	}
	for _, name := range []string{"published_at", "modified_at", "fetched_at"} {
		doc.AddFieldMappingsAt(name, date())
	}
	// versions, of the edited articles only (versions:>1 finds them,
	// -versions:>1 the others); version and first_fetched_at are in the
	// records, not searched: a numeric field costs each record's indexing
	// a dozen terms, measurable on a crawl.
	for _, name := range []string{"word_count", "versions"} {
		n := bleve.NewNumericFieldMapping()
		n.IncludeInAll = false
		n.DocValues = false
		doc.AddFieldMappingsAt(name, n)
	}
	// The facet fields: each record's values as counted (facets.Counter's
	// values: the site name or the host, the publication day), case kept,
	// with doc values, for Counts without reading the records.
	for _, name := range facetFields {
		f := kw(true)
		f.Analyzer = keyword.Name
		doc.AddFieldMappingsAt(name, f)
	}
	ia := bleve.NewBooleanFieldMapping()
	ia.IncludeInAll = false
	ia.DocValues = false
	doc.AddFieldMappingsAt("is_article", ia)
	return doc
}

// searchDoc is what bleve indexes for a record.
func searchDoc(r *record.Record) map[string]any {
	d := map[string]any{
		"id": r.ID, "url": r.URL, "canonical_url": r.CanonicalURL, "title": fold.Digits(r.Title), "text": fold.Digits(r.Text),
		"description": fold.Digits(r.Description), "site_name": r.SiteName, "language": r.Language, "section": r.Section,
		"tags": r.Tags, "authors": r.Authors, "content_hash": r.ContentHash, "date_source": string(r.DateSource),
		"word_count": r.WordCount, "is_article": r.IsArticle, "story_id": r.StoryID, "wire": r.Wire,
	}
	for by, field := range facetFields {
		if vs := facets.Values(by, r); len(vs) > 0 {
			d[field] = vs
		}
	}
	if r.Access != "" {
		d["access"] = string(r.Access)
	}
	if r.TextSource != "" {
		d["text_source"] = string(r.TextSource)
	}
	if r.Language == "en" || r.Language == "ar" {
		d[analysisField] = r.Language
	}
	if r.Versions > 1 {
		d["versions"] = r.Versions
	}
	if r.PublishedAt != nil {
		d["published_at"] = r.PublishedAt.Time
	}
	if r.ModifiedAt != nil {
		d["modified_at"] = r.ModifiedAt.Time
	}
	if r.FetchedAt != nil {
		d["fetched_at"] = *r.FetchedAt
	}
	return d
}

// batcher feeds the search index in batches; the records are already safe.
// Two writes of one id (an alias page's record, then its canonical page's)
// can reach the queue in either order: an id queued twice within two
// flushes is indexed as records.db holds it at the flush, the truth; the
// others as Put was given them (no read back, no decoding).
func (l *Index) batcher() {
	defer close(l.flushed)
	pending := map[string]*record.Record{}
	twice := map[string]bool{}
	previous := map[string]bool{} // the ids of the last flush
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	flush := func() {
		if len(pending) == 0 {
			return
		}
		if err := l.indexBatch(pending, twice); err != nil {
			l.setErr(fmt.Errorf("search index: %w", err))
		}
		clear(previous)
		for id := range pending {
			previous[id] = true
		}
		clear(pending)
		clear(twice)
	}
	for {
		select {
		case r, ok := <-l.queue:
			if !ok {
				flush()
				return
			}
			if _, seen := pending[r.ID]; seen || previous[r.ID] {
				twice[r.ID] = true
			}
			pending[r.ID] = r
			// 500 documents a batch: fewer, larger segments for scorch to
			// merge (10,000-page crawl 14% faster than at 200, for 66 MB
			// more peak RSS; see docs/crawl.md, Measuring crawls).
			if len(pending) >= 500 {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// indexBatch indexes the records of a flush, those written twice as
// records.db holds them.
func (l *Index) indexBatch(recs map[string]*record.Record, reread map[string]bool) error {
	batch := l.search.NewBatch()
	err := l.st.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		for id, r := range recs {
			if reread[id] {
				v := b.Get([]byte(id))
				if v == nil {
					batch.Delete(id)
					continue
				}
				r = new(record.Record)
				if err := json.Unmarshal(v, r); err != nil {
					return fmt.Errorf("record %s: %w", id, err)
				}
			}
			if err := batch.Index(id, searchDoc(r)); err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return l.batch(batch)
}

// batch applies a batch to the search index. bleve v2.6.3 can panic inside
// Batch after its files failed to write (disk full: "assignment to entry in
// nil map" in zapx's inverted index cache); the records are safe in
// records.db and the search index is reconciled from them on the next
// open, so the panic becomes this error instead of a crash.
func (l *Index) batch(b *bleve.Batch) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("failed (%v); it is rebuilt from the records when the data dir is opened again", p)
		}
	}()
	return l.search.Batch(b)
}

func (l *Index) setErr(err error) {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.err == nil {
		l.err = err
	}
}

// reconcile indexes any stored record the search index lacks, or every
// record when a crawl wrote records without it (OpenRecords).
func (l *Index) reconcile() error {
	var stale bool
	if err := l.st.view(func(tx *bolt.Tx) error { stale = tx.Bucket(metaBucket).Get(staleKey) != nil; return nil }); err != nil {
		return fmt.Errorf("read data dir state: %w", err)
	}
	n, err := l.Count()
	if err != nil {
		return err
	}
	indexed, err := l.search.DocCount()
	if err != nil {
		return fmt.Errorf("search index count: %w", err)
	}
	if indexed == n && !stale {
		return nil
	}
	batch := l.search.NewBatch()
	err = l.All(context.Background(), func(r *record.Record) error {
		if !stale {
			if d, _ := l.search.Document(r.ID); d != nil {
				return nil
			}
		}
		if err := batch.Index(r.ID, searchDoc(r)); err != nil {
			return err
		}
		if batch.Size() >= 500 {
			if err := l.search.Batch(batch); err != nil {
				return err
			}
			batch.Reset()
		}
		return nil
	})
	if err == nil && batch.Size() > 0 {
		err = l.search.Batch(batch)
	}
	if err != nil {
		return fmt.Errorf("bring search index up to date: %w", err)
	}
	if stale {
		if err := l.st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Delete(staleKey) }); err != nil {
			return fmt.Errorf("record the search index up to date: %w", err)
		}
	}
	return nil
}

// openSearch opens the search index, a panic of a damaged one as an error.
func openSearch(path string) (idx bleve.Index, err error) { return openSearchWith(path, nil) }

// openSearchWith is openSearch with more of bleve's run-time settings
// ("read_only").
func openSearchWith(path string, extra map[string]any) (idx bleve.Index, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	cfg := scorchConfig()
	for k, v := range extra {
		cfg[k] = v
	}
	return bleve.OpenUsing(path, cfg)
}

// Search runs a query-string query (bleve syntax: words, "phrases", +must,
// -not, field:value, published_at:>"2020-01-01") and returns the best hits
// first, with the total number of matches.
func (l *Index) Search(ctx context.Context, query string, limit int) ([]index.Hit, uint64, error) {
	return l.SearchWith(ctx, query, index.SearchOptions{Limit: limit})
}

// SearchWith is Search with paging, an order and a date range.
func (l *Index) SearchWith(ctx context.Context, query string, o index.SearchOptions) ([]index.Hit, uint64, error) {
	if err := o.Check(); err != nil {
		return nil, 0, err
	}
	query = o.Query(query)
	q, err := buildQuery(query)
	if err != nil { // bleve would answer a syntax error with no hits
		return nil, 0, fmt.Errorf("query %s: %w: %v", index.ShowQuery(query), index.ErrBadQuery, err)
	}
	req := bleve.NewSearchRequestOptions(q, o.Limit, o.Offset, false)
	switch o.Sort {
	case "date":
		req.SortBy([]string{"published_at", "id"})
	case "-date":
		req.SortBy([]string{"-published_at", "id"})
	}
	res, err := l.search.SearchInContext(ctx, req)
	if err != nil {
		return nil, 0, fmt.Errorf("search %q: %w: %v", query, index.ErrBadQuery, err)
	}
	hits := make([]index.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		r, err := l.st.get(h.ID)
		if err != nil {
			return nil, 0, err
		}
		if r != nil {
			hits = append(hits, index.Hit{Record: r, Score: h.Score})
		}
	}
	return hits, res.Total, nil
}

// EachMatch calls fn for every record a query finds, in id order, a page
// of 1,000 at a time (bleve's search_after): memory does not grow with the
// number of matches.
func (l *Index) EachMatch(ctx context.Context, query string, fn func(*record.Record) error) error {
	q, err := buildQuery(query)
	if err != nil {
		return fmt.Errorf("query %s: %w: %v", index.ShowQuery(query), index.ErrBadQuery, err)
	}
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := l.search.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("search %q: %w: %v", query, index.ErrBadQuery, err)
		}
		if len(res.Hits) == 0 {
			return nil
		}
		for _, h := range res.Hits {
			r, err := l.st.get(h.ID)
			if err != nil {
				return err
			}
			if r != nil {
				if err := fn(r); err != nil {
					return err
				}
			}
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}
