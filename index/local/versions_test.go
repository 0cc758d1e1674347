package local

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

func fetched(r *record.Record, at time.Time) *record.Record {
	r.FetchedAt = &at
	return r
}

// An edit keeps the record it replaces as a version; whitespace and
// punctuation do not; the versions come back oldest first, each with its
// own fetch time and content hash, and the current record counts them.
func TestEditsKeptAsVersions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 5, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		text string
		want index.PutResult
	}{
		{"The talks resumed on Monday.", index.Created},
		{"The talks resumed on Monday.", index.Unchanged},
		{"The talks  resumed on Monday", index.Updated},             // whitespace and punctuation: no version
		{"The talks resumed on Tuesday.", index.Revised},            // a word: version 2
		{"The talks resumed on Tuesday, in Vienna.", index.Revised}, // version 3
		{"The talks resumed on Tuesday, in Vienna!", index.Updated}, // punctuation again
		{"استؤنفت المحادثات يوم الثلاثاء في فيينا.", index.Revised}, // version 4
	}
	for i, st := range steps {
		r := fetched(testRecord(1, "en", st.text), t0.Add(time.Duration(i)*time.Hour))
		res, err := l.Put(ctx, r)
		if err != nil || res != st.want {
			t.Fatalf("step %d %q: %v %v, want %v", i, st.text, res, err, st.want)
		}
	}
	if err := l.Close(); err != nil { // the search index flushed
		t.Fatal(err)
	}
	if l, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	vs, err := l.Versions(ctx, testRecord(1, "en", "").ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 {
		t.Fatalf("%d versions, want 4", len(vs))
	}
	wantText := []string{"The talks  resumed on Monday", "The talks resumed on Tuesday.", "The talks resumed on Tuesday, in Vienna!", "استؤنفت المحادثات يوم الثلاثاء في فيينا."}
	wantFetched := []int{2, 3, 5, 6}
	for i, v := range vs {
		if v.Version != i+1 || v.Text != wantText[i] || !v.FetchedAt.Equal(t0.Add(time.Duration(wantFetched[i])*time.Hour)) ||
			!v.FirstFetchedAt.Equal(t0) || v.ContentHash == "" {
			t.Errorf("version %d: %d %q fetched %v first %v", i+1, v.Version, v.Text, v.FetchedAt, v.FirstFetchedAt)
		}
	}
	cur := vs[3]
	if cur.Versions != 4 || cur.Version != 4 {
		t.Errorf("current: version %d of %d", cur.Version, cur.Versions)
	}
	for _, q := range []string{"versions:>1", "versions:>=4 فيينا"} {
		if _, total, err := l.Search(ctx, q, 5); err != nil || total != 1 {
			t.Errorf("%s: %d %v", q, total, err)
		}
	}
	n := 0
	if err := l.EachVersion(ctx, func(r *record.Record) error {
		n++
		if r.HTML != "" {
			t.Error("a version kept its html")
		}
		return nil
	}); err != nil || n != 3 {
		t.Errorf("EachVersion: %d %v, want the 3 earlier versions", n, err)
	}
	// The outbox holds the current record and the three earlier versions.
	out, err := l.Pending(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, o := range out {
		keys[o.Key()] = true
	}
	id := cur.ID
	for _, k := range []string{id, id + "-v1", id + "-v2", id + "-v3"} {
		if !keys[k] {
			t.Errorf("outbox lacks %s (has %v)", k, keys)
		}
	}
	acks := map[string]string{id + "-v1": index.DeliveryTag(vs[0]), id: index.DeliveryTag(cur)}
	if err := l.Delivered(acks); err != nil {
		t.Fatal(err)
	}
	if pending, _, _ := l.DeliveryCounts(); pending != 2 {
		t.Errorf("%d pending after two acks, want 2", pending)
	}
	if n, size, err := l.VersionStats(); err != nil || n != 3 || size <= 0 {
		t.Errorf("version stats %d %d %v", n, size, err)
	}
}

// reextract's batches (PutAll, in capture order) make the same versions as
// one Put after another; an alias replaced by its canonical page is no
// version.
func TestPutAllMakesVersionsInOrder(t *testing.T) {
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var batch []*record.Record
	for i, text := range []string{"first words", "second words", "second words.", "third words"} {
		batch = append(batch, fetched(testRecord(7, "en", text), time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC)))
	}
	outs, err := l.PutAll(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(outs) != fmt.Sprint([]index.PutResult{index.Created, index.Revised, index.Updated, index.Revised}) {
		t.Errorf("outcomes %v", outs)
	}
	vs, _ := l.Versions(ctx, batch[0].ID)
	if len(vs) != 3 || vs[2].Text != "third words" || vs[1].Text != "second words." {
		t.Errorf("versions %d", len(vs))
	}

	alias := testRecord(8, "en", "the AMP copy's wording")
	alias.URL, alias.CanonicalURL = "https://a.example/8/amp/", "https://a.example/8"
	if _, err := l.PutNew(ctx, alias); err != nil {
		t.Fatal(err)
	}
	canon := testRecord(8, "en", "the canonical page's wording")
	canon.URL, canon.CanonicalURL = "https://a.example/8", "https://a.example/8"
	if res, err := l.Put(ctx, canon); err != nil || res != index.Replaced {
		t.Fatalf("canonical after alias: %v %v", res, err)
	}
	if vs, _ := l.Versions(ctx, canon.ID); len(vs) != 1 {
		t.Errorf("the alias's record was kept as a version: %d versions", len(vs))
	}
}

// Bytes a kept version costs, on the texts of real articles (the first
// 300 pages of the development set, extracted), each edited by one added
// sentence: the figure for the storage estimate (run with -v).
func TestVersionBytes(t *testing.T) {
	pages, _ := filepath.Glob("../../../shared/datasets/trafilatura-eval/pages/*.html.gz")
	if len(pages) == 0 {
		t.Skip("no development set in ../shared")
	}
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var recordBytes int64
	x := extract.Extractor{}
	for i, p := range pages[:min(300, len(pages))] {
		body := gunzip(t, p)
		r, err := x.Extract(extract.Input{Body: body, URL: fmt.Sprintf("https://dev.example/%d", i)})
		if err != nil || r.Text == "" {
			continue
		}
		b, _ := json.Marshal(r)
		recordBytes += int64(len(b))
		if _, err := l.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
		r2 := *r
		r2.Text += "\n\nCorrection: an earlier version of this article gave the wrong date of the meeting."
		r2.ContentHash += "-edited"
		if res, err := l.Put(ctx, &r2); err != nil || res != index.Revised {
			t.Fatalf("%s: %v %v", p, res, err)
		}
	}
	n, size, err := l.VersionStats()
	if err != nil || n == 0 {
		t.Fatalf("%d versions, %v", n, err)
	}
	perVersion, perRecord := size/int64(n), recordBytes/int64(n)
	t.Logf("%d versions of development-set articles: %d bytes each on disk (zstd, no html); the record as stored: %d bytes (JSON with html)", n, perVersion, perRecord)
	if perVersion*2 > perRecord {
		t.Errorf("a version takes %d bytes, more than half of the record's %d", perVersion, perRecord)
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
