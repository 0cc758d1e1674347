package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/record"
)

// pandasCheck reads a CSV or TSV export with pandas and compares every
// field of every row with the JSON Lines export of the same records.
const pandasCheck = `
import json, sys
import pandas as pd
table, jsonl, sep = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_csv(table, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
recs = [json.loads(l) for l in open(jsonl, encoding="utf-8")]
assert len(df) == len(recs), (len(df), len(recs))
def cell(r, f):
    v = r.get(f)
    if v is None: return ""
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, list): return "; ".join(v)
    return str(v)
bad = 0
for (_, row), r in zip(df.iterrows(), recs):
    for f in df.columns:
        if row[f] != cell(r, f):
            bad += 1
            print("differs:", r["id"], f, repr(row[f][:80]), repr(cell(r, f)[:80]))
assert bad == 0, bad
print("ok", len(df), "rows", len(df.columns), "fields")
`

// A CSV (and TSV) export of the synthetic site opens in pandas with every
// field intact: Arabic text, newlines inside the text, lists, dates.
func TestExportReadByPandas(t *testing.T) {
	if err := exec.Command("python3", "-c", "import pandas").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 with pandas is missing (.ci/run installs it)")
		}
		t.Skip("python3 with pandas is not installed (pip install pandas)")
	}
	site := newssite.Start(newssite.Options{English: 60, Arabic: 30}) // and two special articles (flaky, slow): 92
	defer site.Close()
	dir := t.TempDir()
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", site.URL+"/"); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	work := t.TempDir()
	script := filepath.Join(work, "check.py")
	os.WriteFile(script, []byte(pandasCheck), 0o644)
	_, jsonl, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	jpath := filepath.Join(work, "all.jsonl")
	os.WriteFile(jpath, []byte(jsonl), 0o644)
	if !strings.Contains(jsonl, `\n\n`) {
		t.Fatal("no record text with newlines: the test would prove nothing")
	}
	for _, tc := range []struct{ format, sep string }{{"csv", ","}, {"tsv", "\t"}} {
		code, out, stderr := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", tc.format, "--bom")
		if code != 0 || !strings.HasPrefix(out, "\uFEFFid,url,") && tc.format == "csv" {
			t.Fatalf("export --format %s: exit %d %s", tc.format, code, stderr)
		}
		p := filepath.Join(work, "all."+tc.format)
		os.WriteFile(p, []byte(out), 0o644)
		res, err := exec.Command("python3", script, p, jpath, tc.sep).CombinedOutput()
		if want := fmt.Sprintf("ok 92 rows %d fields", len(record.DefaultColumns())); err != nil || !strings.HasPrefix(string(res), want) {
			t.Errorf("pandas on the %s export: %v\n%s", tc.format, err, res)
		}
	}
	// A query and chosen fields.
	code, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--fields", "id,title,language", "language:ar")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || lines[0] != "id,title,language" || len(lines) != 31 {
		t.Errorf("export of a query with fields: exit %d, %d lines, header %q", code, len(lines), lines[0])
	}
	code, _, stderr := runCtx(t, context.Background(), "export", "--data-dir", dir, "--fields", "id,colour")
	if code != 2 || !strings.Contains(stderr, `no field "colour"`) {
		t.Errorf("unknown field: exit %d %q", code, stderr)
	}
}
