package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/residency"
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
	keyed := config.NewFlags(f)
	addDataDirFlag(keyed)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, keyed)
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
		store, err := local.Open(dir)
		if err != nil {
			return failure(err)
		}
		if store.ReadOnly() {
			store.Close()
			return failure(fmt.Errorf("data dir %s: %w: reextract writes its records there", dir, local.ErrReadOnly))
		}
		defer store.Close()
		defer residency.Release(ctx, dir, time.Second)() // flat memory, as in crawl
		sink, finish = store, store.Close
	case "jsonl":
		out := index.NewJSONLinesSink(streams.Out)
		sink, finish = out, out.Flush
	default:
		return usageError(fmt.Errorf("--index %q: want local or jsonl", kind))
	}
	conf.Crawl.Since = "" // a replay keeps every article: --since is the crawl's
	p := pipeline(conf, sink)
	p.Off = false
	var read atomic.Int64
	start := time.Now()
	stop := streams.startProgress(ctx, progress{Interval: conf.Crawl.ProgressInterval, Live: streams.ErrTTY, Line: func() string {
		n := read.Load()
		return fmt.Sprintf("re-extracting %d WARC files: %d HTML responses read, %.1f pages/s", len(files), n, float64(n)/time.Since(start).Seconds())
	}})
	sum, runErr := ingest.Replay(ctx, p, files, ingest.ReplayOptions{MaxBytes: int64(conf.Extract.MaxPageBytes) + 64<<10, Read: &read}) // the page and its HTTP headers
	stop()
	took := time.Since(start)
	if err := finish(); err != nil && runErr == nil {
		runErr = err
	}
	fmt.Fprintf(streams.ErrOut, "presscrawl: re-extracted %d HTML responses from %d WARC files in %s: stored %d, unchanged %d, new versions %d, skipped %d, %.1f pages/s\n",
		sum.Pages, len(files), took.Round(10*time.Millisecond), sum.Stored, sum.Unchanged, sum.NewVersions, sum.SkippedTotal(), float64(sum.Pages)/max(took.Seconds(), 1e-3))
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
