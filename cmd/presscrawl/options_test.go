package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/newssite"
	"github.com/presscrawl/presscrawl/record"
)

// parse runs a command's flag parsing with its run function swapped, as
// cli/cli's TestNewCmd* do: what reaches the options, or the usage error.
func parse[O any](t *testing.T, newCmd func(IOStreams, func(context.Context, *O) error) *cobra.Command, args ...string) (*O, error) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config file
	var got *O
	cmd := newCmd(IOStreams{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(_ context.Context, o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return got, err
}

func TestNewCmdSearch(t *testing.T) {
	o, err := parse(t, newSearchCmd, "--limit", "5", "--json", "--index", "elasticsearch", "--es-index", "news", "water", "language:ar")
	if err != nil || o.Search.Limit != 5 || !o.JSON || o.Query != "water language:ar" || o.Config.Index.Backend != "elasticsearch" || o.Config.ES.Index != "news" {
		t.Fatalf("%+v %v", o, err)
	}
	_, err = parse(t, newSearchCmd, "--limit", "-1", "water")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage || !strings.Contains(err.Error(), "--limit -1") {
		t.Errorf("--limit -1: %v", err)
	}
}

func TestNewCmdCrawl(t *testing.T) {
	o, err := parse(t, newCrawlCmd, "--delay", "250ms", "--parallelism", "2", "--no-extract", "--deny", "/tag/", "https://news.example/")
	if err != nil {
		t.Fatal(err)
	}
	if o.Crawler.Delay != 250*time.Millisecond || o.Crawler.Parallelism != 2 || o.Config.Crawl.Extract || len(o.Crawler.Deny) != 1 ||
		o.Crawler.MaxDepth != config.Default().Crawl.MaxDepth || o.Seeds[0] != "https://news.example/" {
		t.Errorf("%+v", o)
	}
}

func TestNewCmdStats(t *testing.T) {
	o, err := parse(t, newStatsCmd, "--by", "month", "--top", "3", "language:ar")
	if err != nil || o.By != "month" || o.Top != 3 || o.Query != "language:ar" {
		t.Fatalf("%+v %v", o, err)
	}
	if _, err := parse(t, newStatsCmd, "--by", "colour"); err == nil || !strings.Contains(err.Error(), "--by") {
		t.Errorf("--by colour: %v", err)
	}
}

// fakeReader is a reader of a few records, for the read commands' output.
type fakeReader struct{ recs []*record.Record }

func (f fakeReader) SearchWith(_ context.Context, q string, o index.SearchOptions) ([]index.Hit, uint64, error) {
	if q == "title:(" {
		return nil, 0, index.ErrBadQuery
	}
	var hits []index.Hit
	for _, r := range f.recs[:min(o.Limit, len(f.recs))] {
		hits = append(hits, index.Hit{Record: r})
	}
	return hits, uint64(len(f.recs)), nil
}

func (f fakeReader) Counts(_ context.Context, by, _ string, top int) ([]facets.Count, int, error) {
	c, err := facets.New(by)
	if err != nil {
		return nil, 0, err
	}
	for _, r := range f.recs {
		c.Add(r)
	}
	return c.Counts(top), c.Records(), nil
}

func (f fakeReader) Each(_ context.Context, _ string, fn func(*record.Record) error) error {
	for _, r := range f.recs {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (fakeReader) Close() error { return nil }

func (f fakeReader) GetPrefix(ctx context.Context, p string) (*record.Record, error) {
	for _, r := range f.recs {
		if strings.HasPrefix(r.ID, p) {
			return r, nil
		}
	}
	return nil, nil
}

func (f fakeReader) Versions(ctx context.Context, id string) ([]*record.Record, error) {
	r, err := f.Get(ctx, id)
	if r == nil || err != nil {
		return nil, err
	}
	return []*record.Record{r}, nil
}

func (f fakeReader) Get(_ context.Context, id string) (*record.Record, error) {
	for _, r := range f.recs {
		if r.ID == id {
			return r, nil
		}
	}
	return nil, nil
}

// The read commands print what any reader gives them: the local index and
// the archive are the same to them.
func TestReadCommandsOnAnyReader(t *testing.T) {
	day := record.Timestamp{Time: time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), DayOnly: true}
	recs := []*record.Record{
		{ID: "a", URL: "https://a.example/1", Title: "Water talks", SiteName: "Arab Press", Language: "ar", PublishedAt: &day, Authors: []string{}, Tags: []string{}},
		{ID: "b", URL: "https://a.example/2", Title: "Budget", SiteName: "Arab Press", Language: "en", Authors: []string{}, Tags: []string{}},
	}
	open := func(context.Context, config.Config) (index.ReadCloser, error) { return fakeReader{recs}, nil }
	var out, errOut bytes.Buffer
	io := IOStreams{Out: &out, ErrOut: &errOut}
	if err := runSearch(context.Background(), &searchOptions{IO: io, Open: open, Query: "x", Search: index.SearchOptions{Limit: 1}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "a   2024-03-05  Arab Press  Water talks") || !strings.Contains(errOut.String(), "1 of 2 matching") {
		t.Errorf("search:\n%s%s", out.String(), errOut.String())
	}
	out.Reset()
	if err := runStats(context.Background(), &statsOptions{IO: io, Open: open, By: "language", JSON: true}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "{\"value\":\"ar\",\"count\":1}\n{\"value\":\"en\",\"count\":1}\n" {
		t.Errorf("stats: %q", out.String())
	}
	out.Reset()
	if err := runExport(context.Background(), &exportOptions{IO: io, Open: open}); err != nil || strings.Count(out.String(), "\n") != 2 {
		t.Errorf("export: %v %q", err, out.String())
	}
	err := runSearch(context.Background(), &searchOptions{IO: io, Open: open, Query: "title:(", Search: index.SearchOptions{Limit: 1}})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("bad query: %v, want a usage error", err)
	}
}

// On a terminal the crawl's progress is one line redrawn in place, and it
// is cleared before the summary; the streams say they are a terminal.
func TestCrawlProgressOnTerminal(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 30})
	defer site.Close()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"crawl", "--data-dir", t.TempDir(), "--delay", "30ms", "--parallelism", "1", site.URL + "/"},
		IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	s := errOut.String()
	if code != 0 || !strings.Contains(s, "\r\x1b[Kfetched ") || !strings.Contains(s, "\r\x1b[Kpresscrawl: crawl finished") {
		t.Errorf("exit %d, stderr %q", code, s)
	}
	if strings.Contains(s, "presscrawl: fetched") {
		t.Error("plain progress lines on a terminal")
	}
}

// reextract reports its time and rate (and, on a terminal, a live line).
func TestReextractProgressOnTerminal(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 40})
	defer site.Close()
	wdir := t.TempDir()
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--delay", "0", "--warc", wdir, "--no-extract", site.URL+"/"); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"reextract", "--warc", wdir, "--data-dir", t.TempDir()},
		IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut, ErrTTY: true})
	s := errOut.String()
	if code != 0 || !strings.Contains(s, "pages/s") || !strings.Contains(s, "stored 42,") {
		t.Errorf("exit %d, stderr %q", code, s)
	}
}

// search, stats, export and show read a data dir while a crawl holds it:
// through the crawl, what it has committed.
func TestReadWhileCrawling(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 60})
	defer site.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	crawled := make(chan int, 1)
	go func() {
		code, _, _ := runCtx(t, ctx, "crawl", "--data-dir", dir, "--delay", "100ms", "--parallelism", "1", "--progress-interval", "0", site.URL+"/")
		crawled <- code
	}()
	var stderr, out string
	seen := false
	for i := 0; i < 600 && !seen; i++ { // until some records are committed (60 s at most)
		select {
		case <-crawled:
			t.Fatal("the crawl ended before it could be read")
		case <-time.After(100 * time.Millisecond):
		}
		var code int
		code, out, stderr = runCtx(t, context.Background(), "export", "--data-dir", dir)
		seen = code == 0 && strings.Count(out, "\n") > 0
	}
	if !seen || !strings.Contains(stderr, "in use by a crawl") {
		t.Fatalf("export during the crawl: %q\n%s", out, stderr)
	}
	first := decodeLines(t, out)[0]
	for _, args := range [][]string{
		{"search", "--json", "--sort", "-date", "report"}, {"stats", "--by", "language"}, {"show", first["id"].(string)[:12]},
	} {
		code, out, stderr := runCtx(t, context.Background(), append(args, "--data-dir", dir)...)
		if code != 0 || out == "" {
			t.Errorf("%v during the crawl: exit %d\n%s%s", args, code, out, stderr)
		}
	}
	code, _, stderr := runCtx(t, context.Background(), "search", "--data-dir", dir, "title:(")
	if code != 2 || !strings.Contains(stderr, "bad query") {
		t.Errorf("a bad query through the crawl: exit %d %q", code, stderr)
	}
	cancel()
	if code := <-crawled; code != 0 {
		t.Errorf("the interrupted crawl: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "presscrawl.sock")); err == nil {
		t.Error("the socket outlived the crawl")
	}
}
