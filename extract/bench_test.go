package extract

import (
	"bytes"
	"net/url"
	"testing"

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
			p := pages[i%len(pages)]
			src, _, err := decode(p.body, "")
			if err != nil {
				continue
			}
			u, _ := url.Parse(httpURL(p.URL))
			_, _ = readability.FromReader(bytes.NewReader([]byte(src)), u)
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
