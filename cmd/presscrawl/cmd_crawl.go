package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/index/remote"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/internal/residency"
	"github.com/presscrawl/presscrawl/urlcanon"
	"github.com/presscrawl/presscrawl/warc"
)

// crawlOptions are what a crawl needs, from flags, configuration and
// arguments.
type crawlOptions struct {
	IO      IOStreams
	Config  config.Config
	Seeds   []string
	Crawler crawler.Config // the crawler's part of Config, certificates loaded
	JSON    bool           // the final summary as one JSON object on stdout
}

func newCrawlCmd(streams IOStreams, runF func(context.Context, *crawlOptions) error) *cobra.Command {
	opts := &crawlOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "crawl [flags] SEED...",
		Short: "Crawl sites into the local index",
		Long: `Crawl fetches every page reachable from the seeds (site URLs, sitemap or
sitemap-index URLs, RSS/Atom feeds) within their sites, politely, extracts
each page and stores the articles in the local index in --data-dir.

robots.txt is obeyed and its Sitemap: lines are followed. Each page is
fetched once and each article stored once, however it is linked (tracking
parameters, fragments, www., AMP copies with rel=canonical).

Ctrl-C finishes the pages in flight, saves the state and exits; the same
command again resumes without refetching what is done. A crawl that
completed starts afresh next time; an edited article's earlier version is kept
(presscrawl history, presscrawl diff). --every 1h repeats the crawl until Ctrl-C.`,
	}
	f := config.NewFlags(cmd.Flags())
	addDataDirFlag(f)
	addCrawlFlags(f)
	cmd.Flags().String("seeds-file", "", "file with more seed URLs, one per line (# comments)")
	cmd.Flags().Bool("no-extract", false, "fetch and follow links only, storing no records (with --warc: capture now, re-extract later)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "also print the final summary as one JSON object on stdout, for scripts")
	addArchiveFlags(f, true)
	f.Bind("es-wait", "es.wait", "with --index elasticsearch: how long the crawl waits at its end for the archive to take the records not yet delivered; they stay in the data dir for 'presscrawl index push'")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, f)
		if err != nil {
			return usageError(err)
		}
		if noExtract, _ := cmd.Flags().GetBool("no-extract"); noExtract {
			conf.Crawl.Extract = false
		}
		seeds, err := crawlSeeds(cmd, args)
		if err != nil {
			return usageError(err)
		}
		cfg, err := crawlerConfig(conf, seeds)
		if err != nil {
			return usageError(err)
		}
		opts.Config, opts.Seeds, opts.Crawler = conf, seeds, cfg
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		if conf.Crawl.Every > 0 {
			return runCrawlEvery(cmd.Context(), opts, time.After)
		}
		return runCrawl(cmd.Context(), opts)
	}
	return cmd
}

// runCrawlEvery repeats the crawl every period, incrementally, until ctx
// ends: each run prints its summary (stored, new versions...); a run that
// failed (a site down, the archive away) is said and the next one comes
// at its time. after waits for a period (time.After; a test's clock).
func runCrawlEvery(ctx context.Context, opts *crawlOptions, after func(time.Duration) <-chan time.Time) error {
	every := opts.Config.Crawl.Every
	for run := 1; ; run++ {
		start := time.Now()
		err := runCrawl(ctx, opts)
		var ee *exitError
		switch {
		case ctx.Err() != nil:
			return err
		case errors.As(err, &ee) && ee.code == exitUsage:
			return err
		case err != nil:
			opts.IO.Notice("run %d: %v", run, err)
		}
		wait := max(every-time.Since(start), 0)
		opts.IO.Notice("run %d done; the next starts at %s (every %s; Ctrl-C to stop)", run, time.Now().Add(wait).Format("15:04:05"), every)
		select {
		case <-ctx.Done():
			opts.IO.Notice("stopped after %d runs", run)
			return nil
		case <-after(wait):
		}
	}
}

// addCrawlFlags declares the flags of how a crawl fetches and where it
// keeps its state.
func addCrawlFlags(f *config.Flags) {
	f.Bind("max-depth", "crawl.max_depth", "link hops from a seed")
	f.Bind("max-pages", "crawl.max_pages", "stop after fetching this many pages (0: no limit)")
	f.Bind("delay", "crawl.delay", "pause after each request, per site and connection")
	f.Bind("parallelism", "crawl.parallelism", "requests in flight per site")
	f.Bind("retries", "crawl.retries", "retries after a 5xx answer or network error")
	f.Bind("include-subdomains", "crawl.include_subdomains", "crawl every subdomain of the seeds' registrable domains")
	f.Bind("allow", "crawl.allow", "only crawl URLs matching this regular expression (repeatable)")
	f.Bind("deny", "crawl.deny", "never crawl URLs matching this regular expression (repeatable)")
	f.Bind("ignore-robots", "crawl.ignore_robots", "do not obey robots.txt (only for sites you own)")
	f.Bind("allow-private", "crawl.allow_private", "let a crawl of public sites reach private, loopback and link-local addresses")
	f.Bind("user-agent", "user_agent", "User-Agent of every request")
	f.Bind("timeout", "fetch.timeout", "time limit of one request")
	f.Bind("progress-interval", "crawl.progress_interval", "progress line period when stderr is not a terminal; 0 turns it off")
	f.Bind("header", "fetch.headers", "a request header for the crawled sites, \"Name: value\" (repeatable); never sent to other hosts, credential values (Authorization, Cookie) masked wherever shown and left out of WARC files")
	f.Bind("cookies", "fetch.cookies", "a Netscape cookies.txt file (a browser's exported session, curl -c): each cookie sent only to its domain and path, never printed, left out of WARC files")
	f.Bind("proxy", "fetch.proxy", "send every request through this proxy (http://, https:// or socks5://host:port; default: HTTPS_PROXY, HTTP_PROXY)")
	f.Bind("render", "crawl.render", "render pages in a headless Chromium: never, auto (pages whose HTML is an application shell and yields no article) or always")
	f.Bind("render-tabs", "crawl.render_tabs", "pages rendered at once (one browser)")
	f.Bind("render-timeout", "crawl.render_timeout", "longest one page may take in the browser, load and scripts")
	f.Bind("render-no-sandbox", "crawl.render_no_sandbox", "run Chromium without its sandbox (needed as root): a page that exploits the browser then runs with your rights")
	f.Bind("rules", "extract.rules", "a YAML file of per-site CSS rules (body, remove, title, date, author by host), applied before the generic rules; the summary says which matched nothing")
	f.Bind("ca-cert", "fetch.ca_cert", "PEM file of a certificate authority to trust besides the system's (an intranet site's private CA); verification stays on")
	f.Bind("warc", "crawl.warc_dir", "keep every response in WARC/1.1 files in this directory (re-extract them later with 'presscrawl reextract')")
	f.Bind("warc-max-size", "crawl.warc_max_bytes", "start a new WARC file when the current one would pass this many bytes")
	f.Bind("every", "crawl.every", "repeat the crawl at this period (1h, 30m), incrementally, one summary per run with the new versions of edited articles, until Ctrl-C (0: crawl once)")
	f.Bind("recrawl-after", "crawl.recrawl_after", "in a crawl after a complete one, do not fetch again articles fetched less than this long ago (0: ask the server whether each changed)")
	f.Bind("redis", "crawl.redis", "share the crawl state through Redis (redis://host:6379/0): several processes, on several machines, crawl together; the password comes from PRESSCRAWL_CRAWL_REDIS_PASSWORD or the config file")
	f.Bind("resolve", "crawl.resolve", "send a host to an address instead of asking DNS: HOST=IP, *.suffix=IP for every name under it (curl's --resolve); repeatable")
	f.Bind("redis-ca-cert", "crawl.redis_ca_cert", "PEM file of the authority that signed a rediss:// (TLS) server's certificate, besides the system's")
	f.Bind("redis-wait", "crawl.redis_wait", "how long the crawl waits for an unreachable Redis (restarted, cut off) before it stops")
	f.Bind("scope", "crawl.scope", "site: the seeds' whole sites (robots.txt sitemaps, links to --max-depth); seeds: the seeds, the pages they link to and the pages their sitemaps and feeds list; auto: site when a seed is a site's home page, else seeds")
	f.Bind("since", "crawl.since", "only articles published on or after this day (YYYY-MM-DD): sitemap and feed entries dated before it are not fetched, and articles published before it are not stored")
	f.Bind("crawl-name", "crawl.name", "name of the shared crawl in Redis (default: derived from the seeds, so the same command joins the same crawl)")
}

// crawlSeeds are the seeds of the command line and --seeds-file, each
// checked before any data dir is made.
func crawlSeeds(cmd *cobra.Command, args []string) ([]string, error) {
	seeds := args
	if path, _ := cmd.Flags().GetString("seeds-file"); path != "" {
		more, err := readSeeds(path)
		if err != nil {
			return nil, err
		}
		seeds = append(seeds, more...)
	}
	if len(seeds) == 0 {
		return nil, fmt.Errorf("crawl needs at least one seed URL (or --seeds-file)")
	}
	for _, s := range seeds {
		if _, err := urlcanon.Parse(s, nil); err != nil {
			return nil, fmt.Errorf("seed %q: %w", urlcanon.Redact(s), err)
		}
	}
	return seeds, nil
}

// crawlStore is where a crawl keeps its records: the local index, or,
// when the archive is the search index, the records alone (local
// full-text indexing is left to the next local search).
type crawlStore interface {
	ingest.Store
	ingest.AliasStore
	elastic.Outbox
	index.Reader
	Close() error
}

// runCrawl crawls the seeds into the data dir (and the archive): the
// pipeline, the crawl state, the WARC writer and the deliverer wired
// around one crawler.Crawler, in steps.
func runCrawl(ctx context.Context, opts *crawlOptions) error {
	conf, streams := opts.Config, opts.IO
	archived := toArchive(conf) && conf.Crawl.Extract
	var archive *elastic.Client
	if archived {
		var err error
		if archive, err = openArchiveForCrawl(ctx, conf, streams); err != nil {
			return err
		}
	}
	store, err := openCrawlStore(conf.DataDir, archived, streams)
	if err != nil {
		return failure(err)
	}
	defer store.Close()
	// search, stats, export and show on this data dir read through us
	// while we hold it.
	reads, err := remote.Serve(store, filepath.Join(conf.DataDir, remote.SocketName))
	if err != nil {
		streams.Notice("%v: the data dir cannot be read while the crawl runs", err)
	} else {
		defer reads.Close()
	}
	// The data dir's files are read through mmap: release their pages
	// from our resident set, so memory stays flat as the archive grows.
	defer residency.Release(ctx, conf.DataDir, time.Second)()
	state, err := openCrawlState(ctx, conf, opts.Seeds, streams)
	if err != nil {
		return failure(err)
	}
	defer state.Close()
	capture, err := openCapture(conf)
	if err != nil {
		return failure(err)
	}
	if capture != nil {
		defer capture.Close()
		opts.Crawler.Capture = capture
	}
	rules, err := loadRules(conf)
	if err != nil {
		return usageError(err)
	}
	browser, err := startBrowser(ctx, conf, opts.Seeds)
	if err != nil {
		return usageError(err)
	}
	p := pipeline(conf, store, rules)
	if browser != nil {
		defer browser.b.Close()
		p.Renderer, p.Render = browser, renderMode(conf)
		if capture != nil { // the rendered document beside the response, as a conversion record
			p.Convert = func(pageURL, refersTo string, at time.Time, html []byte) error {
				_, err := capture.Convert(pageURL, refersTo, at, html)
				return err
			}
		}
	}
	c, err := crawler.New(opts.Crawler, state, p)
	if err != nil {
		return usageError(err)
	}
	announceCrawl(streams, opts.Seeds, conf.DataDir, opts.Crawler.SeedsOnly)
	delivery := startDelivery(ctx, conf, archive, store, streams)
	stopProgress := streams.startProgress(ctx, crawlProgress(c, conf, streams))
	snap, resumed, runErr := c.Run(ctx, opts.Seeds)
	stopProgress()
	var archiveSummary bytes.Buffer // printed after the crawl's summary
	deliveryErr := delivery.finish(ctx.Err() != nil, &archiveSummary)
	if reads != nil {
		reads.Close() // before the store it reads
	}
	closeErr := errors.Join(state.Close(), store.Close())
	if capture != nil {
		closeErr = errors.Join(closeErr, capture.Close())
	}
	return reportCrawl(ctx, opts, crawlReport{snap: snap, resumed: resumed, runErr: runErr, closeErr: closeErr,
		deliveryErr: deliveryErr, archive: archiveSummary.Bytes(), rules: rules})
}

// openCrawlStore opens the data dir for a crawl and says what opening had
// to repair.
func openCrawlStore(dir string, archived bool, streams IOStreams) (crawlStore, error) {
	if archived {
		rs, err := local.OpenRecords(dir)
		if err != nil {
			return nil, err
		}
		return rs, nil
	}
	l, err := local.Open(dir)
	if err != nil {
		return nil, err
	}
	if l.ReadOnly() {
		l.Close()
		return nil, fmt.Errorf("data dir %s: %w: a crawl writes its records there (copy it somewhere writable, or give another --data-dir)", dir, local.ErrReadOnly)
	}
	if l.Notice != "" {
		streams.Notice("%s", l.Notice)
	}
	return l, nil
}

// openCrawlState opens where the crawl keeps its frontier: the data dir,
// or Redis shared with other processes.
func openCrawlState(ctx context.Context, conf config.Config, seeds []string, streams IOStreams) (crawler.StateStore, error) {
	rurl := conf.Crawl.Redis
	if rurl == "" {
		return crawler.OpenState(conf.DataDir)
	}
	name := conf.Crawl.Name
	if name == "" {
		name = crawlName(seeds)
	}
	rc := crawler.RedisConn{URL: rurl, Password: conf.Crawl.RedisPassword}
	if ca := conf.Crawl.RedisCACert; ca != "" {
		pool, err := crawler.CertPool(ca)
		if err != nil {
			return nil, fmt.Errorf("--redis-ca-cert: %w", err)
		}
		rc.RootCAs = pool
	}
	rs, err := crawler.OpenRedisStateWith(ctx, rc, name)
	if err != nil {
		return nil, fmt.Errorf("--redis: %w", err)
	}
	rs.Wait = conf.Crawl.RedisWait
	rs.Abort = ctx.Done() // Ctrl-C ends a wait for Redis
	rs.Notify = streams.Notify
	streams.Notice("crawl state in Redis %s, crawl %q", urlcanon.MaskPassword(rurl), name)
	return rs, nil
}

// openCapture opens the WARC writer a crawl keeps its responses in, or nil.
func openCapture(conf config.Config) (*warc.Writer, error) {
	if conf.Crawl.WARCDir == "" {
		return nil, nil
	}
	return warc.NewWriter(conf.Crawl.WARCDir, conf.Crawl.WARCMaxBytes, "presscrawl/"+cliVersion())
}

// announceCrawl says what is crawled, into where, with which scope.
func announceCrawl(streams IOStreams, seeds []string, dir string, seedsOnly bool) {
	shown := make([]string, len(seeds))
	for i, s := range seeds {
		shown[i] = urlcanon.Redact(s) // never print userinfo
	}
	scope := "site: the seeds' whole sites"
	if seedsOnly {
		scope = "seeds: the seeds, what they link to and what their sitemaps and feeds list; --scope site for the whole sites"
	}
	streams.Notice("crawling %s into %s (scope %s)", strings.Join(shown, " "), dir, scope)
}

// crawlProgress is the crawl's progress line.
func crawlProgress(c *crawler.Crawler, conf config.Config, streams IOStreams) progress {
	return progress{Interval: conf.Crawl.ProgressInterval, Live: streams.ErrTTY,
		Interrupted: "interrupted: finishing the pages in flight (Ctrl-C again to quit at once)",
		Line: func() string {
			s := c.Stats().Snapshot()
			line := fmt.Sprintf("fetched %d  stored %d  queued %d  skipped %d  errors %d  %.1f pages/s",
				s.Fetched, s.Stored, s.Queued, crawler.Total(s.Skipped), crawler.Total(s.Errors), s.PagesPerSecond())
			if s.Rendered > 0 {
				line += fmt.Sprintf("  rendered %d", s.Rendered)
			}
			return line
		}}
}

// crawlReport is what a crawl's end reports.
type crawlReport struct {
	snap                          crawler.Snapshot
	resumed                       bool
	runErr, closeErr, deliveryErr error
	archive                       []byte // the delivery's summary
	rules                         *extract.Rules
}

// reportCrawl prints the summary (and the JSON one) and returns the exit
// error: the crawl's own, closing, no seed fetched, then delivery.
func reportCrawl(ctx context.Context, opts *crawlOptions, r crawlReport) error {
	streams := opts.IO
	interrupted := ctx.Err() != nil
	snap := withFlagNames(r.snap)
	printSummary(streams.ErrOut, snap, r.resumed, interrupted, r.runErr != nil)
	printRuleMisses(streams.ErrOut, r.rules)
	seeds := make([]string, len(opts.Seeds))
	for i, u := range opts.Seeds {
		seeds[i] = urlcanon.Redact(u)
	}
	summary := crawlSummary{snap, r.resumed, interrupted, r.runErr != nil, seeds, time.Now().UTC()}
	if err := writeLastCrawl(opts.Config.DataDir, summary); err != nil {
		streams.Notice("%v", err) // the crawl's records are safe; only the web face's overview lacks it
	}
	if opts.JSON {
		enc := json.NewEncoder(streams.Out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(summary); err != nil {
			return failure(fmt.Errorf("write: %w", err))
		}
	}
	streams.ErrOut.Write(r.archive)
	if r.runErr != nil {
		return failure(fmt.Errorf("crawl stopped: %w (run the same command again to resume)", r.runErr))
	}
	if r.closeErr != nil {
		return failure(r.closeErr)
	}
	if err := seedsFailed(snap.Seeds, interrupted); err != nil {
		return err
	}
	return r.deliveryErr
}

// crawlSummary is a crawl's summary as JSON: --json's object, and the
// data dir's last-crawl.json (serve's overview shows it).
type crawlSummary struct {
	crawler.Snapshot
	Resumed     bool      `json:"resumed"`
	Interrupted bool      `json:"interrupted"`
	Stopped     bool      `json:"stopped_by_error"`
	SeedURLs    []string  `json:"seed_urls"`
	EndedAt     time.Time `json:"ended_at"`
}

// lastCrawlFile is the last crawl's summary, in the data dir.
const lastCrawlFile = "last-crawl.json"

// writeLastCrawl keeps the summary in the data dir, replaced whole (a
// reader never sees half of it).
func writeLastCrawl(dir string, s crawlSummary) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, lastCrawlFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("keep the crawl's summary: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keep the crawl's summary: %w", err)
	}
	return nil
}

// seedsOnly decides the scope: auto crawls whole sites when a seed is a
// site's home page (https://news.example/), and only what the seeds lead to
// when every seed is a page inside a site (a sitemap, a feed, a section).
func seedsOnly(scope string, seeds []string) bool {
	switch scope {
	case "seeds":
		return true
	case "site":
		return false
	}
	for _, s := range seeds {
		if u, err := urlcanon.Parse(s, nil); err == nil && (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
			return false
		}
	}
	return true
}

// seedsFailed is the crawl's failure when no seed could be fetched (an
// unreachable site, a DNS failure, every seed filtered out): a crawl that
// fetched nothing from its seeds did not do what was asked. A seed done by
// an earlier run of the same crawl counts as fetched.
func seedsFailed(seeds []crawler.SeedOutcome, interrupted bool) error {
	if interrupted || len(seeds) == 0 {
		return nil
	}
	for _, s := range seeds {
		if s.Reason == "" {
			return nil
		}
	}
	return failure(fmt.Errorf("no seed could be fetched (see above)"))
}

// crawlName names a shared crawl after its seeds, so that the same command
// on several machines joins one crawl.
func crawlName(seeds []string) string {
	s := slices.Clone(seeds)
	slices.Sort(s)
	sum := sha256.Sum256([]byte(strings.Join(s, "\n")))
	return hex.EncodeToString(sum[:6])
}

func readSeeds(path string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--seeds-file %s: %w", path, pathReason(err))
	}
	defer fh.Close()
	var seeds []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			seeds = append(seeds, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--seeds-file %s: %w", path, err)
	}
	return seeds, nil
}

func printSummary(w io.Writer, s crawler.Snapshot, resumed, interrupted, stopped bool) {
	how := "finished"
	switch {
	case stopped:
		how = "stopped by an error"
	case interrupted:
		how = "interrupted"
	}
	if resumed {
		how += " (resumed)"
	}
	fmt.Fprintf(w, "presscrawl: crawl %s in %s: fetched %d, stored %d, unchanged %d, not modified %d, new versions %d, skipped %d, errors %d, still queued %d, %.1f pages/s\n",
		how, s.Elapsed.Round(1e7), s.Fetched, s.Stored, s.Unchanged, s.NotModified, s.NewVersions, crawler.Total(s.Skipped), crawler.Total(s.Errors), s.Queued, s.PagesPerSecond())
	for _, part := range []struct {
		name string
		cs   []crawler.Count
	}{{"skipped", s.Skipped}, {"errors", s.Errors}} {
		if len(part.cs) == 0 {
			continue
		}
		var items []string
		for _, c := range part.cs {
			items = append(items, fmt.Sprintf("%d %s", c.N, c.Reason))
		}
		fmt.Fprintf(w, "  %s: %s\n", part.name, strings.Join(items, "; "))
	}
	if s.Rendered > 0 {
		fmt.Fprintf(w, "  rendered in a browser: %d pages\n", s.Rendered)
	}
	for _, seed := range s.Seeds {
		if seed.Reason != "" {
			fmt.Fprintf(w, "  seed %s: %s\n", seed.URL, seed.Reason)
		}
	}
	if interrupted && s.Queued > 0 {
		fmt.Fprintln(w, "  run the same command again to resume")
	}
}

// flagWords are the reasons of the crawler and the pipeline that name a
// setting, as the command says them: by its flag.
var flagWords = map[string]string{
	crawler.SeedFilteredOut:      "filtered out by --allow, --deny or the page limit",
	crawler.SkipDatedBeforeSince: "dated before --since by its sitemap or feed",
	crawler.SkipNotChanged:       "not fetched: no change since the last crawl by its sitemap or feed date, or --recrawl-after",
	ingest.SkipNotExtracted:      "not extracted (--no-extract)",
	ingest.SkipBeforeSince:       "published before --since",
}

// withFlagNames is a crawl's snapshot with its reasons in flagWords.
func withFlagNames(s crawler.Snapshot) crawler.Snapshot {
	words := func(reason string) string {
		if w, ok := flagWords[reason]; ok {
			return w
		}
		return reason
	}
	rename := func(cs []crawler.Count) []crawler.Count {
		out := make([]crawler.Count, len(cs))
		for i, c := range cs {
			c.Reason = words(c.Reason)
			out[i] = c
		}
		return out
	}
	s.Skipped, s.Errors = rename(s.Skipped), rename(s.Errors)
	seeds := make([]crawler.SeedOutcome, len(s.Seeds))
	for i, seed := range s.Seeds {
		seed.Reason = words(seed.Reason)
		seeds[i] = seed
	}
	s.Seeds = seeds
	return s
}
