package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

var _ index.ReadCloser = (*Client)(nil)

// queryFields are the fields a plain word is looked for in: the folded
// fields (any language) and the stemmed copies (English, Arabic).
var queryFields = []string{"title^2", "description", "text", "text_en", "text_ar"}

// quotedRange is a range on a field with a quoted bound, as the local
// index's syntax writes it (published_at:>="2020-10-01"); query_string
// wants the bound bare.
var quotedRange = regexp.MustCompile(`([\w.]+):(>=|<=|>|<)"([^"\s]*)"`)

// namedField is a filter on a field kept as written (for charts), whose
// lower-cased .lower subfield is the one to filter on.
var namedField = regexp.MustCompile(`(^|[\s+\-(])(site_name|authors):`)

// checkQuery refuses a query past index.CheckQuery's bounds, as the local
// index does.
func checkQuery(q string) error {
	if err := index.CheckQuery(q); err != nil {
		return fmt.Errorf("query %s: %w: %v", index.ShowQuery(q), index.ErrBadQuery, err)
	}
	return nil
}

// stringQuery is the query for the search syntax presscrawl shares with the
// local index: words (all required unless OR is used), "phrases", AND, OR,
// NOT, +must, -not, field:value, published_at:>=2020-10-01.
func stringQuery(q string) map[string]any {
	q = quotedRange.ReplaceAllString(strings.TrimSpace(q), "$1:$2$3")
	q = namedField.ReplaceAllString(q, "$1$2.lower:") // filters ignore case, as on the local index
	if q == "" {
		return map[string]any{"match_all": map[string]any{}}
	}
	op := "AND"
	for _, w := range strings.Fields(q) {
		if w == "OR" {
			op = "OR"
		}
	}
	qs := map[string]any{
		"query": q, "fields": queryFields, "default_operator": op, "lenient": true,
		"analyze_wildcard": false, "allow_leading_wildcard": false,
	}
	if op == "OR" {
		// one of the alternatives at least, beside the required terms too
		// (as on the local index): a OR b +language:ar is (a OR b) in Arabic
		qs["minimum_should_match"] = "1"
	}
	return map[string]any{"query_string": qs}
}

type searchHits struct {
	Total struct {
		Value    int64  `json:"value"`
		Relation string `json:"relation"`
	} `json:"total"`
	Hits []struct {
		ID     string          `json:"_id"`
		Score  *float64        `json:"_score"`
		Source json.RawMessage `json:"_source"`
		Sort   []any           `json:"sort"`
	} `json:"hits"`
}

// search posts a search body to the alias (or, with a point in time, to
// no index).
func (c *Client) search(ctx context.Context, body map[string]any, pit bool, out any, what string) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		opts := []func(*esapi.SearchRequest){c.api.Search.WithBody(bytes.NewReader(b)), c.api.Search.WithContext(ctx)}
		if !pit {
			opts = append(opts, c.api.Search.WithIndex(c.cfg.Index))
		}
		return c.api.Search(opts...)
	}
	return c.do(ctx, call, out, what)
}

// Search finds the best records for a query, like the local index's Search.
func (c *Client) Search(ctx context.Context, query string, limit int) ([]index.Hit, uint64, error) {
	return c.SearchWith(ctx, query, index.SearchOptions{Limit: limit})
}

// SearchWith is Search with paging, an order and a date range, like
// the local index's SearchWith.
func (c *Client) SearchWith(ctx context.Context, query string, o index.SearchOptions) ([]index.Hit, uint64, error) {
	if err := o.Check(); err != nil {
		return nil, 0, err
	}
	if err := checkQuery(query); err != nil {
		return nil, 0, err
	}
	var out struct {
		Hits searchHits `json:"hits"`
	}
	body := map[string]any{"query": stringQuery(o.Query(query)), "size": o.Limit, "from": o.Offset, "track_total_hits": true}
	switch o.Sort {
	case "", "relevance":
	case "date", "-date":
		order := "asc"
		if o.Sort == "-date" {
			order = "desc"
		}
		body["sort"] = []any{map[string]any{"published_at": map[string]any{"order": order, "missing": "_last"}}, map[string]any{"id": "asc"}}
	}
	if err := c.search(ctx, body, false, &out, fmt.Sprintf("search %q", query)); err != nil {
		if statusOf(err) == http.StatusBadRequest {
			return nil, 0, fmt.Errorf("%w: %w", index.ErrBadQuery, err)
		}
		return nil, 0, err
	}
	hits := make([]index.Hit, 0, len(out.Hits.Hits))
	for _, h := range out.Hits.Hits {
		r := new(record.Record)
		if err := json.Unmarshal(h.Source, r); err != nil {
			return nil, 0, fmt.Errorf("document %s: %w", h.ID, err)
		}
		var score float64
		if h.Score != nil {
			score = *h.Score
		}
		hits = append(hits, index.Hit{Record: r, Score: score})
	}
	return hits, uint64(out.Hits.Total.Value), nil
}

// facetField is the archive's field of each facets field: days, months and
// years are all counted from published_day, the page's own calendar day.
var facetField = map[string]string{
	"site": "site_name", "language": "language", "author": "authors", "section": "section", "tag": "tags",
	"day": "published_day", "month": "published_day", "year": "published_day",
	"story": "story_id", "wire": "wire", "access": "access",
}

// compositePage is the values one composite aggregation request returns.
var compositePage = 1000

// Counts counts the records a query finds (all for "") by one of
// facets.Fields with a terms aggregation (and a missing one for (none)),
// in the same order as facets.Counter. Dates are counted by the day the
// page gives, in its own time zone, as the local index counts them (a
// date_histogram would move each to one time zone).
func (c *Client) Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error) {
	counter, err := facets.New(by)
	if err != nil {
		return nil, 0, err
	}
	if err := checkQuery(query); err != nil {
		return nil, 0, err
	}
	field := facetField[by]
	if top <= 0 || field == "published_day" {
		// every value: paged with a composite aggregation, which no
		// search.max_buckets (65,536 on Elasticsearch 8, 65,535 on
		// OpenSearch) refuses however many authors the archive holds
		return c.countsAll(ctx, counter, by, field, query, top)
	}
	size := top
	terms := map[string]any{"terms": map[string]any{"field": field, "size": size,
		"order": []any{map[string]any{"_count": "desc"}, map[string]any{"_key": "asc"}}}}
	if by == "story" {
		// each story's first title (its earliest record) and how many sites ran it
		terms["aggs"] = map[string]any{
			"first": map[string]any{"top_hits": map[string]any{"size": 1, "_source": []string{"title"},
				"sort": []any{map[string]any{"fetched_at": map[string]any{"order": "asc", "unmapped_type": "date"}}}}},
			"sites": map[string]any{"cardinality": map[string]any{"field": "site_name"}},
		}
	}
	body := map[string]any{"size": 0, "track_total_hits": true, "query": stringQuery(query), "aggs": map[string]any{
		"values": terms,
		"none":   map[string]any{"missing": map[string]any{"field": field}},
	}}
	var out struct {
		Hits         searchHits `json:"hits"`
		Aggregations struct {
			Values struct {
				Buckets []struct {
					Key      any   `json:"key"`
					DocCount int64 `json:"doc_count"`
					First    struct {
						Hits struct {
							Hits []struct {
								Source struct {
									Title string `json:"title"`
								} `json:"_source"`
							} `json:"hits"`
						} `json:"hits"`
					} `json:"first"`
					Sites struct {
						Value int `json:"value"`
					} `json:"sites"`
				} `json:"buckets"`
			} `json:"values"`
			None struct {
				DocCount int64 `json:"doc_count"`
			} `json:"none"`
		} `json:"aggregations"`
	}
	if err := c.search(ctx, body, false, &out, "count by "+by); err != nil {
		return nil, 0, err
	}
	for _, b := range out.Aggregations.Values.Buckets {
		if by == "story" {
			title := ""
			if h := b.First.Hits.Hits; len(h) > 0 {
				title = h[0].Source.Title
			}
			counter.AddStory(fmt.Sprint(b.Key), int(b.DocCount), title, b.Sites.Value)
			continue
		}
		counter.AddCount(fmt.Sprint(b.Key), int(b.DocCount))
	}
	counter.AddCount(facets.NoValue, int(out.Aggregations.None.DocCount))
	return counter.Counts(top), int(out.Hits.Total.Value), nil
}

// Each calls fn for every record a query finds (all for ""), in id order,
// reading through a point in time with search_after: a consistent view
// however long the export takes, in pages of 1,000.
func (c *Client) Each(ctx context.Context, query string, fn func(*record.Record) error) error {
	if err := checkQuery(query); err != nil {
		return err
	}
	pit, err := c.openPIT(ctx)
	if err != nil {
		return err
	}
	defer c.closePIT(context.WithoutCancel(ctx), pit)
	var after []any
	for {
		body := map[string]any{"size": 1000, "query": stringQuery(query), "sort": []any{map[string]any{"id": "asc"}},
			"pit": map[string]any{"id": pit, "keep_alive": "5m"}, "track_total_hits": false}
		if after != nil {
			body["search_after"] = after
		}
		var out struct {
			PitID string     `json:"pit_id"`
			Hits  searchHits `json:"hits"`
		}
		if err := c.search(ctx, body, true, &out, "export "+c.cfg.Index); err != nil {
			return err
		}
		if out.PitID != "" {
			pit = out.PitID
		}
		if len(out.Hits.Hits) == 0 {
			return nil
		}
		for _, h := range out.Hits.Hits {
			r := new(record.Record)
			if err := json.Unmarshal(h.Source, r); err != nil {
				return fmt.Errorf("document %s: %w", h.ID, err)
			}
			if err := fn(r); err != nil {
				return err
			}
		}
		after = out.Hits.Hits[len(out.Hits.Hits)-1].Sort
	}
}

// openPIT opens a point in time on the alias: Elasticsearch's _pit, or
// OpenSearch's _search/point_in_time.
func (c *Client) openPIT(ctx context.Context) (string, error) {
	var out struct {
		ID    string `json:"id"`
		PitID string `json:"pit_id"`
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		if c.Server.Distribution == "opensearch" {
			return c.raw(ctx, http.MethodPost, "/"+c.cfg.Index+"/_search/point_in_time?keep_alive=5m", nil)
		}
		return c.api.OpenPointInTime([]string{c.cfg.Index}, "5m", c.api.OpenPointInTime.WithContext(ctx))
	}
	if err := c.do(ctx, call, &out, "open a point in time on "+c.cfg.Index); err != nil {
		return "", err
	}
	if out.PitID != "" {
		return out.PitID, nil
	}
	return out.ID, nil
}

func (c *Client) closePIT(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	call := func(ctx context.Context) (*esapi.Response, error) {
		if c.Server.Distribution == "opensearch" {
			b, _ := json.Marshal(map[string]any{"pit_id": []string{id}})
			return c.raw(ctx, http.MethodDelete, "/_search/point_in_time", b)
		}
		b, _ := json.Marshal(map[string]any{"id": id})
		return c.api.ClosePointInTime(c.api.ClosePointInTime.WithBody(bytes.NewReader(b)), c.api.ClosePointInTime.WithContext(ctx))
	}
	_ = c.do(ctx, call, nil, "close a point in time") // it expires anyway
}

// raw sends a request esapi has no function for (OpenSearch's own APIs).
func (c *Client) raw(ctx context.Context, method, path string, body []byte) (*esapi.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.tr.Perform(req)
	if err != nil {
		return nil, err
	}
	return &esapi.Response{StatusCode: res.StatusCode, Body: res.Body, Header: res.Header}, nil
}

// Get returns the record with id, or nil when the archive has none.
func (c *Client) Get(ctx context.Context, id string) (*record.Record, error) {
	// an ids query, not GET <alias>/_doc/<id>: an alias over several indices
	// (after a rollover) refuses the latter ("has more than one index")
	var out struct {
		Hits searchHits `json:"hits"`
	}
	body := map[string]any{"size": 1, "query": map[string]any{"ids": map[string]any{"values": []string{id}}}}
	if err := c.search(ctx, body, false, &out, "get "+id); err != nil {
		if statusOf(err) == http.StatusNotFound {
			return nil, nil
		}
		return nil, err
	}
	if len(out.Hits.Hits) == 0 {
		return nil, nil
	}
	r := new(record.Record)
	if err := json.Unmarshal(out.Hits.Hits[0].Source, r); err != nil {
		return nil, fmt.Errorf("document %s: %w", id, err)
	}
	return r, nil
}

// homes finds, for a batch about to be delivered, the concrete index that
// already holds each record (keyed "<alias>/<id>"), when it is not the
// alias's write index: after a rollover, where a record delivered again
// must go so that it stays one document. One search per alias and batch.
func (c *Client) homes(ctx context.Context, recs []index.Outgoing) (map[string]string, error) {
	byAlias := map[string][]string{}
	for _, o := range recs {
		alias := c.cfg.Index
		if o.Version {
			alias = c.VersionsIndex()
		}
		byAlias[alias] = append(byAlias[alias], o.Key())
	}
	out := map[string]string{}
	for alias, ids := range byAlias {
		write, several, err := c.writeIndex(ctx, alias)
		if err != nil {
			return nil, err
		}
		if !several {
			continue // one index behind the alias: nothing to look up
		}
		body := map[string]any{"size": len(ids), "_source": false, "query": map[string]any{"ids": map[string]any{"values": ids}}}
		b, _ := json.Marshal(body)
		var res struct {
			Hits struct {
				Hits []struct {
					Index string `json:"_index"`
					ID    string `json:"_id"`
				} `json:"hits"`
			} `json:"hits"`
		}
		call := func(ctx context.Context) (*esapi.Response, error) {
			return c.api.Search(c.api.Search.WithContext(ctx), c.api.Search.WithIndex(alias), c.api.Search.WithBody(bytes.NewReader(b)),
				c.api.Search.WithIgnoreUnavailable(true))
		}
		if err := c.do(ctx, call, &res, "find the indices of a batch"); err != nil {
			if statusOf(err) == http.StatusNotFound {
				continue
			}
			return nil, err
		}
		for _, h := range res.Hits.Hits {
			if h.Index != write {
				out[alias+"/"+h.ID] = h.Index
			}
		}
	}
	return out, nil
}

// writeIndex is the alias's write index, and whether the alias spans
// several indices; cached for a minute (a rollover shows within it).
func (c *Client) writeIndex(ctx context.Context, alias string) (string, bool, error) {
	c.aliasMu.Lock()
	e, ok := c.aliases[alias]
	c.aliasMu.Unlock()
	if ok && time.Since(e.at) < time.Minute {
		return e.write, e.several, nil
	}
	var res map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex *bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.GetAlias(c.api.Indices.GetAlias.WithContext(ctx), c.api.Indices.GetAlias.WithName(alias))
	}
	if err := c.do(ctx, call, &res, "read alias "+alias); err != nil {
		if statusOf(err) == http.StatusNotFound {
			return "", false, nil // a plain index (the versions' companion), or none yet
		}
		return "", false, err
	}
	write := ""
	for idx, a := range res {
		if w := a.Aliases[alias].IsWriteIndex; w != nil && *w || len(res) == 1 {
			write = idx
		}
	}
	c.aliasMu.Lock()
	if c.aliases == nil {
		c.aliases = map[string]aliasEntry{}
	}
	c.aliases[alias] = aliasEntry{write: write, several: len(res) > 1, at: time.Now()}
	c.aliasMu.Unlock()
	return write, len(res) > 1, nil
}

type aliasEntry struct {
	write   string
	several bool
	at      time.Time
}

// GetPrefix returns the record whose id starts with prefix, or nil; an
// error when several do.
func (c *Client) GetPrefix(ctx context.Context, prefix string) (*record.Record, error) {
	var out struct {
		Hits searchHits `json:"hits"`
	}
	body := map[string]any{"size": 2, "query": map[string]any{"prefix": map[string]any{"id": prefix}}}
	if err := c.search(ctx, body, false, &out, "find id "+prefix); err != nil {
		return nil, err
	}
	switch len(out.Hits.Hits) {
	case 0:
		return nil, nil
	case 1:
		r := new(record.Record)
		return r, json.Unmarshal(out.Hits.Hits[0].Source, r)
	}
	return nil, fmt.Errorf("id %s… names several records: give more of it", prefix)
}

// Versions implements index.Reader: the earlier versions from the
// companion index (<alias>-versions), oldest first, then the current
// record; nil when there is no record.
func (c *Client) Versions(ctx context.Context, id string) ([]*record.Record, error) {
	cur, err := c.Get(ctx, id)
	if err != nil || cur == nil {
		return nil, err
	}
	var out struct {
		Hits searchHits `json:"hits"`
	}
	body, err := json.Marshal(map[string]any{"size": 10000, "query": map[string]any{"term": map[string]any{"id": id}},
		"sort": []any{map[string]any{"version": "asc"}}})
	if err != nil {
		return nil, err
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Search(c.api.Search.WithIndex(c.VersionsIndex()), c.api.Search.WithBody(bytes.NewReader(body)),
			c.api.Search.WithContext(ctx), c.api.Search.WithIgnoreUnavailable(true))
	}
	if err := c.do(ctx, call, &out, "versions of "+id); err != nil && statusOf(err) != http.StatusNotFound {
		return nil, err
	}
	vs := make([]*record.Record, 0, len(out.Hits.Hits)+1)
	for _, h := range out.Hits.Hits {
		r := new(record.Record)
		if err := json.Unmarshal(h.Source, r); err != nil {
			return nil, fmt.Errorf("document %s: %w", h.ID, err)
		}
		vs = append(vs, r)
	}
	return append(vs, cur), nil
}

// countsAll counts every value of field with a composite aggregation,
// page after page (after_key); by story, each story's first title and sites
// come from a second, bounded request for the largest stories shown.
func (c *Client) countsAll(ctx context.Context, counter *facets.Counter, by, field, query string, top int) ([]facets.Count, int, error) {
	var after map[string]any
	total := 0
	for page := 0; ; page++ {
		comp := map[string]any{"size": compositePage, "sources": []any{map[string]any{"v": map[string]any{"terms": map[string]any{"field": field}}}}}
		if after != nil {
			comp["after"] = after
		}
		body := map[string]any{"size": 0, "track_total_hits": true, "query": stringQuery(query), "aggs": map[string]any{
			"values": map[string]any{"composite": comp},
		}}
		if page == 0 {
			body["aggs"].(map[string]any)["none"] = map[string]any{"missing": map[string]any{"field": field}}
		}
		var out struct {
			Hits         searchHits `json:"hits"`
			Aggregations struct {
				Values struct {
					AfterKey map[string]any `json:"after_key"`
					Buckets  []struct {
						Key      map[string]any `json:"key"`
						DocCount int64          `json:"doc_count"`
					} `json:"buckets"`
				} `json:"values"`
				None struct {
					DocCount int64 `json:"doc_count"`
				} `json:"none"`
			} `json:"aggregations"`
		}
		if err := c.search(ctx, body, false, &out, "count by "+by); err != nil {
			return nil, 0, err
		}
		if page == 0 {
			total = int(out.Hits.Total.Value)
			counter.AddCount(facets.NoValue, int(out.Aggregations.None.DocCount))
		}
		for _, b := range out.Aggregations.Values.Buckets {
			counter.AddCount(fmt.Sprint(b.Key["v"]), int(b.DocCount))
		}
		if len(out.Aggregations.Values.Buckets) < compositePage || out.Aggregations.Values.AfterKey == nil {
			break
		}
		after = out.Aggregations.Values.AfterKey
	}
	counts := counter.Counts(top)
	if by == "story" {
		if err := c.storyDetails(ctx, counts, query); err != nil {
			return nil, 0, err
		}
	}
	return counts, total, nil
}

// maxStoryDetails bounds the stories whose first title and sites are
// fetched when every story is counted.
const maxStoryDetails = 1000

// storyDetails fills the first title and sites of the largest stories.
func (c *Client) storyDetails(ctx context.Context, counts []facets.Count, query string) error {
	var ids []string
	for _, cn := range counts {
		if cn.Value != facets.NoValue && len(ids) < maxStoryDetails {
			ids = append(ids, cn.Value)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	body := map[string]any{"size": 0, "query": map[string]any{"bool": map[string]any{"filter": []any{stringQuery(query), map[string]any{"terms": map[string]any{"story_id": ids}}}}},
		"aggs": map[string]any{"values": map[string]any{"terms": map[string]any{"field": "story_id", "size": len(ids)}, "aggs": map[string]any{
			"first": map[string]any{"top_hits": map[string]any{"size": 1, "_source": []string{"title"},
				"sort": []any{map[string]any{"fetched_at": map[string]any{"order": "asc", "unmapped_type": "date"}}}}},
			"sites": map[string]any{"cardinality": map[string]any{"field": "site_name"}},
		}}}}
	var out struct {
		Aggregations struct {
			Values struct {
				Buckets []struct {
					Key   any `json:"key"`
					First struct {
						Hits struct {
							Hits []struct {
								Source struct {
									Title string `json:"title"`
								} `json:"_source"`
							} `json:"hits"`
						} `json:"hits"`
					} `json:"first"`
					Sites struct {
						Value int `json:"value"`
					} `json:"sites"`
				} `json:"buckets"`
			} `json:"values"`
		} `json:"aggregations"`
	}
	if err := c.search(ctx, body, false, &out, "stories' titles"); err != nil {
		return err
	}
	at := map[string]int{}
	for i, cn := range counts {
		at[cn.Value] = i
	}
	for _, b := range out.Aggregations.Values.Buckets {
		i, ok := at[fmt.Sprint(b.Key)]
		if !ok {
			continue
		}
		if h := b.First.Hits.Hits; len(h) > 0 {
			counts[i].Title = h[0].Source.Title
		}
		counts[i].Sites = b.Sites.Value
	}
	return nil
}
