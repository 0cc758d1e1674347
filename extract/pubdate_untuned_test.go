package extract

import (
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/markusmobius/go-htmldate"

	"github.com/presscrawl/presscrawl/record"
)

var showUntunedHeldOut = flag.Bool("dates.heldout", false, "TestPublicationDatesUntuned also lists its misses on its held-out third (read them only when the rules are final)")

// datePage is a page of htmldate's evaluation set with its labelled day.
type datePage struct {
	url, file, day string
	body           []byte
	heldOut        bool
}

var comparisonEntry = regexp.MustCompile(`URL:\s*"([^"]*)",\s*File:\s*"([^"]*)",\s*Date:\s*"([^"]*)"`)

// loadHtmldateSet reads the evaluation set that go-htmldate ships in its
// module (scripts/comparison/data-*.go: URL, file, labelled day; the pages
// under test-files/): about a thousand real pages in many languages that
// presscrawl's rules were not written on. A third of it, chosen by a hash
// of the file name, is held out: its misses are not listed unless asked.
func loadHtmldateSet(t *testing.T) []datePage {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/markusmobius/go-htmldate").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("go-htmldate's module is not in the module cache: %v", err)
	}
	var pages []datePage
	seen := map[string]bool{}
	for _, data := range []string{"data-mediacloud.go", "data-default.go"} {
		src, err := os.ReadFile(filepath.Join(dir, "scripts", "comparison", data))
		if err != nil {
			t.Skipf("go-htmldate's evaluation set: %v", err)
		}
		for _, m := range comparisonEntry.FindAllStringSubmatch(string(src), -1) {
			if seen[m[2]] {
				continue
			}
			seen[m[2]] = true
			var body []byte
			for _, sub := range []string{"mediacloud", "comparison", "mock"} {
				if body, err = os.ReadFile(filepath.Join(dir, "test-files", sub, m[2])); err == nil {
					break
				}
			}
			if body == nil {
				continue // listed without its page
			}
			day := m[3]
			if day == "nan" {
				day = "" // labelled as giving no date
			}
			h := fnv.New32a()
			h.Write([]byte(m[2]))
			pages = append(pages, datePage{url: m[1], file: m[2], day: day, body: body, heldOut: h.Sum32()%3 == 0})
		}
	}
	if len(pages) < 900 {
		t.Fatalf("go-htmldate's evaluation set: %d pages read, want about a thousand", len(pages))
	}
	return pages
}

// TestPublicationDatesUntuned measures published_at on go-htmldate's own
// evaluation set (issue 25): coverage, right day and precision, per
// date_source, beside go-htmldate's extensive search on the same pages, on
// the two thirds the rules may be tuned on and on the held-out third.
// -v lists the misses on the tuned part (-dates.heldout: all of them).
func TestPublicationDatesUntuned(t *testing.T) {
	skipDevSetRun(t)
	pages := loadHtmldateSet(t)
	x := Extractor{Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }}
	var ours, theirs [2]dateScore
	type srcCount struct{ given, right int }
	sources := map[record.DateSource]*srcCount{}
	var misses []string
	for _, p := range pages {
		split := 0
		if p.heldOut {
			split = 1
		}
		got, src := "", record.DateSource("")
		rec, err := x.Extract(Input{Body: p.body, URL: httpURL(p.url)})
		if err == nil && rec.PublishedAt != nil {
			got, src = rec.PublishedAt.Time.Format(record.DayLayout), rec.DateSource
		}
		ours[split].add(p.day, got)
		if got != "" && p.day != "" {
			if sources[src] == nil {
				sources[src] = &srcCount{}
			}
			sources[src].given++
			if got == p.day {
				sources[src].right++
			}
		}
		res, herr := htmldate.FromReader(bytes.NewReader(p.body), htmldate.Options{URL: httpURL(p.url), UseOriginalDate: true,
			MaxDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
		hd := ""
		if herr == nil && !res.DateTime.IsZero() {
			hd = res.DateTime.Format(record.DayLayout)
		}
		theirs[split].add(p.day, hd)
		if got != p.day && (!p.heldOut || *showUntunedHeldOut) {
			article := err == nil && rec.IsArticle
			misses = append(misses, fmt.Sprintf("%s %s: ours %q (%s, article %v), htmldate %q, gold %q  %s", p.file, split2(split), got, src, article, hd, p.day, p.url))
		}
	}
	for i, name := range []string{fmt.Sprintf("tuned (%d)", ours[0].dated+ours[0].undated), fmt.Sprintf("held out (%d)", ours[1].dated+ours[1].undated)} {
		t.Logf("%-15s presscrawl  %s", name, ours[i])
		t.Logf("%-15s go-htmldate %s", name, theirs[i])
	}
	var names []string
	for s := range sources {
		names = append(names, string(s))
	}
	sort.Strings(names)
	for _, s := range names {
		c := sources[record.DateSource(s)]
		t.Logf("date_source %-8s given %3d, right %3d (%.3f)", s, c.given, c.right, ratio(c.right, c.given))
	}
	sort.Strings(misses)
	for _, m := range misses {
		t.Log(m)
	}
	// Floors a little under the figures of 2026-12-04 (tuned: coverage
	// 0.933, accuracy 0.865, precision 0.927; held out: 0.949, 0.860,
	// 0.907): a rule that costs dates fails here.
	for i, f := range []struct{ coverage, accuracy, precision float64 }{{0.92, 0.85, 0.91}, {0.93, 0.845, 0.895}} {
		if s := ours[i]; s.coverage() < f.coverage || s.accuracy() < f.accuracy || s.precision() < f.precision {
			t.Errorf("%s: coverage %.3f (floor %.3f), accuracy %.3f (floor %.3f), precision %.3f (floor %.3f)", split2(i),
				s.coverage(), f.coverage, s.accuracy(), f.accuracy, s.precision(), f.precision)
		}
	}
}
