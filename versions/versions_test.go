package versions

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/record"
)

func rec(title, text string, authors ...string) *record.Record {
	return &record.Record{Title: title, Text: text, Authors: authors}
}

func TestEditedIgnoresWhatIsNotWords(t *testing.T) {
	base := rec("Talks resume in Vienna", "The talks resumed on Monday.\n\nBoth sides met for three hours.", "Jane Roe")
	day := record.Timestamp{Time: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), DayOnly: true}
	base.PublishedAt = &day
	same := []*record.Record{
		rec("Talks resume in Vienna ", "The talks  resumed on Monday!\n\n\nBoth sides met for three hours", "Jane Roe"),
		rec("Talks resume in Vienna", "The talks resumed on Monday.\n\nBoth sides met for three hours.", " Jane  Roe"),
		rec("Talks resume in Vienna", "The talks resumed on Monday — Both sides met, for three hours…", "Jane Roe"),
		rec("Talks resume in Ｖｉｅｎｎａ", "The talks resumed on Monday.\n\nBoth sides met for three hours.", "Jane Roe"), // fullwidth: NFKC
	}
	for i, r := range same {
		r.PublishedAt = &day
		if Edited(base, r) {
			t.Errorf("same words %d: taken for an edit", i)
		}
	}
	later := record.Timestamp{Time: day.Time.AddDate(0, 0, 1), DayOnly: true}
	edits := map[string]*record.Record{
		"headline": rec("Talks stall in Vienna", base.Text, "Jane Roe"),
		"text":     rec(base.Title, "The talks resumed on Tuesday.\n\nBoth sides met for three hours.", "Jane Roe"),
		"authors":  rec(base.Title, base.Text, "Jane Roe", "John Doe"),
		"date":     rec(base.Title, base.Text, "Jane Roe"),
		"case":     rec("talks resume in vienna", base.Text, "Jane Roe"),
	}
	for name, r := range edits {
		r.PublishedAt = &day
		if name == "date" {
			r.PublishedAt = &later
		}
		if !Edited(base, r) {
			t.Errorf("%s edit not seen", name)
		}
	}
	// Arabic: a changed word is an edit; tatweel-free whitespace is not.
	ar := rec("محادثات في فيينا", "استؤنفت المحادثات يوم الاثنين.")
	if Edited(ar, rec("محادثات  في فيينا", "استؤنفت المحادثات يوم الاثنين")) {
		t.Error("Arabic whitespace and punctuation taken for an edit")
	}
	if !Edited(ar, rec("محادثات في فيينا", "استؤنفت المحادثات يوم الثلاثاء.")) {
		t.Error("Arabic word change not seen")
	}
}

func TestWordsKeepArabicWholeAndSplitCJK(t *testing.T) {
	if got := Words("وَقَالَ الوزيرُ، «غداً»"); strings.Join(got, "|") != "وَقَالَ|الوزيرُ|غداً" {
		t.Errorf("Arabic words %q", got)
	}
	if got := Words("東京で会談"); strings.Join(got, "|") != "東|京|で|会|談" {
		t.Errorf("CJK words %q", got)
	}
	if got := Words("a1-b2 c3"); strings.Join(got, "|") != "a1|b2|c3" {
		t.Errorf("words %q", got)
	}
}

// Dropping the insertions of a diff gives the old text, dropping the
// deletions the new one.
func TestDiffRebuildsBothTexts(t *testing.T) {
	for _, tc := range [][2]string{
		{"The talks resumed on Monday.\n\nBoth sides met.", "The talks resumed on Tuesday.\n\nBoth sides met for three hours.\n\nA new paragraph."},
		{"استؤنفت المحادثات يوم الاثنين.", "استؤنفت المحادثات في فيينا يوم الثلاثاء."},
		{"東京で会談した。", "大阪で会談した。"},
		{"", "all new"},
		{"all gone", ""},
	} {
		ps := Diff(tc[0], tc[1])
		var old, nw strings.Builder
		for _, p := range ps {
			if p.Op != Insert {
				old.WriteString(p.Text)
			}
			if p.Op != Delete {
				nw.WriteString(p.Text)
			}
		}
		if old.String() != tc[0] || nw.String() != tc[1] {
			t.Errorf("%q -> %q: rebuilt %q and %q", tc[0], tc[1], old.String(), nw.String())
		}
		if !Changed(ps) {
			t.Errorf("%q -> %q: no change", tc[0], tc[1])
		}
	}
	ps := Diff("استؤنفت المحادثات يوم الاثنين.", "استؤنفت المحادثات يوم الثلاثاء.")
	var deleted, inserted string
	for _, p := range ps {
		switch p.Op {
		case Delete:
			deleted += p.Text
		case Insert:
			inserted += p.Text
		}
	}
	if deleted != "الاثنين" || inserted != "الثلاثاء" {
		t.Errorf("Arabic word diff: -%q +%q (%+v)", deleted, inserted, ps)
	}
	var b bytes.Buffer
	WriteText(&b, ps, false)
	if b.String() != "استؤنفت المحادثات يوم [-الاثنين-]{+الثلاثاء+}." {
		t.Errorf("text diff %q", b.String())
	}
}

func TestCompareCountsWords(t *testing.T) {
	a := rec("Talks resume", "The talks resumed on Monday.", "Jane Roe")
	b := rec("Talks stall", "The talks resumed on Tuesday after a long pause.", "Jane Roe")
	c := Compare(a, b)
	if !c.Title || c.Added != 5 || c.Removed != 1 || c.Authors || c.Date {
		t.Errorf("%+v", c)
	}
	if c.String() != "headline changed; +5 / -1 words" {
		t.Errorf("%q", c.String())
	}
}

// The HTML of a diff escapes what the site wrote.
func TestDiffHTMLEscapes(t *testing.T) {
	out := HTML(Diff("<b>old</b> text", `<script>alert(1)</script> text`))
	if strings.Contains(out, "<script>") || strings.Contains(out, "<b>") || !strings.Contains(out, "script&gt;alert(1)&lt;/script") ||
		!strings.Contains(out, "<ins>") || !strings.Contains(out, "<del>") {
		t.Errorf("%s", out)
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("The talks resumed on Monday.", "The talks resumed on Tuesday.")
	f.Add("استؤنفت المحادثات", "استؤنفت المحادثات في فيينا")
	f.Add("東京", "大阪で")
	f.Fuzz(func(t *testing.T, a, b string) {
		var old, nw strings.Builder
		for _, p := range Diff(a, b) {
			if p.Op != Insert {
				old.WriteString(p.Text)
			}
			if p.Op != Delete {
				nw.WriteString(p.Text)
			}
		}
		if old.String() != a || nw.String() != b {
			t.Fatalf("%q -> %q: rebuilt %q and %q", a, b, old.String(), nw.String())
		}
	})
}
