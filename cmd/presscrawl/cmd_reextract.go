package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/download"
	"github.com/presscrawl/presscrawl/internal/residency"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/warc"
)

// reextractOptions are what reextract needs.
type reextractOptions struct {
	IO       IOStreams
	Config   config.Config
	Sources  []ingest.Source // the WARC files, local or remote, in order
	Sink     string          // local or jsonl
	Filters  ingest.Filters
	Parallel int
	Restart  bool // forget what an earlier run finished
}

func newReextractCmd(streams IOStreams, runF func(context.Context, *reextractOptions) error) *cobra.Command {
	opts := &reextractOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "reextract (--warc PATH|URL... | --warc-list FILE|URL) [--index local|jsonl] [--data-dir D]",
		Short: "Extract articles from WARC files: a crawl's own, other crawlers', remote collections",
		Long: `Reextract reads WARC files and stores the articles of their HTML responses:
the files a crawl wrote (--warc), or those of any other crawler (wget,
Heritrix, warcio, Common Crawl's CC-NEWS), local or remote, without fetching
the pages again. Into the local index of --data-dir (updating records whose
content changed), or as JSON Lines on stdout (--index jsonl).

WARC/1.0 and 1.1; gzip per record, one gzip for the whole file, or plain;
chunked and compressed (gzip, deflate, br) responses as crawlers keep them;
SHA-1 and SHA-256 digests. Request, metadata, resource, warcinfo and
conversion records are counted and passed over; revisit records are
counted, resolved when the capture they refer to was read. A damaged record
costs only itself: the reading goes on at the next one, and the summary
says how many were lost.

--warc URL streams a remote file (never held whole); --warc-list reads a
listing of paths (CC-NEWS's warc.paths.gz), resolved against --warc-base,
and reads several files at once (--warc-parallel). A dropped download is
resumed with a Range request. With the local index the data dir remembers
the files finished and how far an unfinished one got: the same command
after Ctrl-C or kill -9 goes on where it stopped (--restart forgets).

--allow/--deny filter target URLs and --since/--until capture days before
extraction; --since/--until filter publication days and --language
languages after it. Every record names its capture: warc_file (the path
or URL given), warc_record_id, archived_at (the capture's WARC-Date).
Records are written in the order read, so a later capture of a page wins.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	f.StringArray("warc", nil, "WARC file, directory of WARC files, or http(s) URL of one (repeatable)")
	f.String("warc-list", "", "a listing of WARC paths, one a line (warc.paths or warc.paths.gz): a file or an http(s) URL")
	f.String("warc-base", "", "the URL the paths of --warc-list are resolved against (e.g. https://data.commoncrawl.org/)")
	f.IntVar(&opts.Parallel, "warc-parallel", 0, "WARC files read at once (default 1 for local files, 3 when any is remote)")
	f.StringVar(&opts.Sink, "index", "local", "where the records go: local (the embedded index of --data-dir) or jsonl (stdout)")
	f.String("until", "", "only captures and articles of this day (YYYY-MM-DD) or before")
	f.StringSlice("language", nil, "only articles in these languages (ISO 639-1 codes, comma-separated: ar,en)")
	f.BoolVar(&opts.Restart, "restart", false, "read every file from its start, forgetting what an earlier run finished")
	keyed := config.NewFlags(f)
	addDataDirFlag(keyed)
	keyed.Bind("allow", "crawl.allow", "only WARC records whose target URL matches this regular expression (repeatable)")
	keyed.Bind("deny", "crawl.deny", "pass over WARC records whose target URL matches this regular expression (repeatable)")
	keyed.Bind("since", "crawl.since", "only captures and articles of this day (YYYY-MM-DD) or after")
	keyed.Bind("rules", "extract.rules", "a YAML file of per-site CSS rules (body, remove, title, date, author by host), applied before the generic rules")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		paths, _ := f.GetStringArray("warc")
		list, _ := f.GetString("warc-list")
		base, _ := f.GetString("warc-base")
		if len(paths) == 0 && list == "" {
			return usageError(errors.New("reextract needs --warc PATH|URL (a WARC file, a directory of them, or a URL) or --warc-list FILE|URL"))
		}
		if base != "" && list == "" {
			return usageError(errors.New("--warc-base resolves the paths of --warc-list: give --warc-list too"))
		}
		if opts.Sink != "local" && opts.Sink != "jsonl" {
			return usageError(fmt.Errorf("--index %q: want local or jsonl", opts.Sink))
		}
		dl := downloadOptions(conf)
		var local, remote []string
		for _, p := range paths {
			if download.IsURL(p) {
				remote = append(remote, p)
			} else {
				local = append(local, p)
			}
		}
		if list != "" {
			listed, err := download.List(cmd.Context(), list, base, dl)
			if err != nil {
				return usageError(err)
			}
			if len(listed) == 0 {
				return usageError(fmt.Errorf("--warc-list %s: no paths in it", list))
			}
			for _, p := range listed {
				if download.IsURL(p) {
					remote = append(remote, p)
				} else {
					local = append(local, p)
				}
			}
		}
		var files []string
		if len(local) > 0 {
			if files, err = warc.Files(local); err != nil {
				return usageError(err)
			}
			if len(files) == 0 {
				return usageError(fmt.Errorf("no WARC files (*.warc, *.warc.gz) in %s", strings.Join(local, " ")))
			}
		}
		opts.Sources = ingest.LocalSources(files)
		for _, u := range remote {
			opts.Sources = append(opts.Sources, ingest.Source{Name: u, Open: func(ctx context.Context, offset int64) (io.ReadCloser, error) {
				return download.Open(ctx, u, offset, dl)
			}})
		}
		if opts.Parallel <= 0 {
			opts.Parallel = 1
			if len(remote) > 0 {
				opts.Parallel = 3
			}
		}
		if opts.Filters, err = replayFilters(conf, f); err != nil {
			return usageError(err)
		}
		opts.Config = conf
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runReextract(cmd.Context(), opts)
	}
	return cmd
}

// downloadOptions are how remote files are fetched: the crawl's user agent
// and retries.
func downloadOptions(conf config.Config) download.Options {
	return download.Options{UserAgent: userAgent(conf), Retries: max(conf.Crawl.Retries, 3), Backoff: time.Second,
		Client: &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: conf.Fetch.Timeout,
			IdleConnTimeout: 30 * time.Second, MaxIdleConnsPerHost: 4}}}
}

// replayFilters reads reextract's filters: the crawl's allow, deny and
// since keys, and its own --until and --language.
func replayFilters(conf config.Config, f *pflag.FlagSet) (ingest.Filters, error) {
	var out ingest.Filters
	for _, p := range conf.Crawl.Allow {
		out.Allow = append(out.Allow, regexp.MustCompile(p)) // checked by config.Validate
	}
	for _, p := range conf.Crawl.Deny {
		out.Deny = append(out.Deny, regexp.MustCompile(p))
	}
	out.Since, _ = conf.Crawl.SinceTime() // checked by config.Validate
	if until, _ := f.GetString("until"); until != "" {
		t, err := time.Parse(record.DayLayout, strings.TrimSpace(until))
		if err != nil {
			return out, fmt.Errorf("--until %q: want a day, YYYY-MM-DD", until)
		}
		out.Until = t
		if !out.Since.IsZero() && out.Until.Before(out.Since) {
			return out, fmt.Errorf("--until %s is before --since %s", until, out.Since.Format(record.DayLayout))
		}
	}
	langs, _ := f.GetStringSlice("language")
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if len(l) != 2 || strings.IndexFunc(l, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
			return out, fmt.Errorf("--language %q: want ISO 639-1 codes such as ar or en", l)
		}
		out.Languages = append(out.Languages, l)
	}
	return out, nil
}

// ReplayStateFile is where reextract remembers its progress in a data dir.
const ReplayStateFile = "replay-state.json"

// runReextract replays the WARC files through the extraction pipeline
// into the local index or JSON Lines.
func runReextract(ctx context.Context, opts *reextractOptions) error {
	conf, srcs, streams := opts.Config, opts.Sources, opts.IO
	var sink ingest.Store
	var finish func() error
	var state *ingest.ReplayState
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
		statePath := filepath.Join(dir, ReplayStateFile)
		if opts.Restart {
			if err := os.Remove(statePath); err != nil && !errors.Is(err, os.ErrNotExist) {
				return failure(err)
			}
		}
		if state, err = ingest.OpenReplayState(statePath); err != nil {
			return failure(err)
		}
		if done, begun := state.Counts(); done+begun > 0 {
			streams.Notice("going on from an earlier run: %d WARC files finished, %d begun (--restart to read them all again)", done, begun)
		}
	case "jsonl":
		out := index.NewJSONLinesSink(streams.Out)
		sink, finish = out, out.Flush
	default:
		return usageError(fmt.Errorf("--index %q: want local or jsonl", kind))
	}
	conf.Crawl.Since = "" // the pipeline's since is the replay filters'
	rules, err := loadRules(conf)
	if err != nil {
		return usageError(err)
	}
	p := pipeline(conf, sink, rules)
	defer printRuleMisses(streams.ErrOut, rules)
	p.Off = false
	var read, bytesRead, stored, filesDone atomic.Int64
	start := time.Now()
	stop := streams.startProgress(ctx, progress{Interval: conf.Crawl.ProgressInterval, Live: streams.ErrTTY, Line: func() string {
		n, b := read.Load(), bytesRead.Load()
		secs := max(time.Since(start).Seconds(), 1e-3)
		return fmt.Sprintf("WARC files %d/%d: %d HTML responses read, %d articles stored, %.1f pages/s, %.1f MB/s",
			filesDone.Load(), len(srcs), n, stored.Load(), float64(n)/secs, float64(b)/1e6/secs)
	}})
	sum, runErr := ingest.ReplaySources(ctx, p, srcs, ingest.ReplayOptions{MaxBytes: int64(conf.Extract.MaxPageBytes) + 64<<10, // the page and its HTTP headers
		Read: &read, Bytes: &bytesRead, Stored: &stored, FilesDone: &filesDone, Parallel: opts.Parallel, Filters: opts.Filters, State: state})
	stop()
	took := time.Since(start)
	if err := finish(); err != nil && runErr == nil {
		runErr = err
	}
	secs := max(took.Seconds(), 1e-3)
	fmt.Fprintf(streams.ErrOut, "presscrawl: read %d HTML responses from %d WARC files in %s: stored %d, unchanged %d, new versions %d, skipped %d, %.1f pages/s, %.1f MB/s\n",
		sum.Pages, sum.Files, took.Round(10*time.Millisecond), sum.Stored, sum.Unchanged, sum.NewVersions, sum.SkippedTotal(), float64(sum.Pages)/secs, float64(sum.Bytes)/1e6/secs)
	if sum.FilesDone > 0 {
		fmt.Fprintf(streams.ErrOut, "  %d WARC files finished by an earlier run were passed over\n", sum.FilesDone)
	}
	if len(sum.Records) > 0 {
		fmt.Fprintf(streams.ErrOut, "  records: %s\n", sum.RecordsLine())
	}
	if sum.RevisitsResolved+sum.RevisitsUnresolved > 0 {
		fmt.Fprintf(streams.ErrOut, "  revisits: %d of a capture read here, %d of one not in these files\n", sum.RevisitsResolved, sum.RevisitsUnresolved)
	}
	if len(sum.Skipped) > 0 {
		fmt.Fprintf(streams.ErrOut, "  skipped: %s\n", sum.SkippedLine())
	}
	for _, d := range sum.Damaged {
		fmt.Fprintf(streams.ErrOut, "  damaged: %s (that record lost; reading went on)\n", terminalSafe(d))
	}
	if runErr != nil {
		return failure(runErr)
	}
	if sum.DamagedRecords > 0 {
		return failure(fmt.Errorf("%d damaged WARC records lost (see above); every other record was read", sum.DamagedRecords))
	}
	return nil
}
