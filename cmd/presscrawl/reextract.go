package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/residency"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/warc"
)

func newReextractCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reextract --warc PATH... [--index local|jsonl] [--data-dir D]",
		Short: "Extract the records again from WARC captures, without fetching",
		Long: `Reextract reads the WARC files a crawl wrote (--warc), or any WARC files of
HTML responses, runs the extractor on every HTML page again and stores the
articles: into the local index of --data-dir (updating records whose
content changed), or as JSON Lines on stdout (--index jsonl). Use it after
upgrading presscrawl, to re-process an archive with the newer extractor.

Every record names its capture (warc_file, warc_record_id). Records are
written in capture order, so a later capture of a page wins.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringArray("warc", nil, "WARC file or directory of WARC files (repeatable)")
	f.String("index", "local", "where the records go: local (the embedded index of --data-dir) or jsonl (stdout)")
	f.String("data-dir", "", "the data directory of the local index (default ./presscrawl-data)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		v, err := loadConfig(cmd, map[string]string{"data-dir": keyDataDir})
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		paths, _ := f.GetStringArray("warc")
		if len(paths) == 0 {
			return &exitError{code: exitUsage, err: errors.New("reextract needs --warc PATH (a WARC file or a directory of them)")}
		}
		files, err := warc.Files(paths)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if len(files) == 0 {
			return &exitError{code: exitUsage, err: fmt.Errorf("no WARC files (*.warc, *.warc.gz) in %s", strings.Join(paths, " "))}
		}
		var sink recordStore
		var finish func() error
		switch kind, _ := f.GetString("index"); kind {
		case "local":
			dir := v.GetString(keyDataDir)
			store, err := index.OpenLocal(dir)
			if err != nil {
				return &exitError{code: exitFail, err: err}
			}
			defer store.Close()
			defer residency.Release(cmd.Context(), dir, time.Second)() // flat memory, as in crawl
			sink, finish = store, store.Close
		case "jsonl":
			out := &jsonlSink{w: index.NewJSONLines(streams.Out), seen: map[string]string{}}
			sink, finish = out, out.w.Flush
		default:
			return &exitError{code: exitUsage, err: fmt.Errorf("--index %q: want local or jsonl", kind)}
		}
		r := reextractor{x: extract.Extractor{MaxBytes: v.GetInt(keyExtractMaxPage)}, budget: v.GetDuration(keyExtractBudget), store: sink}
		sum, runErr := r.run(cmd.Context(), files)
		if err := finish(); err != nil && runErr == nil {
			runErr = err
		}
		fmt.Fprintf(streams.ErrOut, "presscrawl: re-extracted %d HTML responses from %d WARC files: stored %d, unchanged %d, skipped %d\n",
			sum.pages, len(files), sum.stored, sum.unchanged, sum.skippedTotal())
		if len(sum.skipped) > 0 {
			fmt.Fprintf(streams.ErrOut, "  skipped: %s\n", sum.skippedLine())
		}
		if runErr != nil {
			return &exitError{code: exitFail, err: runErr}
		}
		return nil
	}
	return cmd
}

// jsonlSink writes each record once per content: a page captured twice
// unchanged is written once.
type jsonlSink struct {
	w    *index.JSONLines
	seen map[string]string // id -> content hash
}

func (j *jsonlSink) Put(_ context.Context, r *record.Record) (index.PutResult, error) {
	if j.seen[r.ID] == r.ContentHash {
		return index.Unchanged, nil
	}
	j.seen[r.ID] = r.ContentHash
	return index.Created, j.w.Write(r)
}

// reextractor runs the crawl's page handler over WARC responses:
// extraction in parallel, storage in capture order.
type reextractor struct {
	x      extract.Extractor
	budget time.Duration
	store  recordStore
}

type reextractSummary struct {
	pages, stored, unchanged int
	skipped                  map[string]int
}

func (s *reextractSummary) skippedTotal() int {
	n := 0
	for _, c := range s.skipped {
		n += c
	}
	return n
}

func (s *reextractSummary) skippedLine() string {
	var parts []string
	for r, n := range s.skipped {
		parts = append(parts, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (r reextractor) run(ctx context.Context, files []string) (reextractSummary, error) {
	sum := reextractSummary{skipped: map[string]int{}}
	// First pass: the pages the archive holds, so that an alias (AMP copy)
	// is left to its canonical page when that was captured too.
	have := map[string]bool{}
	for _, f := range files {
		err := warc.ReadResponses(ctx, f, func(resp *warc.Response) error {
			if resp.StatusCode == 200 && crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				if k, err := crawler.PageKey(resp.URL); err == nil {
					have[k] = true
				}
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	follow := func(raw string) bool {
		k, err := crawler.PageKey(raw)
		return err == nil && have[k]
	}
	p := pipeline{x: r.x, budget: r.budget} // decide only: storing is the committer's
	type job struct {
		seq  int
		page *crawler.Page
	}
	type result struct {
		rec  *record.Record
		skip string
	}
	jobs := make(chan job)
	results := map[int]result{}
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	next := 0 // the next sequence number to store
	var storeErr error
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rec, skip := p.decide(j.page)
				mu.Lock()
				results[j.seq] = result{rec, skip}
				cond.Broadcast()
				mu.Unlock()
			}
		}()
	}
	// The committer stores in sequence order.
	done := make(chan struct{})
	total := -1
	go func() {
		defer close(done)
		mu.Lock()
		defer mu.Unlock()
		for {
			for {
				if _, ok := results[next]; ok || (total >= 0 && next >= total) {
					break
				}
				cond.Wait()
			}
			if total >= 0 && next >= total {
				return
			}
			res := results[next]
			delete(results, next)
			next++
			if storeErr != nil {
				continue
			}
			if res.rec == nil {
				sum.skipped[res.skip]++
				continue
			}
			mu.Unlock()
			out, err := r.store.Put(ctx, res.rec)
			mu.Lock()
			switch {
			case err != nil:
				storeErr = fmt.Errorf("store %s: %w", res.rec.URL, err)
			case out == index.Unchanged:
				sum.unchanged++
			default:
				sum.stored++
			}
		}
	}()
	seq := 0
	var readErr error
	for _, f := range files {
		readErr = warc.ReadResponses(ctx, f, func(resp *warc.Response) error {
			if resp.StatusCode != 200 || !crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				return nil
			}
			mu.Lock()
			failed := storeErr != nil
			mu.Unlock()
			if failed {
				return warc.ErrStop
			}
			pg := &crawler.Page{URL: resp.URL, FinalURL: resp.URL, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
				ContentLanguage: resp.Header.Get("Content-Language"), Body: resp.Body, FetchedAt: resp.Date,
				WARCFile: resp.File, WARCRecordID: resp.RecordID, Follow: follow}
			jobs <- job{seq, pg}
			seq++
			return nil
		})
		if readErr != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	mu.Lock()
	total = seq
	cond.Broadcast()
	mu.Unlock()
	<-done
	sum.pages = seq
	return sum, errors.Join(readErr, storeErr)
}
