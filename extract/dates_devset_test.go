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

// agreement runs ours and a reference tool on every dev-set page. Each
// returns what it found, for display ("" for nothing); same says whether
// two findings agree. It logs every page where they do not, and the counts.
func agreement(t *testing.T, tool string, find func(p devPage) (ours, theirs string, same bool)) {
	pages := loadDevSet(t)
	var agree, differ, onlyOurs, onlyTheirs, neither int
	var lines []string
	for _, p := range pages {
		ours, theirs, same := find(p)
		switch {
		case ours != "" && theirs != "" && same:
			agree++
		case ours != "" && theirs != "":
			differ++
			lines = append(lines, fmt.Sprintf("differ  %s ours %s %s %s %s", p.ID, ours, tool, theirs, p.URL))
		case ours != "":
			onlyOurs++
			lines = append(lines, fmt.Sprintf("ours    %s %s %s", p.ID, ours, p.URL))
		case theirs != "":
			onlyTheirs++
			lines = append(lines, fmt.Sprintf("theirs  %s %s %s", p.ID, theirs, p.URL))
		default:
			neither++
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
	t.Logf("%d pages: both, agreeing %d; both, not agreeing %d; only ours %d; only %s %d; neither %d",
		len(pages), agree, differ, onlyOurs, tool, onlyTheirs, neither)
	if len(pages) == 0 {
		t.Fatal("no page compared")
	}
}

// TestDatesAgainstHTMLDate compares, page by page, the day of our
// published_at with go-htmldate's (trafilatura's date extractor, original
// date, extensive search on) on the development set. The set has no
// labelled dates: this is agreement, not accuracy; the disagreements are
// listed for reading.
func TestDatesAgainstHTMLDate(t *testing.T) {
	if !*devDates {
		t.Skip("run with -devset.dates")
	}
	agreement(t, "htmldate", func(p devPage) (string, string, bool) {
		var ours, theirs string
		if rec, err := Extract(Input{Body: p.body, URL: httpURL(p.URL)}); err == nil && rec.PublishedAt != nil {
			ours = fmt.Sprintf("%s (%s)", rec.PublishedAt.Time.Format("2006-01-02"), rec.DateSource)
		}
		res, err := htmldate.FromReader(bytes.NewReader(p.body), htmldate.Options{URL: httpURL(p.URL), UseOriginalDate: true,
			MaxDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err == nil && !res.DateTime.IsZero() {
			theirs = fmt.Sprintf("%s (%q)", res.DateTime.Format("2006-01-02"), res.SrcString)
		}
		return ours, theirs, len(ours) >= 10 && len(theirs) >= 10 && ours[:10] == theirs[:10]
	})
}
