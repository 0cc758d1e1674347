package elastic

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/estest"
	"github.com/presscrawl/presscrawl/record"
)

func TestMain(m *testing.M) { os.Exit(estest.Main(m)) }

var ctx = context.Background()

// connect connects to the test node with an alias of the test's own.
func connect(t *testing.T) *Client {
	t.Helper()
	c, err := Connect(ctx, Config{URL: estest.URL(t), Index: estest.Alias(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

var arabicBodies = []string{
	"بدأت المحادثات بين الوفدين في العاصمة صباح اليوم وسط ترقب كبير",
	"قال المتحدث إن محادثات السلام ستستأنف الأسبوع المقبل بعد توقف قصير",
}

// testRecord is record i: English or Arabic, dated in its own time zone.
func testRecord(i int) *record.Record {
	lang, text := "en", fmt.Sprintf("Report %d: the negotiations on the regional water plan went on for hours in the capital.", i)
	if i%4 == 3 {
		lang, text = "ar", arabicBodies[i%2]+fmt.Sprintf(" رقم %d", i)
	}
	u := fmt.Sprintf("https://news.example/%d/story-%d", 2024, i)
	id := sha256.Sum256([]byte(u))
	sum := sha256.Sum256([]byte(text))
	zone := time.FixedZone("", 3*3600)
	pub := record.Timestamp{Time: time.Date(2024, time.Month(1+i%3), 1+i%28, 23, 30, 0, 0, zone)}
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	r := &record.Record{ID: hex.EncodeToString(id[:]), URL: u, CanonicalURL: u, Title: fmt.Sprintf("Story %d", i), Text: text,
		Authors: []string{[]string{"Jane Roe", "Omar Haddad", "Li Wei"}[i%3]}, PublishedAt: &pub, Language: lang,
		SiteName: []string{"Arab Press", "Gulf Courier"}[i%2], Section: []string{"world", "gulf", "economy"}[i%3],
		Tags: []string{"water"}, WordCount: len(strings.Fields(text)), ContentHash: hex.EncodeToString(sum[:]), IsArticle: true,
		DateSource: record.DateFromJSONLD, Extractor: "presscrawl/test", FetchedAt: &at}
	if i%10 == 9 {
		r.PublishedAt, r.DateSource = nil, "" // no date: counted as (none)
	}
	return r
}

// fill stores n records in a new local index (from several goroutines, as
// a crawl does: they share the commits), and waits until its search index
// has them all.
func fill(t *testing.T, n int) *local.Index {
	t.Helper()
	dir := t.TempDir()
	l, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 16 {
				if _, err := l.Put(ctx, testRecord(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // flushes the search index
		t.Fatal(err)
	}
	if l, err = local.Open(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func count(t *testing.T, c *Client) int64 {
	t.Helper()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	n, err := c.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// Setup installs the template and the first index behind the write alias;
// a second Setup changes nothing; the mapping is as docs/archive.md describes it.
func TestSetupTemplateAndMapping(t *testing.T) {
	c := connect(t)
	t.Logf("the archive: %s", c.Server) // which server the run tested
	if err := c.Setup(ctx); err != nil {
		t.Fatalf("second setup: %v", err)
	}
	base := strings.TrimSuffix(c.URL(), "/")
	var aliases map[string]struct {
		Aliases map[string]struct {
			IsWriteIndex bool `json:"is_write_index"`
		} `json:"aliases"`
	}
	getJSON(t, base+"/_alias/"+c.Index(), &aliases)
	if len(aliases) != 1 || !aliases[c.FirstIndex()].Aliases[c.Index()].IsWriteIndex {
		t.Fatalf("alias %s: %+v, want one write index %s", c.Index(), aliases, c.FirstIndex())
	}
	var mappings map[string]struct {
		Mappings struct {
			Dynamic    string                    `json:"dynamic"`
			Properties map[string]map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	getJSON(t, base+"/"+c.FirstIndex()+"/_mapping", &mappings)
	m := mappings[c.FirstIndex()].Mappings
	if m.Dynamic != "strict" {
		t.Errorf("dynamic %q, want strict", m.Dynamic)
	}
	for field, want := range map[string]string{"id": "keyword", "url": "keyword", "language": "keyword", "authors": "keyword",
		"site_name": "keyword", "section": "keyword", "tags": "keyword", "published_at": "date", "fetched_at": "date",
		"text": "text", "text_en": "text", "text_ar": "text", "word_count": "integer", "published_day": "keyword"} {
		if got := m.Properties[field]["type"]; got != want {
			t.Errorf("%s: type %v, want %s", field, got, want)
		}
	}
	if m.Properties["text_ar"]["analyzer"] != "arabic" || m.Properties["text_en"]["analyzer"] != "english" {
		t.Errorf("language fields: %v %v", m.Properties["text_ar"], m.Properties["text_en"])
	}
	if m.Properties["published_at"]["ignore_malformed"] != true {
		t.Errorf("published_at: %v, want ignore_malformed", m.Properties["published_at"])
	}
	if m.Properties["section"]["normalizer"] != "presscrawl_lower" {
		t.Errorf("section: %v, want the lower-case normalizer", m.Properties["section"])
	}
}

// 10,000 records in bulk, every one once; delivering them all again (a
// re-crawl, a lost acknowledgement) leaves the count as it was.
func TestDeliver10000(t *testing.T) {
	c := connect(t)
	const n = 10000
	l := fill(t, n)
	d := &Deliverer{Client: c, Outbox: l, DeadLetter: filepath.Join(t.TempDir(), "dead.jsonl")}
	start := time.Now()
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if got := count(t, c); got != n {
		t.Fatalf("%d documents, want %d", got, n)
	}
	t.Logf("%d records delivered in %v: %.0f docs/s (batch %d, %d workers, %d MB requests)", n, took.Round(time.Millisecond),
		n/took.Seconds(), d.Batch, d.Workers, d.FlushBytes>>20)
	if pending, rejected, _ := l.DeliveryCounts(); pending != 0 || rejected != 0 || d.Stats().Delivered != n {
		t.Fatalf("pending %d rejected %d delivered %d", pending, rejected, d.Stats().Delivered)
	}
	// The same records stored again: unchanged, nothing to deliver.
	for i := 0; i < 100; i++ {
		if res, _ := l.Put(ctx, testRecord(i)); res != index.Unchanged {
			t.Fatalf("record %d: %v, want unchanged", i, res)
		}
	}
	if pending, _, _ := l.DeliveryCounts(); pending != 0 {
		t.Fatalf("%d pending after unchanged puts", pending)
	}
	// Everything again: overwritten in place.
	if _, err := l.QueueAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c); got != n {
		t.Fatalf("%d documents after delivering everything twice, want %d", got, n)
	}
}

// A record the mapping refuses goes to the dead-letter file with the
// reason; the others are indexed.
func TestRejectedRecordGoesToDeadLetter(t *testing.T) {
	c := connect(t)
	l := fill(t, 20)
	bad := testRecord(100)
	bad.WordCount = 3_000_000_000 // beyond the mapping's integer
	if _, err := l.Put(ctx, bad); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(t.TempDir(), "dead.jsonl")
	d := &Deliverer{Client: c, Outbox: l, DeadLetter: dead}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c); got != 20 {
		t.Errorf("%d documents, want the 20 good records", got)
	}
	if pending, rejected, _ := l.DeliveryCounts(); pending != 0 || rejected != 1 {
		t.Errorf("pending %d rejected %d, want 0 and 1", pending, rejected)
	}
	b, err := os.ReadFile(dead)
	if err != nil {
		t.Fatal(err)
	}
	var rej index.Rejection
	if err := json.Unmarshal(b, &rej); err != nil || rej.ID != bad.ID || rej.Status != 400 || !strings.Contains(rej.Reason, "word_count") {
		t.Errorf("dead letter %s (%v), want record %s refused with a reason naming word_count", b, err, bad.ID)
	}
	// Fixed and stored again, it is delivered.
	fixed := *bad // a new record: the index may still be reading the one it was given
	fixed.WordCount, fixed.ContentHash = 12, bad.ContentHash+"-fixed"
	if _, err := l.Put(ctx, &fixed); err != nil {
		t.Fatal(err)
	}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c); got != 21 {
		t.Errorf("%d documents after the fix, want 21", got)
	}
}

// Plain words find inflected forms in the record's language: Arabic through
// the arabic analyzer, English through the english one.
func TestLanguageAnalysis(t *testing.T) {
	c := connect(t)
	l := fill(t, 40)
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	count(t, c)
	for q, want := range map[string]uint64{
		"محادثات":                10, // both Arabic bodies: المحادثات and محادثات
		"المحادثات":              10,
		"negotiate":              30, // "negotiations"
		"language:AR":            10,
		"section:Gulf":           13,
		`authors:"Jane Roe"`:     14,
		`authors:"jane roe"`:     14, // filters ignore case
		`site_name:"ARAB PRESS"`: 20,
		`published_at:>="2024-03-01" published_at:<"2024-04-01"`: 12,
	} {
		_, total, err := c.Search(ctx, q, 5)
		if err != nil || total != want {
			t.Errorf("search %s: %d hits (%v), want %d", q, total, err, want)
		}
	}
	if _, _, err := c.Search(ctx, "title:(", 5); err == nil || !strings.Contains(err.Error(), index.ErrBadQuery.Error()) {
		t.Errorf("a malformed query: %v, want a bad-query error", err)
	}
}

// stats and export read the archive as they read the local index: the
// same counts, in the same order, and the same records in the same order.
func TestCountsAndExportMatchLocal(t *testing.T) {
	c := connect(t)
	l := fill(t, 300)
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	count(t, c)
	for _, by := range facets.Fields {
		// OR beside a required term: one of the alternatives, and the term (1 record)
		for _, q := range []string{"", "language:ar", `title:"Story 7" OR title:"Story 11" +section:gulf`} {
			want, _ := facets.New(by)
			var hits []index.Hit
			if q == "" {
				l.Each(ctx, "", func(r *record.Record) error { want.Add(r); return nil })
			} else {
				hits, _, _ = l.Search(ctx, q, 1000)
				for _, h := range hits {
					want.Add(h.Record)
				}
			}
			got, n, err := c.Counts(ctx, by, q, 0)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want.Counts(0)) || n != want.Records() {
				t.Errorf("by %s %q: archive %v (%d records), local %v (%d)", by, q, got, n, want.Counts(0), want.Records())
			}
		}
	}
	top, _, _ := c.Counts(ctx, "author", "", 2)
	if len(top) != 2 || top[0].Count < top[1].Count {
		t.Errorf("top 2 authors: %v", top)
	}
	var local, archived []string
	l.Each(ctx, "", func(r *record.Record) error { b, _ := json.Marshal(r); local = append(local, string(b)); return nil })
	if err := c.Each(ctx, "", func(r *record.Record) error {
		b, _ := json.Marshal(r)
		archived = append(archived, string(b))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(local, "\n") != strings.Join(archived, "\n") {
		t.Errorf("export from the archive differs from the local export (%d vs %d records)", len(archived), len(local))
	}
}

// Throttling (429 on the whole request) is waited out: every record
// arrives.
func TestThrottledRequestsRetried(t *testing.T) {
	c := connect(t)
	target, _ := url.Parse(c.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	var refused atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/_bulk") && refused.Add(1) <= 2 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"type":"es_rejected_execution_exception","reason":"rejected execution"},"status":429}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tc, err := Connect(ctx, Config{URL: srv.URL, Index: c.Index()})
	if err != nil {
		t.Fatal(err)
	}
	l := fill(t, 50)
	var notes []string
	d := &Deliverer{Client: tc, Outbox: l, MaxBackoff: 100 * time.Millisecond, Notify: func(s string) { notes = append(notes, s) }}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if got := count(t, c); got != 50 || refused.Load() < 3 {
		t.Errorf("%d documents after %d bulk requests (2 refused), want 50", got, refused.Load())
	}
	if len(notes) != 2 || !strings.Contains(notes[1], "answers again") {
		t.Errorf("notices %q, want one outage and one recovery", notes)
	}
}

// TLS with a private authority and an API key, through a TLS proxy in
// front of the node that checks the key: delivery and search work; a wrong
// key is refused with a message that does not show it; without the
// authority the certificate is refused (verification is never off).
func TestTLSAndAPIKey(t *testing.T) {
	c := connect(t)
	target, _ := url.Parse(c.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	const key = "cHJlc3NjcmF3bDpzZWNyZXQta2V5"
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "ApiKey") || cred != key { // schemes are case-insensitive (RFC 9110)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"type":"security_exception","reason":"unable to authenticate with provided credentials"},"status":401}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	f, _ := os.Create(ca)
	pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	f.Close()

	tc, err := Connect(ctx, Config{URL: srv.URL, Index: c.Index(), APIKey: key, CACert: ca})
	if err != nil {
		t.Fatal(err)
	}
	l := fill(t, 30)
	if err := (&Deliverer{Client: tc, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tc.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, total, err := tc.Search(ctx, "negotiate", 3); err != nil || total == 0 {
		t.Errorf("search through TLS: %d hits, %v", total, err)
	}
	_, err = Connect(ctx, Config{URL: srv.URL, Index: c.Index(), APIKey: "d3Jvbmc6a2V5", CACert: ca})
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "d3Jvbmc6a2V5") {
		t.Errorf("wrong key: %v, want a 401 that does not print the key", err)
	}
	_, err = Connect(ctx, Config{URL: srv.URL, Index: c.Index(), APIKey: key})
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unknown authority: %v, want a certificate error", err)
	}
	// A password in the URL is used and never printed.
	_, err = Connect(ctx, Config{URL: strings.Replace(srv.URL, "https://", "https://user:hunter2@", 1), Index: c.Index(), CACert: ca})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("password in the URL: %v", err)
	}
}

// Servers older than presscrawl's requests are refused with a clear
// message, before anything is written.
func TestOldServersRefused(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"version":{"number":"1.3.0","distribution":"opensearch"}}`, "needs OpenSearch 2.0"},
		{`{"version":{"number":"7.10.2"}}`, "needs Elasticsearch 7.17"},
		{`{"version":{"number":"6.8.0"}}`, "needs Elasticsearch 7.17"},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				t.Errorf("request %s %s before the version check", r.Method, r.URL.Path)
			}
			fmt.Fprint(w, tc.body)
		}))
		_, err := Connect(ctx, Config{URL: srv.URL})
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
	for _, bad := range []string{"Articles", "my index", "_x"} {
		if _, err := Connect(ctx, Config{URL: "http://127.0.0.1:1", Index: bad}); err == nil || !strings.Contains(err.Error(), "archive index name") {
			t.Errorf("index %q: %v", bad, err)
		}
	}
}

// What Kibana asks of the archive works on the mapping: a date histogram
// on published_at, terms on site_name, language and authors, a language
// filter and a match on text.
func TestKibanaStyleQueries(t *testing.T) {
	c := connect(t)
	l := fill(t, 120)
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	count(t, c)
	body := map[string]any{
		"size": 0, "track_total_hits": true,
		"query": map[string]any{"bool": map[string]any{
			"filter": []any{map[string]any{"term": map[string]any{"language": "en"}}},
			"must":   []any{map[string]any{"match": map[string]any{"text": "regional water plan"}}},
		}},
		"aggs": map[string]any{
			"per_month": map[string]any{"date_histogram": map[string]any{"field": "published_at", "calendar_interval": "month", "time_zone": "+03:00", "format": "yyyy-MM"}},
			"sites":     map[string]any{"terms": map[string]any{"field": "site_name"}},
			"languages": map[string]any{"terms": map[string]any{"field": "language"}},
			"authors":   map[string]any{"terms": map[string]any{"field": "authors"}},
		},
	}
	type buckets struct {
		Buckets []struct {
			Key      any    `json:"key"`
			KeyStr   string `json:"key_as_string"`
			DocCount int64  `json:"doc_count"`
		} `json:"buckets"`
	}
	var out struct {
		Hits         searchHits `json:"hits"`
		Aggregations struct {
			PerMonth  buckets `json:"per_month"`
			Sites     buckets `json:"sites"`
			Languages buckets `json:"languages"`
			Authors   buckets `json:"authors"`
		} `json:"aggregations"`
	}
	if err := c.search(ctx, body, false, &out, "kibana-style query"); err != nil {
		t.Fatal(err)
	}
	if out.Hits.Total.Value != 90 { // the English records
		t.Errorf("%d English records match the text, want 90", out.Hits.Total.Value)
	}
	months := map[string]int64{}
	var dated int64
	for _, b := range out.Aggregations.PerMonth.Buckets {
		months[b.KeyStr] = b.DocCount
		dated += b.DocCount
	}
	if len(months) != 3 || dated != 84 { // 6 of the 90 have no date
		t.Errorf("per month %v (%d dated), want 3 months, 84 records", months, dated)
	}
	if len(out.Aggregations.Sites.Buckets) != 2 || len(out.Aggregations.Languages.Buckets) != 1 || out.Aggregations.Languages.Buckets[0].Key != "en" ||
		len(out.Aggregations.Authors.Buckets) != 3 || out.Aggregations.Authors.Buckets[0].Key == "jane roe" {
		t.Errorf("terms: sites %v languages %v authors %v (authors as written, not lower-cased)", out.Aggregations.Sites, out.Aggregations.Languages, out.Aggregations.Authors)
	}
}

// Two archives whose names share a prefix (articles and articles-ar) are
// set up beside each other and each takes its records into its own
// indices, with its own template (Elasticsearch refused the second when
// both templates had priority 200).
func TestArchivesWithSharedPrefix(t *testing.T) {
	base := estest.Alias(t)
	var clients []*Client
	for _, alias := range []string{base, base + "-ar", base + "-ar-x"} {
		c, err := Connect(ctx, Config{URL: estest.URL(t), Index: alias})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Setup(ctx); err != nil {
			t.Fatalf("setup of %s beside %s: %v", alias, base, err)
		}
		clients = append(clients, c)
	}
	for i, c := range clients {
		l := fill(t, 3+i)
		d := &Deliverer{Client: c, Outbox: l, DeadLetter: filepath.Join(t.TempDir(), "dead.jsonl")}
		if err := d.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := c.Count(ctx); err != nil || n != int64(3+i) {
			t.Errorf("%s: %d documents (%v), want %d", c.Index(), n, err, 3+i)
		}
		var tpl struct {
			IndexTemplates []struct {
				Name string `json:"name"`
			} `json:"index_templates"`
		}
		getJSON(t, strings.TrimSuffix(c.URL(), "/")+"/_index_template/"+c.templateName(), &tpl)
		if len(tpl.IndexTemplates) != 1 {
			t.Errorf("%s: template %s missing", c.Index(), c.templateName())
		}
	}
	if templatePriority(base+"-ar") <= templatePriority(base) {
		t.Error("the longer name's template must have the higher priority")
	}
}

// Counting every value pages through a composite aggregation: with pages of
// 7 values, every day and story (over a hundred of each) and every author
// and site is counted as locally (no terms request of 65,536 buckets, which
// search.max_buckets refuses).
func TestCountsPageThroughEveryValue(t *testing.T) {
	c := connect(t)
	l := fill(t, 120)
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	count(t, c)
	defer func(n int) { compositePage = n }(compositePage)
	compositePage = 7
	for _, by := range []string{"author", "day", "story", "site"} {
		want, _ := facets.New(by)
		l.Each(ctx, "", func(r *record.Record) error { want.Add(r); return nil })
		got, n, err := c.Counts(ctx, by, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) <= 7 && (by == "day" || by == "story") {
			t.Errorf("by %s: %d values: the test does not page", by, len(got))
		}
		if fmt.Sprint(got) != fmt.Sprint(want.Counts(0)) || n != want.Records() {
			t.Errorf("by %s: archive %v (%d records), local %v (%d)", by, got, n, want.Counts(0), want.Records())
		}
	}
}

// After a rollover (the user's, ILM's or ISM's) the alias spans two
// indices: every record delivered again (index push --all, an edit) stays
// one document, in the index that held it; a new record goes to the new
// write index; a record is read by id through the alias.
func TestRolloverKeepsOneCopy(t *testing.T) {
	c := connect(t)
	l := fill(t, 40)
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c); n != 40 {
		t.Fatalf("%d documents before the rollover, want 40", n)
	}
	req, _ := http.NewRequest(http.MethodPost, estest.URL(t)+"/"+c.Index()+"/_rollover", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"rolled_over":true`) {
		t.Fatalf("rollover: %d %s", resp.StatusCode, b)
	}
	c.aliasMu.Lock()
	c.aliases = nil // the cache would show the rollover within a minute
	c.aliasMu.Unlock()
	if _, err := l.QueueAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Put(ctx, testRecord(1000)); err != nil { // a new record, after the rollover
		t.Fatal(err)
	}
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c); n != 41 {
		t.Errorf("%d documents after the rollover and a push of everything, want 41 (each once)", n)
	}
	r, err := c.Get(ctx, testRecord(3).ID)
	if err != nil || r == nil || r.Title != testRecord(3).Title {
		t.Errorf("get through an alias over two indices: %v %v", r, err)
	}
	write, several, err := c.writeIndex(ctx, c.Index())
	if err != nil || !several || !strings.HasSuffix(write, "-000002") {
		t.Errorf("write index %q, several %v, %v", write, several, err)
	}
}

// A template the user tuned (a refresh interval, replicas) survives setup,
// which every crawl and push runs, while its version is presscrawl's; so
// does an index setting. An older template is replaced.
func TestSetupKeepsUserTuning(t *testing.T) {
	c := connect(t)
	name := c.templateName()
	tmpl := c.IndexTemplate()
	settings := tmpl["template"].(map[string]any)["settings"].(map[string]any)
	settings["refresh_interval"] = "7s"
	b, _ := json.Marshal(tmpl)
	do := func(method, path string, body []byte) string { return nodeDo(t, method, path, string(body)) }
	do(http.MethodPut, "/_index_template/"+name, b)
	do(http.MethodPut, "/"+c.Index()+"/_settings", []byte(`{"index":{"refresh_interval":"9s"}}`))
	if err := c.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if got := do(http.MethodGet, "/_index_template/"+name, nil); !strings.Contains(got, `"refresh_interval":"7s"`) {
		t.Errorf("the user's template setting was reverted: %s", got)
	}
	if got := do(http.MethodGet, "/"+c.Index()+"/_settings", nil); !strings.Contains(got, `"refresh_interval":"9s"`) {
		t.Errorf("the user's index setting was reverted: %s", got)
	}
	// an older presscrawl's template is replaced
	tmpl["version"] = templateVersion - 1
	b, _ = json.Marshal(tmpl)
	do(http.MethodPut, "/_index_template/"+name, b)
	if err := c.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	if got := do(http.MethodGet, "/_index_template/"+name, nil); strings.Contains(got, `"refresh_interval":"7s"`) || !strings.Contains(got, fmt.Sprintf(`"version":%d`, templateVersion)) {
		t.Errorf("an older template was not replaced: %s", got)
	}
}

// Kibana's free-text KQL reads the article: the indices' default fields
// are the title, description, text, authors and site, not ids and URLs.
func TestDefaultFields(t *testing.T) {
	c := connect(t)
	resp, err := http.Get(estest.URL(t) + "/" + c.Index() + "/_settings/index.query.default_field")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"default_field":["title","description","text","text_en","text_ar","authors","site_name"]`) {
		t.Errorf("settings: %s", b)
	}
}

// The folded field folds Latin accents as the local index does: cafe finds
// café, Muller finds Müller; Arabic is untouched by it.
func TestDiacriticsFold(t *testing.T) {
	c := connect(t)
	dir := t.TempDir()
	l, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i, text := range []string{"Le café de la gare a rouvert ses portes ce matin.", "Bürgermeister Müller eröffnete die Ausstellung.", "افتتح الوزير المعرض في المدينة"} {
		r := testRecord(i)
		r.Text, r.Language = text, []string{"fr", "de", "ar"}[i]
		if _, err := l.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := (&Deliverer{Client: c, Outbox: l}).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c); n != 3 {
		t.Fatalf("%d records in the archive, want 3", n)
	}
	for q, want := range map[string]uint64{"cafe": 1, "café": 1, "Muller": 1, "müller": 1, "burgermeister": 1, "المعرض": 1} {
		_, total, err := c.Search(ctx, q, 5)
		if err != nil || total != want {
			t.Errorf("search %q: %d hits (%v), want %d", q, total, err, want)
		}
	}
}
