package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/residency"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/warc"
)

// reextractOptions are what reextract needs.
type reextractOptions struct {
	IO     IOStreams
	Config config.Config
	Files  []string // the WARC files, in order
	Sink   string   // local or jsonl
}

func newReextractCmd(streams IOStreams, runF func(context.Context, *reextractOptions) error) *cobra.Command {
	opts := &reextractOptions{IO: streams}
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
	f.StringVar(&opts.Sink, "index", "local", "where the records go: local (the embedded index of --data-dir) or jsonl (stdout)")
	addDataDirFlag(f)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, map[string]string{"data-dir": keyDataDir})
		if err != nil {
			return usageError(err)
		}
		paths, _ := f.GetStringArray("warc")
		if len(paths) == 0 {
			return usageError(errors.New("reextract needs --warc PATH (a WARC file or a directory of them)"))
		}
		files, err := warc.Files(paths)
		if err != nil {
			return usageError(err)
		}
		if len(files) == 0 {
			return usageError(fmt.Errorf("no WARC files (*.warc, *.warc.gz) in %s", strings.Join(paths, " ")))
		}
		if opts.Sink != "local" && opts.Sink != "jsonl" {
			return usageError(fmt.Errorf("--index %q: want local or jsonl", opts.Sink))
		}
		opts.Config, opts.Files = conf, files
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runReextract(cmd.Context(), opts)
	}
	return cmd
}

// runReextract replays the WARC files through the extraction pipeline
// into the local index or JSON Lines.
func runReextract(ctx context.Context, opts *reextractOptions) error {
	conf, files, streams := opts.Config, opts.Files, opts.IO
	var sink ingest.Store
	var finish func() error
	switch kind := opts.Sink; kind {
	case "local":
		dir := conf.DataDir
		store, err := index.OpenLocal(dir)
		if err != nil {
			return failure(err)
		}
		defer store.Close()
		defer residency.Release(ctx, dir, time.Second)() // flat memory, as in crawl
		sink, finish = store, store.Close
	case "jsonl":
		out := &jsonlSink{w: index.NewJSONLines(streams.Out), seen: map[string]string{}}
		sink, finish = out, out.w.Flush
	default:
		return usageError(fmt.Errorf("--index %q: want local or jsonl", kind))
	}
	p := ingest.Pipeline{Extractor: extract.Extractor{MaxBytes: conf.Extract.MaxPageBytes}, Budget: conf.Extract.Timeout, Store: sink}
	var read atomic.Int64
	stop := startReplayProgress(ctx, streams, conf.Crawl.ProgressInterval, &read, len(files))
	start := time.Now()
	sum, runErr := ingest.Replay(ctx, p, files, ingest.ReplayOptions{MaxBytes: int64(conf.Extract.MaxPageBytes) + 64<<10, Read: &read}) // the page and its HTTP headers
	stop()
	took := time.Since(start)
	if err := finish(); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(streams.ErrOut, "presscrawl: re-extracted %d HTML responses from %d WARC files in %s: stored %d, unchanged %d, skipped %d, %.1f pages/s\n",
		sum.Pages, len(files), took.Round(10*time.Millisecond), sum.Stored, sum.Unchanged, sum.SkippedTotal(), float64(sum.Pages)/max(took.Seconds(), 1e-3))
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(streams.ErrOut, "  skipped: %s\n", sum.SkippedLine())
	}
	for _, d := range sum.Damaged {
		fmt.Fprintf(streams.ErrOut, "  damaged: %s (read up to there; the records before it are kept)\n", d)
	}
	if runErr != nil {
		return failure(runErr)
	}
	if len(sum.Damaged) > 0 {
		return failure(fmt.Errorf("%d WARC files are damaged (see above); every record before the damage was re-extracted", len(sum.Damaged)))
	}
	return nil
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

// startReplayProgress shows how many responses reextract has read: a line
// redrawn in place on a terminal, else a plain line every interval.
func startReplayProgress(ctx context.Context, streams IOStreams, interval time.Duration, read *atomic.Int64, files int) func() {
	if streams.ErrTTY {
		interval = 250 * time.Millisecond
	}
	if interval <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-ctx.Done():
				if streams.ErrTTY {
					fmt.Fprint(streams.ErrOut, "\r\x1b[K")
				}
				return
			case <-t.C:
				n := read.Load()
				line := fmt.Sprintf("re-extracting %d WARC files: %d HTML responses read, %.1f pages/s", files, n, float64(n)/time.Since(start).Seconds())
				if streams.ErrTTY {
					fmt.Fprint(streams.ErrOut, "\r\x1b[K"+line)
				} else {
					fmt.Fprintln(streams.ErrOut, "presscrawl: "+line)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
