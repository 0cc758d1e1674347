package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

// facetShown is a facet of the search page: the count by (facets.Fields)
// and the field a click filters on.
type facetShown struct {
	By, Field, Label string
	Top              int
}

var facetsShown = []facetShown{
	{"site", "site_name", "Site", 10}, {"language", "language", "Language", 10}, {"section", "section", "Section", 10},
	{"author", "authors", "Author", 10}, {"wire", "wire", "Wire agency", 10}, {"story", "story_id", "Story (same text on several sites)", 8},
}

type facetValue struct {
	Label  string
	Count  int
	Link   string
	Active bool
	Dir    string
}

type facetView struct {
	Label  string
	Values []facetValue
}

type hitView struct {
	ID, Title, URL, Site, Date, Lang, Dir string
	Snippet                               template.HTML
	Versions                              int
}

type chip struct{ Clause, Remove string }

type searchView struct {
	Page       page
	P          params
	Error      string
	Total      uint64
	Hits       []hitView
	Facets     []facetView
	Hist       *histogram
	Intervals  map[string]string
	Filters    []chip
	Prev, Next string
	From, To   int
	Sorts      []sortChoice
	CSV, JSONL string
	Elapsed    string
}

type sortChoice struct {
	Value, Label string
	Selected     bool
}

// searchPage is the search page: the form, the facets, the histogram and a
// page of results; a query the index cannot read is shown, with the form.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	t0 := time.Now()
	v := searchView{Page: s.page("Search")}
	p, err := parseParams(r.URL.Query(), pageSize)
	if p.Sort == "" {
		p.Sort = "relevance"
	}
	v.P = p
	for _, c := range [][2]string{{"relevance", "best first"}, {"-date", "newest first"}, {"date", "oldest first"}} {
		v.Sorts = append(v.Sorts, sortChoice{c[0], c[1], c[0] == p.Sort})
	}
	status := http.StatusOK
	if err == nil {
		err = s.fillSearch(r.Context(), &v, p)
	}
	if err != nil {
		status = statusOf(err)
		v.Error = err.Error()
	}
	v.Elapsed = time.Since(t0).Round(time.Millisecond).String()
	s.render(w, status, "search", v)
}

// fillSearch runs the page's reads, side by side: the hits, every facet
// and the histogram.
func (s *Server) fillSearch(ctx context.Context, v *searchView, p params) error {
	q, o := p.query(), p.options()
	dated := o.Query(q) // the histogram and facets count within the days asked
	var (
		wg      sync.WaitGroup
		hits    []index.Hit
		err     error
		fresh   *facetEntry
		freshEr error
	)
	cached := s.cache.get(dated)
	wg.Go(func() { hits, v.Total, err = s.o.Reader.SearchWith(ctx, q, o) })
	if cached == nil {
		wg.Go(func() { fresh, freshEr = s.countFacets(ctx, dated) })
	}
	wg.Wait()
	if err != nil {
		return err
	}
	if cached != nil && cached.total != v.Total { // the index changed since
		cached = nil
		fresh, freshEr = s.countFacets(ctx, dated)
	}
	if cached == nil {
		if freshEr != nil {
			return freshEr
		}
		fresh.total = v.Total
		s.cache.put(dated, fresh)
		cached = fresh
	}
	counts := make([][]facets.Count, len(facetsShown))
	for i, f := range facetsShown {
		counts[i] = cached.counts[f.By]
	}
	days, edited := cached.counts["day"], cached.edited
	re := matcher(queryWords(p.Q))
	for _, h := range hits {
		v.Hits = append(v.Hits, hitOf(h.Record, re))
	}
	active := map[string]bool{}
	for _, f := range p.Filters {
		active[f] = true
		v.Filters = append(v.Filters, chip{f, p.with(func(c *params) { c.Filters = without(c.Filters, f) }).link()})
	}
	for i, f := range facetsShown {
		fv := facetView{Label: f.Label}
		for _, c := range counts[i] {
			if c.Value == facets.NoValue {
				continue
			}
			clause := filterFor(f.Field, c.Value)
			label := c.Value
			if f.By == "story" {
				if c.Count < 2 {
					continue // a story of one record is no story
				}
				label = fmt.Sprintf("%s (%d sites)", c.Title, c.Sites)
			}
			link := p.with(func(c *params) { c.Filters = append(c.Filters, clause) }).link()
			if active[clause] {
				link = p.with(func(c *params) { c.Filters = without(c.Filters, clause) }).link()
			}
			fv.Values = append(fv.Values, facetValue{Label: label, Count: c.Count, Link: link, Active: active[clause], Dir: "auto"})
		}
		if len(fv.Values) > 0 {
			v.Facets = append(v.Facets, fv)
		}
	}
	if edited > 0 {
		fv := facetView{Label: "Edited after publication"}
		for _, e := range []struct {
			clause, label string
			n             uint64
		}{{"versions:>1", "edited (several versions kept)", edited}, {"-versions:>1", "never edited", v.Total - min(edited, v.Total)}} {
			link := p.with(func(c *params) { c.Filters = append(without(c.Filters, "-versions:>1", "versions:>1"), e.clause) }).link()
			fv.Values = append(fv.Values, facetValue{Label: e.label, Count: int(e.n), Link: link, Active: active[e.clause], Dir: "ltr"})
		}
		v.Facets = append(v.Facets, fv)
	}
	v.Hist = newHistogram(days, p.Interval, func(since, until string) string {
		return p.with(func(c *params) { c.Since, c.Until = since, until }).link()
	})
	v.Intervals = map[string]string{}
	for _, iv := range []string{"day", "week", "month"} {
		if iv != v.Hist.Interval {
			v.Intervals[iv] = p.with(func(c *params) { c.Interval = iv }).link()
		}
	}
	if p.Offset > 0 {
		v.Prev = p.with(func(c *params) { c.Offset = max(p.Offset-p.Limit, 0) }).link()
	}
	if uint64(p.Offset+len(hits)) < v.Total {
		v.Next = p.with(func(c *params) { c.Offset = p.Offset + p.Limit }).link()
	}
	v.From, v.To = p.Offset+1, p.Offset+len(hits)
	ev := p.values()
	ev.Del("offset")
	ev.Del("interval")
	ev.Set("format", "csv")
	v.CSV = "/export?" + ev.Encode()
	ev.Set("format", "jsonl")
	v.JSONL = "/export?" + ev.Encode()
	return nil
}

// countFacets counts the page's facets and histogram of the records a
// query finds, and the edited ones among them.
func (s *Server) countFacets(ctx context.Context, query string) (*facetEntry, error) {
	tops := map[string]int{"day": 0}
	for _, f := range facetsShown {
		tops[f.By] = f.Top
	}
	e := &facetEntry{}
	var wg sync.WaitGroup
	var err error
	wg.Go(func() { e.counts, _, err = CountEach(ctx, s.o.Reader, tops, query) })
	wg.Go(func() {
		if _, n, err := s.o.Reader.SearchWith(ctx, query+" +versions:>1", index.SearchOptions{Limit: 1}); err == nil {
			e.edited = n
		}
	})
	wg.Wait()
	return e, err
}

// facetEntry is a search's facets as counted.
type facetEntry struct {
	at     time.Time
	total  uint64 // the records the search found then
	counts map[string][]facets.Count
	edited uint64
}

// facetCache keeps the facets of recent searches for a minute: paging
// through the results, going back, the first page of everyone count them
// once. An entry is used only while the search finds as many records as
// when it was counted (a crawl adding records makes it count again).
type facetCache struct {
	mu    sync.Mutex
	m     map[string]*facetEntry
	order []string
}

const (
	facetTTL     = time.Minute
	facetEntries = 128
)

func (c *facetCache) get(q string) *facetEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[q]; e != nil && time.Since(e.at) < facetTTL {
		return e
	}
	return nil
}

func (c *facetCache) put(q string, e *facetEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*facetEntry{}
	}
	e.at = time.Now()
	if _, ok := c.m[q]; !ok {
		c.order = append(c.order, q)
	}
	c.m[q] = e
	for len(c.order) > facetEntries {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
}

// eachCounter is a Reader that counts by several fields in one pass over
// the records (the local index: one search for every facet).
type eachCounter interface {
	CountsEach(ctx context.Context, tops map[string]int, query string) (map[string][]facets.Count, int, error)
}

// CountEach counts by several fields: in one pass when the reader can
// (CountsEach), else field by field, side by side.
func CountEach(ctx context.Context, r index.Reader, tops map[string]int, query string) (map[string][]facets.Count, int, error) {
	if ec, ok := r.(eachCounter); ok {
		return ec.CountsEach(ctx, tops, query)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		out  = map[string][]facets.Count{}
		n    int
		errs []error
	)
	for by, top := range tops {
		wg.Go(func() {
			c, records, err := r.Counts(ctx, by, query, top)
			mu.Lock()
			defer mu.Unlock()
			out[by], n = c, records
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return out, n, errors.Join(errs...)
}

func without(list []string, drop ...string) []string {
	var out []string
	for _, s := range list {
		keep := true
		for _, d := range drop {
			keep = keep && s != d
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

func hitOf(r *record.Record, re *regexp.Regexp) hitView {
	h := hitView{ID: r.ID, Title: r.Title, URL: r.URL, Site: siteName(r), Lang: r.Language, Dir: direction(r.Language), Versions: r.Versions}
	if h.Title == "" {
		h.Title = r.URL
	}
	if r.PublishedAt != nil {
		h.Date = r.PublishedAt.Time.Format("2006-01-02")
	}
	text := r.Text
	if text == "" {
		text = r.Description
	}
	h.Snippet = snippet(text, re)
	return h
}

// siteName is the record's site, or its host.
func siteName(r *record.Record) string {
	if vs := facets.Values("site", r); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// searchHit is a hit as /api/search gives it.
type searchHit struct {
	ID      string         `json:"id"`
	Score   float64        `json:"score"`
	Snippet string         `json:"snippet"`
	Record  *record.Record `json:"record"`
}

// apiSearch is /api/search: a page of hits, with the total, as JSON.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r.URL.Query(), pageSize)
	if err != nil {
		apiError(w, statusOf(err), err)
		return
	}
	hits, total, err := s.o.Reader.SearchWith(r.Context(), p.query(), p.options())
	if err != nil {
		apiError(w, statusOf(err), err)
		return
	}
	re := matcher(queryWords(p.Q))
	out := make([]searchHit, len(hits))
	for i, h := range hits {
		text := h.Record.Text
		if text == "" {
			text = h.Record.Description
		}
		out[i] = searchHit{ID: h.Record.ID, Score: h.Score, Snippet: plainSnippet(text, re), Record: h.Record}
	}
	writeJSON(w, map[string]any{"query": p.query(), "total": total, "offset": p.Offset, "limit": p.Limit, "hits": out})
}

// apiStats is /api/stats: the counts of the records a query finds by a
// field, as JSON.
func (s *Server) apiStats(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	by := v.Get("by")
	if by == "" {
		by = "site"
	}
	if _, err := facets.New(by); err != nil {
		apiError(w, http.StatusBadRequest, fmt.Errorf("by: %w", err))
		return
	}
	top := 0
	if t := v.Get("top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			apiError(w, http.StatusBadRequest, fmt.Errorf("top %q: 0 (all) or more", t))
			return
		}
		top = n
	}
	p, err := parseParams(v, 1)
	if err != nil {
		apiError(w, statusOf(err), err)
		return
	}
	q := p.options().Query(p.query())
	counts, records, err := s.o.Reader.Counts(r.Context(), by, q, top)
	if err != nil {
		apiError(w, statusOf(err), err)
		return
	}
	if counts == nil {
		counts = []facets.Count{}
	}
	writeJSON(w, map[string]any{"by": by, "query": q, "records": records, "counts": counts})
}

// export is the current search's records as a file: CSV (with a BOM and
// formulas neutralised: for spreadsheets), TSV or JSON Lines.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	p, err := parseParams(r.URL.Query(), 1)
	format := r.URL.Query().Get("format")
	if err == nil && format != "csv" && format != "tsv" && format != "jsonl" {
		err = fmt.Errorf("%w: format %q: csv, tsv or jsonl", errBadRequest, format)
	}
	if err != nil {
		s.errorPage(w, r, statusOf(err), err)
		return
	}
	q := p.options().Query(p.query())
	// an export outlives the request timeout: it streams
	ctx := context.WithoutCancel(r.Context())
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	stop := context.AfterFunc(r.Context(), func() {
		if errors.Is(r.Context().Err(), context.Canceled) { // the client went away
			cancel()
		}
	})
	defer stop()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Hour))
	types := map[string]string{"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}
	w.Header().Set("Content-Type", types[format])
	w.Header().Set("Content-Disposition", `attachment; filename="presscrawl-export.`+format+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	if format == "csv" {
		bw.WriteString("\uFEFF")
	}
	write, err := index.RecordWriter(bw, format, nil, format != "jsonl")
	if err == nil {
		err = s.o.Reader.Each(ctx, q, write)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		// the header is gone: the end of the file says it
		fmt.Fprintf(bw, "\n# export stopped: %v\n", err)
		bw.Flush()
	}
}
