package extract

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzExtract: any bytes give a record or an error, never a panic; a record
// has valid UTF-8 text, a consistent word count and an id.
//
//	go test ./extract -run '^$' -fuzz FuzzExtract -fuzztime 10m
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.html")
	files = append(files, filepath.Join(fixtureDir, "article.html"), filepath.Join(fixtureDir, "article-ar.html"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, "https://courier.example/2024/03/05/story/")
		}
	}
	f.Add([]byte("\xef\xbb\xbf<p>bom</p>"), "")
	f.Add([]byte(`<meta charset="windows-1256"><p>`+"\xe3\xd1\xcd\xc8\xc7"+`</p>`), "")
	x := Extractor{Now: func() time.Time { return time.Date(2025, 11, 18, 0, 0, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, body []byte, url string) {
		rec, err := x.Extract(Input{Body: body, URL: url})
		if err != nil {
			return
		}
		if !utf8.ValidString(rec.Text) || !utf8.ValidString(rec.Title) {
			t.Fatalf("invalid UTF-8 in the record")
		}
		if rec.WordCount != wordCount(rec.Text) || rec.ID == "" || rec.ContentHash == "" {
			t.Fatalf("inconsistent record: words %d/%d id %q", rec.WordCount, wordCount(rec.Text), rec.ID)
		}
	})
}
