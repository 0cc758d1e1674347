package main

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/newssite"
)

// BenchmarkSyntheticExtraction is the extraction-only rate on the pages the
// crawl benchmark fetches (the synthetic site's English articles), on all
// cores as a crawl uses them: the crawl's pages/s with extraction on,
// divided by this, is the crawler's own overhead (scripts/crawlbench.sh).
//
//	go test ./cmd/presscrawl -run '^$' -bench SyntheticExtraction -benchtime 5000x
func BenchmarkSyntheticExtraction(b *testing.B) {
	site := newssite.Start(newssite.Options{English: 1000, Arabic: 0})
	defer site.Close()
	site.Pregenerate()
	var pages []*crawler.Page
	for _, a := range site.Articles {
		resp, err := http.Get(site.URL + a.Path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			continue // the flaky page's first answer
		}
		pages = append(pages, &crawler.Page{URL: site.URL + a.Path, FinalURL: site.URL + a.Path, StatusCode: 200,
			ContentType: resp.Header.Get("Content-Type"), Body: body, FetchedAt: time.Now()})
	}
	p := ingest.Pipeline{Extractor: extract.Extractor{}}
	var i, bytes atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			pg := pages[int(i.Add(1))%len(pages)]
			bytes.Add(int64(len(pg.Body)))
			if d := p.Decide(pg, nil); d.Record == nil {
				b.Errorf("%s: %s", pg.URL, d.Skip)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(bytes.Load())/b.Elapsed().Seconds()/1e6, "MB/s")
}
