// Package facets counts archive records by one of their fields (site,
// language, author, section, tag, the publication day, month or year, the
// story group or the wire agency):
// the archive at a glance, on a laptop, without Elasticsearch.
package facets

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/presscrawl/presscrawl/record"
)

// Fields are the fields records can be counted by.
var Fields = []string{"site", "language", "author", "section", "tag", "day", "month", "year", "story", "wire", "access"}

// NoValue counts the records without the field (no date, no author...).
const NoValue = "(none)"

// Count is how many records hold one value. Counted by story, Title is
// the story's first title (its first record's) and Sites how many sites
// ran it.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
	Title string `json:"title,omitempty"`
	Sites int    `json:"sites,omitempty"`
}

// Counter counts records by one field.
type Counter struct {
	field   string
	counts  map[string]int
	records int
	// by story: the first title seen (the story's own record's wins) and
	// the sites of each story
	titles map[string]string
	sites  map[string]map[string]bool
}

// New returns a counter by field, one of Fields.
func New(field string) (*Counter, error) {
	if !slices.Contains(Fields, field) {
		return nil, fmt.Errorf("cannot count by %q: one of %s", field, strings.Join(Fields, ", "))
	}
	return &Counter{field: field, counts: map[string]int{}, titles: map[string]string{}, sites: map[string]map[string]bool{}}, nil
}

// AddStory adds n records of a story, with its first title and sites, as
// counted elsewhere (an archive's aggregations).
func (c *Counter) AddStory(story string, n int, title string, sites int) {
	c.AddCount(story, n)
	c.titles[story] = title
	if c.sites[story] == nil {
		c.sites[story] = map[string]bool{}
	}
	for i := len(c.sites[story]); i < sites; i++ {
		c.sites[story][fmt.Sprint(i)] = true
	}
}

// AddCount adds n records holding value, as counted elsewhere (an
// archive's aggregations); a day is folded into its month or year when the
// counter counts by those.
func (c *Counter) AddCount(value string, n int) {
	if n <= 0 {
		return
	}
	switch {
	case value == NoValue:
	case c.field == "month" && len(value) >= 7:
		value = value[:7]
	case c.field == "year" && len(value) >= 4:
		value = value[:4]
	}
	c.counts[value] += n
}

// Add counts a record: once per value it holds (a record with two authors
// counts for each), or under NoValue.
func (c *Counter) Add(r *record.Record) {
	c.records++
	vals := Values(c.field, r)
	if len(vals) == 0 {
		c.counts[NoValue]++
		return
	}
	for _, v := range vals {
		c.AddCount(v, 1)
	}
	if c.field == "story" {
		s := vals[0]
		if _, ok := c.titles[s]; !ok || r.ID == s {
			c.titles[s] = r.Title
		}
		if c.sites[s] == nil {
			c.sites[s] = map[string]bool{}
		}
		c.sites[s][siteOf(r)] = true
	}
}

func siteOf(r *record.Record) string {
	if r.SiteName != "" {
		return r.SiteName
	}
	return host(r.URL)
}

// Values are the values of a record a count by field counts it under
// (none: under NoValue); by month or year, the record's publication day,
// which the count folds (AddCount).
func Values(field string, r *record.Record) []string {
	one := func(s string) []string {
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
		return []string{s}
	}
	date := func(layout string) []string {
		if r.PublishedAt == nil {
			return nil
		}
		return []string{r.PublishedAt.Time.Format(layout)}
	}
	switch field {
	case "site":
		return one(siteOf(r))
	case "story":
		if r.StoryID != "" {
			return one(r.StoryID)
		}
		return one(r.ID) // stored before stories were kept: its own
	case "wire":
		return one(r.Wire)
	case "access":
		return one(string(r.Access))
	case "language":
		return one(r.Language)
	case "author":
		return r.Authors
	case "section":
		return one(r.Section)
	case "tag":
		return r.Tags
	case "day", "month", "year":
		return date("2006-01-02")
	}
	return nil
}

// host is the host of a URL, for records without a site name.
func host(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}

// Records is how many records were added.
func (c *Counter) Records() int { return c.records }

// Counts returns the counts, most frequent first (ties by value), or in
// time order for day, month and year; top > 0 keeps the top most frequent
// values. NoValue comes last.
func (c *Counter) Counts(top int) []Count {
	var out []Count
	none := 0
	for v, n := range c.counts {
		if v == NoValue {
			none = n
			continue
		}
		out = append(out, Count{Value: v, Count: n, Title: c.titles[v], Sites: len(c.sites[v])})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Compare(a.Value, b.Value)
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	if c.field == "day" || c.field == "month" || c.field == "year" {
		slices.SortFunc(out, func(a, b Count) int { return cmp.Compare(a.Value, b.Value) })
	}
	if none > 0 {
		out = append(out, Count{Value: NoValue, Count: none})
	}
	return out
}
