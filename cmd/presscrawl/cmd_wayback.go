package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/index/remote"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/residency"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/warc"
	"github.com/presscrawl/presscrawl/wayback"
)

// waybackOptions are what wayback needs.
type waybackOptions struct {
	IO          IOStreams
	Config      config.Config
	Query       wayback.Query
	CDX         string
	Delay       time.Duration
	MaxCaptures int
	PageSize    int
	Restart     bool
}

func newWaybackCmd(streams IOStreams, runF func(context.Context, *waybackOptions) error) *cobra.Command {
	opts := &waybackOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "wayback [flags] SITE|URL-PREFIX",
		Short: "Store a site's past articles from the Wayback Machine (or any CDX archive)",
		Long: `Wayback lists the captures of a site (example.com: the whole domain) or of a
URL prefix (https://example.com/news/) with the CDX server API of the
Internet Archive (--cdx-url for a mirror or another archive speaking it),
keeps the HTML pages answered 200, one capture per distinct content, fetches
each capture's original bytes (/web/<timestamp>id_/<url> on the same host),
extracts it and stores the articles, each with archived_at (the capture's
time) and archive_url (where it was fetched from). Captures of one article
at different times become its versions when the words changed
(presscrawl history, presscrawl diff).

Politely: one request at a time to the archive, --delay between two
(default 1s), Retry-After honoured. Ctrl-C or kill -9, and the same command
goes on where it stopped (the data dir remembers the listing's page and
the captures done; --restart forgets). --warc DIR keeps every capture in
WARC files; --index elasticsearch delivers to the archive as a crawl does.`,
		Args: cobra.ExactArgs(1),
	}
	fl := cmd.Flags()
	fl.String("from", "", "only captures of this day (YYYY-MM-DD) or after")
	fl.String("to", "", "only captures of this day (YYYY-MM-DD) or before")
	fl.StringVar(&opts.CDX, "cdx-url", wayback.DefaultCDX, "the CDX server's endpoint; captures are fetched from the same host's /web/ path")
	fl.DurationVar(&opts.Delay, "delay", time.Second, "pause between two requests to the archive")
	fl.IntVar(&opts.MaxCaptures, "max-captures", 0, "stop after this many captures (0: all)")
	fl.IntVar(&opts.PageSize, "page-size", 500, "captures asked for in one CDX request")
	fl.BoolVar(&opts.Restart, "restart", false, "list from the start, forgetting where an interrupted run stopped")
	f := config.NewFlags(fl)
	addDataDirFlag(f)
	addArchiveFlags(f, true)
	f.Bind("warc", "crawl.warc_dir", "keep every capture in WARC/1.1 files in this directory")
	f.Bind("user-agent", "user_agent", "User-Agent of every request")
	f.Bind("rules", "extract.rules", "a YAML file of per-site CSS rules (body, remove, title, date, author by host), applied before the generic rules")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, f)
		if err != nil {
			return usageError(err)
		}
		q := wayback.Query{Target: args[0]}
		for name, into := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
			if v, _ := fl.GetString(name); v != "" {
				t, err := time.Parse(record.DayLayout, strings.TrimSpace(v))
				if err != nil {
					return usageError(fmt.Errorf("--%s %q: want a day, YYYY-MM-DD", name, v))
				}
				*into = t
			}
		}
		if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
			return usageError(fmt.Errorf("--to is before --from"))
		}
		if err := wayback.CheckQuery(q); err != nil {
			return usageError(err)
		}
		if opts.PageSize < 1 || opts.PageSize > 100000 {
			return usageError(fmt.Errorf("--page-size %d: between 1 and 100000", opts.PageSize))
		}
		if opts.Delay < 0 {
			return usageError(fmt.Errorf("--delay %s: not negative", opts.Delay))
		}
		opts.Config, opts.Query = conf, q
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runWayback(cmd.Context(), opts)
	}
	return cmd
}

// WaybackStateFile is where wayback remembers an interrupted run.
const WaybackStateFile = "wayback-state.json"

// waybackState is an interrupted run's place: the listing's page being
// worked through (its resume key, "" for the first) and how many of its
// captures are done, for one query.
type waybackState struct {
	Query  string `json:"query"`
	Resume string `json:"resume"`
	Done   int    `json:"done"`
}

func (s waybackState) save(path string) error {
	b, _ := json.Marshal(s)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// waybackCounts are what a run did.
type waybackCounts struct {
	listed, fetched, stored, revised, unchanged, failed atomic.Int64
	skipped                                             map[string]int
}

func runWayback(ctx context.Context, opts *waybackOptions) error {
	conf, streams := opts.Config, opts.IO
	conf.Crawl.Extract = true
	archived := toArchive(conf)
	var arc *elastic.Client
	if archived {
		var err error
		if arc, err = openArchiveForCrawl(ctx, conf, streams); err != nil {
			return err
		}
	}
	store, err := openCrawlStore(conf.DataDir, archived, streams)
	if err != nil {
		return failure(err)
	}
	defer store.Close()
	reads, err := remote.Serve(store, filepath.Join(conf.DataDir, remote.SocketName))
	if err == nil {
		defer reads.Close()
	}
	defer residency.Release(ctx, conf.DataDir, time.Second)()
	capture, err := openCapture(conf)
	if err != nil {
		return failure(err)
	}
	if capture != nil {
		defer capture.Close()
	}
	statePath := filepath.Join(conf.DataDir, WaybackStateFile)
	key := opts.Query.Target + " " + opts.Query.From.Format(record.DayLayout) + " " + opts.Query.To.Format(record.DayLayout) + " " + opts.CDX
	var st waybackState
	if b, err := os.ReadFile(statePath); err == nil && !opts.Restart {
		if json.Unmarshal(b, &st) == nil && st.Query == key {
			streams.Notice("going on from an interrupted run: %d captures of its listing's page done (--restart to list from the start)", st.Done)
		} else {
			st = waybackState{}
		}
	}
	st.Query = key
	client := &wayback.Client{CDX: opts.CDX, UserAgent: userAgent(conf), Delay: opts.Delay, Retries: max(conf.Crawl.Retries, 3),
		HTTP: &http.Client{Timeout: conf.Fetch.Timeout + 30*time.Second}, MaxBody: int64(conf.Fetch.MaxBodyBytes), PageSize: opts.PageSize}
	rules, err := loadRules(conf)
	if err != nil {
		return usageError(err)
	}
	p := pipeline(conf, store, rules)
	defer printRuleMisses(streams.ErrOut, rules)
	p.Since = time.Time{}
	delivery := startDelivery(ctx, conf, arc, store, streams)
	var n waybackCounts
	n.skipped = map[string]int{}
	start := time.Now()
	stop := streams.startProgress(ctx, progress{Interval: conf.Crawl.ProgressInterval, Live: streams.ErrTTY,
		Interrupted: "interrupted: saving where the listing got (Ctrl-C again to quit at once)",
		Line: func() string {
			return fmt.Sprintf("wayback %s: %d captures listed, %d fetched, %d stored, %d new versions", opts.Query.Target, n.listed.Load(), n.fetched.Load(), n.stored.Load(), n.revised.Load())
		}})
	streams.Notice("listing the captures of %s in %s (one request every %s)", opts.Query.Target, opts.CDX, opts.Delay)
	runErr := waybackLoop(ctx, opts, client, p, capture, &st, statePath, &n)
	stop()
	var archiveSummary bytes.Buffer
	deliveryErr := delivery.finish(ctx.Err() != nil, &archiveSummary)
	if reads != nil {
		reads.Close()
	}
	closeErr := store.Close()
	if capture != nil {
		closeErr = errors.Join(closeErr, capture.Close())
	}
	if runErr == nil && ctx.Err() == nil {
		os.Remove(statePath) // done: the next run lists afresh
	}
	took := time.Since(start)
	fmt.Fprintf(streams.ErrOut, "presscrawl: wayback %s: %d captures listed, %d fetched in %s: stored %d, new versions %d, unchanged %d, skipped %d, failed %d\n",
		opts.Query.Target, n.listed.Load(), n.fetched.Load(), took.Round(10*time.Millisecond), n.stored.Load(), n.revised.Load(), n.unchanged.Load(), total(n.skipped), n.failed.Load())
	if len(n.skipped) > 0 {
		fmt.Fprintf(streams.ErrOut, "  skipped: %s\n", countsLine(n.skipped))
	}
	if n.failed.Load() > 0 {
		fmt.Fprintf(streams.ErrOut, "  failed: %d captures the archive would not serve (passed over)\n", n.failed.Load())
	}
	if archiveSummary.Len() > 0 {
		streams.ErrOut.Write(archiveSummary.Bytes())
	}
	if err := errors.Join(runErr, deliveryErr, closeErr); err != nil {
		if ctx.Err() != nil && runErr != nil && errors.Is(runErr, ctx.Err()) {
			streams.Notice("interrupted: the same command goes on from here")
			return failure(errors.Join(deliveryErr, closeErr, ctx.Err()))
		}
		return failure(err)
	}
	return nil
}

// waybackLoop works through the listing page by page from the state's
// place, saving it after every capture.
func waybackLoop(ctx context.Context, opts *waybackOptions, client *wayback.Client, p pipelineHandler, capture *warc.Writer,
	st *waybackState, statePath string, n *waybackCounts) error {
	for {
		page, err := client.List(ctx, opts.Query, st.Resume)
		if err != nil {
			return err
		}
		n.listed.Add(int64(len(page.Captures)))
		for i, cp := range page.Captures {
			if i < st.Done {
				continue
			}
			if opts.MaxCaptures > 0 && n.fetched.Load()+n.failed.Load() >= int64(opts.MaxCaptures) {
				return nil
			}
			if err := waybackCapture(ctx, client, p, capture, cp, n); err != nil {
				return err
			}
			st.Done = i + 1
			if err := st.save(statePath); err != nil {
				return fmt.Errorf("wayback state %s: %w", statePath, err)
			}
		}
		if page.Next == "" {
			return nil
		}
		st.Resume, st.Done = page.Next, 0
		if err := st.save(statePath); err != nil {
			return fmt.Errorf("wayback state %s: %w", statePath, err)
		}
	}
}

// pipelineHandler is the pipeline as wayback uses it.
type pipelineHandler interface {
	HandlePage(ctx context.Context, pg *crawler.Page, f crawler.Frontier) (crawler.Outcome, error)
}

// waybackCapture fetches, extracts and stores one capture. A capture the
// archive cannot serve (gone, refused) is counted and passed over; an
// error is what stops the run (the context, a store error).
func waybackCapture(ctx context.Context, client *wayback.Client, p pipelineHandler, capture *warc.Writer, cp wayback.Capture, n *waybackCounts) error {
	got, err := client.Fetch(ctx, cp)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *wayback.StatusError
		if errors.As(err, &se) {
			n.failed.Add(1)
			return nil
		}
		return err // the archive stopped answering: stop here, go on next time
	}
	n.fetched.Add(1)
	at := cp.Time()
	if !crawler.IsHTML(got.ContentType, got.Body) {
		n.skipped["not HTML"]++
		return nil
	}
	pg := &crawler.Page{URL: cp.Original, FinalURL: cp.Original, StatusCode: 200, ContentType: got.ContentType,
		ContentLanguage: got.Language, Body: got.Body, FetchedAt: at, ArchivedAt: at, ArchiveURL: got.URL}
	if capture != nil {
		prov, err := capture.Capture(&warc.Exchange{Method: http.MethodGet, URL: cp.Original, RequestHeader: http.Header{}, StatusCode: 200,
			Proto: "HTTP/1.1", ResponseHeader: http.Header{"Content-Type": {got.ContentType}}, Body: got.Body, FetchedAt: at})
		if err != nil {
			return err
		}
		pg.WARCFile, pg.WARCRecordID = prov.File, prov.RecordID
	}
	out, err := p.HandlePage(ctx, pg, nil)
	if err != nil {
		return err
	}
	switch {
	case out.Unchanged:
		n.unchanged.Add(1)
	case out.Skip != "":
		n.skipped[out.Skip]++
	default:
		n.stored.Add(1)
		if out.Revised {
			n.revised.Add(1)
		}
	}
	return nil
}

func countsLine(m map[string]int) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%d %s", v, k))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

func total(m map[string]int) int {
	t := 0
	for _, v := range m {
		t += v
	}
	return t
}
