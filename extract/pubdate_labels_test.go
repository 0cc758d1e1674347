package extract

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/markusmobius/go-htmldate"

	"github.com/presscrawl/presscrawl/record"
)

var showHeldOut = flag.Bool("devset.heldout", false, "TestPublicationDatesOnLabels also lists its misses on the held-out pages (read them only when the rules are final)")

// labelled is a development-set page with its hand-made labels
// (testdata/pubdate-devset.tsv).
type labelled struct {
	page     devPage
	day      string // YYYY-MM-DD, or "" when the page gives none
	kind     string // article, home, listing, other
	heldOut  bool   // one of the untuned pages (numbered 7 or 8 modulo 9)
	added    bool   // one of the harder pages added on 2026-12-04 (not numbered 1 modulo 3)
	evidence string
}

func loadLabelled(t *testing.T) []labelled {
	t.Helper()
	byFile := map[string]devPage{}
	for _, p := range loadDevSet(t) {
		byFile[strings.TrimSuffix(filepath.Base(p.File), ".html.gz")] = p
	}
	f, err := os.Open(filepath.Join("testdata", "pubdate-devset.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Split(line, "\t")
		if len(fs) != 4 {
			t.Fatalf("pubdate-devset.tsv: %q: want 4 fields", line)
		}
		p, ok := byFile[fs[0]]
		if !ok {
			t.Fatalf("pubdate-devset.tsv: no page %s in the development set", fs[0])
		}
		l := labelled{page: p, day: fs[1], kind: fs[2], evidence: fs[3]}
		if l.day == "none" {
			l.day = ""
		} else if _, err := time.Parse(record.DayLayout, l.day); err != nil {
			t.Fatalf("pubdate-devset.tsv: %s: day %q", fs[0], fs[1])
		}
		var n int
		fmt.Sscanf(fs[0], "%d", &n)
		l.heldOut = n%9 == 7 || n%9 == 8 // 8: among the pages added on 2026-12-04
		l.added = n%3 != 1
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dateScore counts a date finder's answers against the labels: on pages
// with a day, how many got a day (given) and how many the right one; on
// pages without, how many got one anyway.
type dateScore struct{ dated, given, right, undated, invented int }

func (s *dateScore) add(gold, got string) {
	if gold == "" {
		s.undated++
		if got != "" {
			s.invented++
		}
		return
	}
	s.dated++
	if got != "" {
		s.given++
	}
	if got == gold {
		s.right++
	}
}

func (s dateScore) coverage() float64  { return ratio(s.given, s.dated) }
func (s dateScore) accuracy() float64  { return ratio(s.right, s.dated) }
func (s dateScore) precision() float64 { return ratio(s.right, s.given) }

func (s dateScore) String() string {
	return fmt.Sprintf("coverage %.3f  accuracy %.3f  precision %.3f  (%d dated pages: %d given, %d right; %d undated: %d given a date)",
		s.coverage(), s.accuracy(), s.precision(), s.dated, s.given, s.right, s.undated, s.invented)
}

// TestPublicationDatesOnLabels measures published_at against hand-labelled
// publication days (issue 18), beside go-htmldate on the same pages, on the
// 220 tuned pages and the 110 held out; and is_article against the same
// pages' types (issue 17). -v lists the misses on the tuned pages with
// their evidence (-devset.heldout: the held-out ones too).
func TestPublicationDatesOnLabels(t *testing.T) {
	skipDevSetRun(t)
	labels := loadLabelled(t)
	var ours, theirs [2]dateScore // [tuned, held out]
	type srcCount struct{ given, right int }
	sources := map[record.DateSource]*srcCount{}
	var types [2]struct{ n, right int }
	var firstTypes struct{ n, right int } // the 220 tuned pages labelled on 2026-12-01
	var misses []string
	for _, l := range labels {
		split := 0
		if l.heldOut {
			split = 1
		}
		rec, err := Extract(Input{Body: l.page.body, URL: httpURL(l.page.URL)})
		got, src := "", record.DateSource("")
		if err == nil && rec.PublishedAt != nil {
			got, src = rec.PublishedAt.Time.Format(record.DayLayout), rec.DateSource
		}
		ours[split].add(l.day, got)
		if got != "" && l.day != "" {
			if sources[src] == nil {
				sources[src] = &srcCount{}
			}
			sources[src].given++
			if got == l.day {
				sources[src].right++
			}
		}
		if got != l.day && (!l.heldOut || *showHeldOut) {
			misses = append(misses, fmt.Sprintf("%s %s: ours %q (%s), gold %q: %s", filepath.Base(l.page.File), split2(split), got, src, l.day, l.evidence))
		}
		res, herr := htmldate.FromReader(bytes.NewReader(l.page.body), htmldate.Options{URL: httpURL(l.page.URL), UseOriginalDate: true,
			MaxDate: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
		hd := ""
		if herr == nil && !res.DateTime.IsZero() {
			hd = res.DateTime.Format(record.DayLayout)
		}
		theirs[split].add(l.day, hd)
		types[split].n++
		typeRight := err == nil && rec.IsArticle == (l.kind == "article")
		if typeRight {
			types[split].right++
		} else if !l.heldOut || *showHeldOut {
			misses = append(misses, fmt.Sprintf("%s %s: is_article %v, labelled %s", filepath.Base(l.page.File), split2(split), err == nil && rec.IsArticle, l.kind))
		}
		if !l.added && !l.heldOut {
			firstTypes.n++
			if typeRight {
				firstTypes.right++
			}
		}
	}
	for i, name := range []string{fmt.Sprintf("tuned (%d)", types[0].n), fmt.Sprintf("held out (%d)", types[1].n)} {
		t.Logf("%-15s presscrawl  %s", name, ours[i])
		t.Logf("%-15s go-htmldate %s", name, theirs[i])
		t.Logf("%-15s page types: is_article right on %d of %d (%.3f)", name, types[i].right, types[i].n, ratio(types[i].right, types[i].n))
	}
	var names []string
	for s := range sources {
		names = append(names, string(s))
	}
	sort.Strings(names)
	for _, s := range names {
		c := sources[record.DateSource(s)]
		t.Logf("date_source %-8s given %3d, right %3d", s, c.given, c.right)
	}
	for _, m := range misses {
		t.Log(m)
	}
	// Floors a little under the figures of 2026-12-01 on the tuned pages
	// (coverage 0.984, accuracy 0.973, precision 0.989): a rule that costs
	// dates fails here.
	if s := ours[0]; s.coverage() < 0.96 || s.accuracy() < 0.95 || s.precision() < 0.96 {
		t.Errorf("tuned pages: coverage %.3f (floor 0.96), accuracy %.3f (floor 0.95), precision %.3f (floor 0.96)", s.coverage(), s.accuracy(), s.precision())
	}
	t.Logf("page types on the 220 tuned pages of 2026-12-01: %d of %d", firstTypes.right, firstTypes.n)
	if a := ratio(firstTypes.right, firstTypes.n); a < 0.95 { // 0.955 on 2026-12-01 (night)
		t.Errorf("tuned pages of 2026-12-01: page-type accuracy %.3f (floor 0.95)", a)
	}
}

func split2(i int) string {
	if i == 1 {
		return "[held out]"
	}
	return "[tuned]"
}
