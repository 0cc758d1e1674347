package extract

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	readability "codeberg.org/readeck/go-readability/v2"
	"github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
)

// BenchmarkDevSet runs, side by side over the same development-set pages:
// the bare HTML parse (the floor), plain go-readability v2,
// go-trafilatura (EnableFallback on), and ours. Each
// op is one page; compare ns/op, MB/s and allocs/op, e.g. with
//
//	go test ./extract -run '^$' -bench DevSet -benchmem -count 6 | tee bench.txt; benchstat bench.txt
func BenchmarkDevSet(b *testing.B) {
	pages := loadDevSet(b)
	total := 0
	for _, p := range pages {
		total += len(p.body)
	}
	avg := int64(total / len(pages))
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := pages[i%len(pages)]
			if _, err := html.Parse(bytes.NewReader(p.body)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("readability", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			readabilityFromReader(pages[i%len(pages)])
		}
	})
	// readeck's fastest public path: ParseAndMutate on a document parsed
	// from the same bytes, parse counted (FromReader parses, then clones
	// the whole document before the same ParseAndMutate)
	b.Run("readability-mutate", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			readabilityMutate(pages[i%len(pages)])
		}
	})
	b.Run("trafilatura", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := pages[i%len(pages)]
			u, _ := url.Parse(httpURL(p.URL))
			_, _ = trafilatura.Extract(bytes.NewReader(p.body), trafilatura.Options{EnableFallback: true, OriginalURL: u})
		}
	})
	b.Run("presscrawl", func(b *testing.B) {
		b.SetBytes(avg)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := pages[i%len(pages)]
			_, _ = Extract(Input{Body: p.body, URL: httpURL(p.URL)})
		}
	})
}

// BenchmarkAgainstReadability times ours and plain go-readability v2 (with
// the same charset decoding) page by page over the development set, the
// three alternating on each page so that all see the same machine state,
// and reports the ratios the speed goal is stated in, against readeck's
// fastest public path (Parser.ParseAndMutate on a document parsed from the
// same decoded bytes, the parse counted: "mutate") and against FromReader
// (which also clones the whole document: "fromreader"): ours/theirs for the
// median page and for the whole set, on all pages and on those of 100 KB or
// more (real article pages average about 174 KB). One op is one pass over
// the set; each page's time is the best of the passes.
//
//	go test ./extract -run '^$' -bench AgainstReadability -benchtime 3x
func BenchmarkAgainstReadability(b *testing.B) {
	pages := loadDevSet(b)
	for _, band := range []struct {
		name string
		min  int
	}{{"all", 0}, {"100KB+", 100_000}} {
		var set []devPage
		for _, p := range pages {
			if len(p.body) >= band.min {
				set = append(set, p)
			}
		}
		b.Run(band.name, func(b *testing.B) {
			ours := make([]time.Duration, len(set))
			theirs := make([]time.Duration, len(set)) // FromReader
			mutate := make([]time.Duration, len(set)) // parse + ParseAndMutate
			best := func(ds []time.Duration, j, i int, d time.Duration) {
				if i == 0 || d < ds[j] {
					ds[j] = d
				}
			}
			for i := 0; i < b.N; i++ {
				for j, p := range set {
					t0 := time.Now()
					readabilityFromReader(p)
					t1 := time.Now()
					_, _ = Extract(Input{Body: p.body, URL: httpURL(p.URL)})
					t2 := time.Now()
					readabilityMutate(p)
					t3 := time.Now()
					best(theirs, j, i, t1.Sub(t0))
					best(ours, j, i, t2.Sub(t1))
					best(mutate, j, i, t3.Sub(t2))
				}
			}
			p50 := func(ds []time.Duration) time.Duration {
				s := slices.Clone(ds)
				slices.Sort(s)
				return s[len(s)/2]
			}
			sum := func(ds []time.Duration) (t time.Duration) {
				for _, d := range ds {
					t += d
				}
				return t
			}
			b.ReportMetric(float64(len(set)), "pages")
			b.ReportMetric(float64(p50(ours))/1e6, "ours-p50-ms")
			b.ReportMetric(float64(p50(mutate))/1e6, "mutate-p50-ms")
			b.ReportMetric(float64(p50(theirs))/1e6, "fromreader-p50-ms")
			b.ReportMetric(float64(p50(ours))/float64(p50(mutate)), "ours/mutate-p50")
			b.ReportMetric(float64(sum(ours))/float64(sum(mutate)), "ours/mutate-total")
			b.ReportMetric(float64(p50(ours))/float64(p50(theirs)), "ours/fromreader-p50")
			b.ReportMetric(float64(sum(ours))/float64(sum(theirs)), "ours/fromreader-total")
		})
	}
}

// BenchmarkDateSearch times the last resort for dates (searchDate) alone,
// on the development-set pages that need it (no other source dates them),
// beside the whole extraction of the same pages: what the fallback adds to
// the pages it runs on. Pages dated otherwise never run it.
//
//	go test ./extract -run '^$' -bench DateSearch -benchmem -count 6
func BenchmarkDateSearch(b *testing.B) {
	type prepared struct {
		body []byte
		url  string
		m    *meta
		doc  *html.Node
	}
	var need []prepared
	for _, p := range loadDevSet(b) {
		src, _, err := decode(p.body, "")
		if err != nil {
			continue
		}
		doc, err := html.Parse(bytes.NewReader([]byte(src)))
		if err != nil {
			continue
		}
		m := readMeta(doc)
		order := documentOrder(doc)
		var base *url.URL
		if u := httpURL(p.URL); u != "" {
			base, _ = url.Parse(u)
		}
		ref := dateRef{now: time.Now()}
		if t, _ := choosePublished(m, m.ldArticle(), doc, order, base, ref); t == nil {
			need = append(need, prepared{body: p.body, url: httpURL(p.URL), m: m, doc: doc})
		}
	}
	b.Logf("%d pages need the search", len(need))
	b.Run("search", func(b *testing.B) {
		b.ReportAllocs()
		ref := dateRef{now: time.Now()}
		orders := make([]map[*html.Node]int, len(need))
		for i, p := range need {
			orders[i] = documentOrder(p.doc)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			j := i % len(need)
			searchDate(need[j].m, need[j].doc, orders[j], ref)
		}
	})
	b.Run("extract", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := need[i%len(need)]
			if _, err := Extract(Input{Body: p.body, URL: p.url}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// readabilityFromReader is plain go-readability v2 on a page, with our
// charset decoding: FromReader, which parses and clones the document.
func readabilityFromReader(p devPage) {
	src, _, err := decode(p.body, "")
	if err != nil {
		return
	}
	u, _ := url.Parse(httpURL(p.URL))
	_, _ = readability.FromReader(bytes.NewReader([]byte(src)), u)
}

// readabilityMutate is readeck's fastest public path on a page: the parse
// (counted) and ParseAndMutate on the parsed document, no clone.
func readabilityMutate(p devPage) {
	src, _, err := decode(p.body, "")
	if err != nil {
		return
	}
	u, _ := url.Parse(httpURL(p.URL))
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return
	}
	rp := readability.NewParser()
	_, _ = rp.ParseAndMutate(doc, u)
}
