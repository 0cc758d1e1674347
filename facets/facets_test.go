package facets

import (
	"slices"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/record"
)

func rec(site, lang string, day string, authors ...string) *record.Record {
	r := &record.Record{SiteName: site, Language: lang, Authors: authors, URL: "https://news.example/2020/x"}
	if day != "" {
		t, _ := time.Parse("2006-01-02", day)
		r.PublishedAt = &record.Timestamp{Time: t, DayOnly: true}
	}
	return r
}

func TestCounts(t *testing.T) {
	records := []*record.Record{
		rec("Arab Press", "ar", "2020-10-17", "Sara Ali"),
		rec("Arab Press", "ar", "2020-10-18", "Sara Ali", "Omar Haddad"),
		rec("Courier", "en", "2020-09-30"),
		rec("", "en", "", "Jane Roe"),
	}
	for _, tc := range []struct {
		by   string
		top  int
		want []Count
	}{
		{"site", 0, []Count{{"Arab Press", 2}, {"Courier", 1}, {"news.example", 1}}}, // no site name: the host
		{"language", 0, []Count{{"ar", 2}, {"en", 2}}},
		{"author", 0, []Count{{"Sara Ali", 2}, {"Jane Roe", 1}, {"Omar Haddad", 1}, {NoValue, 1}}},
		{"author", 1, []Count{{"Sara Ali", 2}, {NoValue, 1}}},
		{"day", 0, []Count{{"2020-09-30", 1}, {"2020-10-17", 1}, {"2020-10-18", 1}, {NoValue, 1}}},
		{"month", 0, []Count{{"2020-09", 1}, {"2020-10", 2}, {NoValue, 1}}},
		{"month", 1, []Count{{"2020-10", 2}, {NoValue, 1}}}, // the most frequent month, not the first
	} {
		c, err := New(tc.by)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range records {
			c.Add(r)
		}
		got := c.Counts(tc.top)
		if !slices.Equal(got, tc.want) {
			t.Errorf("by %s top %d: %v, want %v", tc.by, tc.top, got, tc.want)
		}
		if c.Records() != len(records) {
			t.Errorf("records %d", c.Records())
		}
	}
	if _, err := New("colour"); err == nil {
		t.Error("New(colour): no error")
	}
}
