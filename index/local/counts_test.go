package local

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"
	bolt "go.etcd.io/bbolt"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/record"
)

// Counts from the search index's facet fields are the counts of reading
// every record (the scan they replace), for every field, with and without
// a query and a top: values, their order, (none), the stories' titles and
// sites.
func TestCountsFromFacetFieldsAreTheScansCounts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for w := range 60 {
		words = append(words, fmt.Sprintf("w%d", w*w%97))
	}
	wire := "The agency reported that the ministers met in Amman " + strings.Join(words, " ")
	for i := range 40 {
		lang, text := "en", fmt.Sprintf("Story number %d about trade, prices and the harbour %d.", i, i*7)
		if i%3 == 0 {
			lang, text = "ar", fmt.Sprintf("وصل وزير الخارجية العراقي إلى طهران %d للمفاوضات %d", i, i*3)
		}
		if i%5 == 0 {
			text = wire // the same story on several sites
		}
		r := testRecord(i, lang, text)
		r.URL = fmt.Sprintf("https://site%d.example/%d", i%4, i)
		r.SiteName = []string{"Arab Press", "Courier", "", "Al-Madina"}[i%4] // "": counted by host
		r.Section = []string{"Politics", "", "Gulf"}[i%3]
		r.Authors = [][]string{{"Layla Haddad"}, {"Omar Khalil", "Layla Haddad"}, {}}[i%3]
		r.Tags = [][]string{{"Iran"}, {"Iran", "Iraq"}, nil, {"water"}}[i%4]
		if i%7 == 0 {
			r.PublishedAt = nil
		}
		if i%6 == 0 {
			r.Wire = "Reuters"
		}
		if i%8 == 0 {
			r.Access = record.AccessPaywall
		}
		if _, err := l.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil { // every record indexed
		t.Fatal(err)
	}
	if l, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, by := range facets.Fields {
		for _, q := range []string{"", "language:ar", "Iran -language:ar"} {
			for _, top := range []int{0, 2} {
				got, n, err := l.Counts(ctx, by, q, top)
				if err != nil {
					t.Fatalf("%s %q: %v", by, q, err)
				}
				want, wn, err := countBy(ctx, l.Each, by, q, top)
				if err != nil {
					t.Fatal(err)
				}
				if n != wn || !reflect.DeepEqual(got, want) {
					t.Errorf("by %s, query %q, top %d:\n got %d %v\nwant %d %v", by, q, top, n, got, wn, want)
				}
			}
		}
	}
	tops := map[string]int{}
	for i, by := range facets.Fields {
		tops[by] = i % 3 // 0 (all), 1, 2
	}
	each, n, err := l.CountsEach(ctx, tops, "Iran")
	if err != nil {
		t.Fatal(err)
	}
	for by, top := range tops {
		one, n1, _ := l.Counts(ctx, by, "Iran", top)
		if n != n1 || !reflect.DeepEqual(each[by], one) {
			t.Errorf("by %s at once: %d %v, alone %d %v", by, n, each[by], n1, one)
		}
	}
	if c, _, _ := l.Counts(ctx, "story", "", 1); len(c) != 1 || c[0].Count < 8 || c[0].Sites < 2 || c[0].Title == "" {
		t.Errorf("the largest story: %+v, want the wire story's 8 copies on several sites, with its title", c)
	}
}

// The number of records is kept by the writes (new, changed, unchanged,
// revised, in batches), equal to counting them; a data dir from before it
// was kept gets it when opened.
func TestRecordCountKept(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	counted := func() uint64 {
		var n int
		l.st.view(func(tx *bolt.Tx) error { n = tx.Bucket(recordsBucket).Stats().KeyN; return nil })
		return uint64(n)
	}
	check := func(when string) {
		t.Helper()
		if n, err := l.Count(); err != nil || n != counted() {
			t.Errorf("%s: count %d (%v), %d records", when, n, err, counted())
		}
	}
	check("empty")
	for i := range 5 {
		l.Put(ctx, testRecord(i, "en", fmt.Sprintf("text %d", i)))
	}
	l.Put(ctx, testRecord(1, "en", "text 1"))          // unchanged
	l.Put(ctx, testRecord(2, "en", "other text 2"))    // revised
	l.PutNew(ctx, testRecord(3, "en", "newer text 3")) // kept as it was
	l.PutAll(ctx, []*record.Record{testRecord(7, "ar", "نص"), testRecord(4, "en", "text 4"), testRecord(8, "en", "x")})
	check("after the writes")
	if n, _ := l.Count(); n != 7 {
		t.Errorf("count %d, want 7", n)
	}
	// a data dir from before: no count kept
	if err := l.st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Delete(countKey) }); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if l, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Put(ctx, testRecord(9, "en", "nine"))
	check("reopened, from before the count")
}

// A query word is searched once per distinct analysis: the Arabic
// analyzer leaves English words as the folded one does, the English one
// Arabic words.
func TestQueryAnalysesDeduplicated(t *testing.T) {
	folded, en, ar := analyzedAs(foldedAnalyzer, "minister said"), analyzedAs("en", "minister said"), analyzedAs("ar", "minister said")
	if folded == "" || folded != ar || folded == en {
		t.Errorf("minister said: folded %q, en %q, ar %q", folded, en, ar)
	}
	if analyzedAs(foldedAnalyzer, "طهران") != analyzedAs("en", "طهران") {
		t.Error("an Arabic word: the English analyzer should leave it as folded")
	}
	q, err := buildQuery(`"minister said"`)
	if err != nil {
		t.Fatal(err)
	}
	d := q.(*query.BooleanQuery).Must.(*query.ConjunctionQuery).Conjuncts[0].(*query.DisjunctionQuery)
	if len(d.Disjuncts) != 6 { // 3 fields × (folded, en)
		t.Errorf("%d phrase queries, want 6", len(d.Disjuncts))
	}
}
