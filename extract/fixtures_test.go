package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/record"
)

// fixtureDir holds the seed pages and the records they must yield.
const fixtureDir = "../../shared/fixtures/arabpress"

// needShared skips a test that reads the project's shared fixtures when
// they are not beside the checkout (a clone outside the workplace); CI
// always has them.
func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Skipf("seed fixtures not available (%s): %v", fixtureDir, err)
	}
}

type expected struct {
	URL            string   `json:"url"`
	CanonicalURL   string   `json:"canonical_url"`
	Title          string   `json:"title"`
	SiteName       *string  `json:"site_name"`
	Language       string   `json:"language"`
	PublishedAt    *string  `json:"published_at"`
	PublishedDate  *string  `json:"published_date"`
	ModifiedAt     *string  `json:"modified_at"`
	Section        *string  `json:"section"`
	Tags           []string `json:"tags"`
	Image          *string  `json:"image"`
	TextParagraphs []string `json:"text_paragraphs"`
	MustNotContain []string `json:"must_not_contain"`
}

func loadExpected(t *testing.T, name string) expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatalf("read expectation: %v", err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return e
}

// CheckFixtureRecord compares a record with a seed expectation, key by key
// and paragraph by paragraph. The CLI test uses it too.
func checkFixtureRecord(t *testing.T, rec *record.Record, e expected) {
	t.Helper()
	eq := func(field, got, want string) {
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	eq("url", rec.URL, e.URL)
	eq("canonical_url", rec.CanonicalURL, e.CanonicalURL)
	eq("title", rec.Title, e.Title)
	eq("language", rec.Language, e.Language)
	if e.SiteName != nil {
		eq("site_name", rec.SiteName, *e.SiteName)
	}
	if e.Section != nil {
		eq("section", rec.Section, *e.Section)
	}
	if e.Image != nil {
		eq("image", rec.Image, *e.Image)
	}
	if e.Tags != nil && !slices.Equal(rec.Tags, e.Tags) {
		t.Errorf("tags = %q, want %q", rec.Tags, e.Tags)
	}
	ts := func(p *record.Timestamp) string {
		if p == nil {
			return "<absent>"
		}
		return p.String()
	}
	if e.PublishedAt != nil {
		eq("published_at", ts(rec.PublishedAt), *e.PublishedAt)
	}
	if e.PublishedDate != nil {
		got := ts(rec.PublishedAt)
		if rec.PublishedAt != nil {
			got = rec.PublishedAt.Time.Format(record.DayLayout)
		}
		eq("published_at (date part)", got, *e.PublishedDate)
	}
	if e.ModifiedAt != nil {
		eq("modified_at", ts(rec.ModifiedAt), *e.ModifiedAt)
	}
	got := strings.Split(rec.Text, "\n\n")
	if !slices.Equal(got, e.TextParagraphs) {
		t.Errorf("text has %d paragraphs, want %d", len(got), len(e.TextParagraphs))
		for i := 0; i < max(len(got), len(e.TextParagraphs)); i++ {
			var g, w string
			if i < len(got) {
				g = got[i]
			}
			if i < len(e.TextParagraphs) {
				w = e.TextParagraphs[i]
			}
			if g != w {
				t.Errorf("paragraph %d:\n got %q\nwant %q", i, g, w)
			}
		}
	}
	for _, s := range e.MustNotContain {
		if strings.Contains(rec.Text, s) {
			t.Errorf("text contains boilerplate %q", s)
		}
	}
	if !rec.IsArticle {
		t.Error("is_article = false for an article")
	}
	if rec.WordCount != wordCount(rec.Text) || rec.WordCount == 0 {
		t.Errorf("word_count = %d for the text", rec.WordCount)
	}
}

func TestSeedFixtures(t *testing.T) {
	needShared(t)
	for _, tc := range []struct{ page, want string }{
		{"article.html", "article.expected.json"},
		{"article-ar.html", "article-ar.expected.json"},
	} {
		t.Run(tc.page, func(t *testing.T) {
			e := loadExpected(t, tc.want)
			body, err := os.ReadFile(filepath.Join(fixtureDir, tc.page))
			if err != nil {
				t.Fatal(err)
			}
			// The fixtures were captured on 2025-11-18: "now" is later.
			rec, err := Extractor{Now: func() time.Time { return time.Date(2025, 11, 18, 12, 0, 0, 0, time.UTC) }}.
				Extract(Input{Body: body, URL: e.CanonicalURL})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			checkFixtureRecord(t, rec, e)
		})
	}
}

// The header date widget shows the capture day: with every structured date
// gone, the record must still not take it.
func TestHeaderDateWidgetNeverPublicationDate(t *testing.T) {
	needShared(t)
	body, err := os.ReadFile(filepath.Join(fixtureDir, "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(body)
	for _, strip := range []string{`"datePublished": "2020-10-17T09:42:00+03:00", `, `<meta property="article:published_time" content="2020-10-17T09:42:00+03:00">`} {
		if !strings.Contains(s, strip) {
			t.Fatalf("fixture changed: %q not found", strip)
		}
		s = strings.Replace(s, strip, "", 1)
	}
	s = strings.Replace(s, `datetime="2020-10-17T09:42:00+03:00"`, "", 1)
	rec, err := Extract(Input{Body: []byte(s)}) // no URL: no date from the path either
	if err != nil {
		t.Fatal(err)
	}
	if rec.PublishedAt == nil || rec.PublishedAt.String() != "2020-10-17" || rec.DateSource != record.DateFromVisible {
		t.Fatalf("published_at = %v from %q, want 2020-10-17 from the visible date", rec.PublishedAt, rec.DateSource)
	}
}
