package extract

import (
	"bytes"
	"flag"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/markusmobius/go-htmldate"
)

var devDates = flag.Bool("devset.dates", false, "TestDatesAgainstHTMLDate compares published_at with go-htmldate on the development set (slow)")

// TestDatesAgainstHTMLDate compares, page by page, the day of our
// published_at with go-htmldate's (trafilatura's date extractor, original
// date, extensive search on) on the development set: how often both find
// one and agree, disagree, or only one finds one. The set has no labelled
// dates: this is agreement, not accuracy; the disagreements are listed for
// reading.
func TestDatesAgainstHTMLDate(t *testing.T) {
	if !*devDates {
		t.Skip("run with -devset.dates")
	}
	pages := loadDevSet(t)
	var agree, differ, onlyOurs, onlyTheirs, neither int
	var lines []string
	for _, p := range pages {
		rec, err := Extract(Input{Body: p.body, URL: httpURL(p.URL)})
		if err != nil {
			continue
		}
		res, herr := htmldate.FromReader(bytes.NewReader(p.body), htmldate.Options{URL: httpURL(p.URL), UseOriginalDate: true,
			MaxDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
		theirs := herr == nil && !res.DateTime.IsZero()
		ours := rec.PublishedAt != nil
		switch {
		case ours && theirs:
			a, b := rec.PublishedAt.Time.Format("2006-01-02"), res.DateTime.Format("2006-01-02")
			if a == b {
				agree++
			} else {
				differ++
				lines = append(lines, fmt.Sprintf("differ  %s ours %s (%s) htmldate %s (%q) %s", p.ID, a, rec.DateSource, b, res.SrcString, p.URL))
			}
		case ours:
			onlyOurs++
			lines = append(lines, fmt.Sprintf("ours    %s %s (%s) %s", p.ID, rec.PublishedAt.Time.Format("2006-01-02"), rec.DateSource, p.URL))
		case theirs:
			onlyTheirs++
			lines = append(lines, fmt.Sprintf("theirs  %s %s (%q) %s", p.ID, res.DateTime.Format("2006-01-02"), res.SrcString, p.URL))
		default:
			neither++
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
	t.Logf("%d pages: both, same day %d; both, different days %d; only ours %d; only htmldate %d; neither %d",
		len(pages), agree, differ, onlyOurs, onlyTheirs, neither)
	if agree+differ+onlyOurs+onlyTheirs+neither == 0 {
		t.Fatal("no page compared")
	}
}
