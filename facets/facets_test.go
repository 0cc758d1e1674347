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
		{"site", 0, []Count{{Value: "Arab Press", Count: 2}, {Value: "Courier", Count: 1}, {Value: "news.example", Count: 1}}}, // no site name: the host
		{"language", 0, []Count{{Value: "ar", Count: 2}, {Value: "en", Count: 2}}},
		{"author", 0, []Count{{Value: "Sara Ali", Count: 2}, {Value: "Jane Roe", Count: 1}, {Value: "Omar Haddad", Count: 1}, {Value: NoValue, Count: 1}}},
		{"author", 1, []Count{{Value: "Sara Ali", Count: 2}, {Value: NoValue, Count: 1}}},
		{"day", 0, []Count{{Value: "2020-09-30", Count: 1}, {Value: "2020-10-17", Count: 1}, {Value: "2020-10-18", Count: 1}, {Value: NoValue, Count: 1}}},
		{"month", 0, []Count{{Value: "2020-09", Count: 1}, {Value: "2020-10", Count: 2}, {Value: NoValue, Count: 1}}},
		{"month", 1, []Count{{Value: "2020-10", Count: 2}, {Value: NoValue, Count: 1}}}, // the most frequent month, not the first
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
