package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
completed starts afresh next time, updating changed articles in place.`,
	}
	f := cmd.Flags()
	addDataDirFlag(f)
	f.String("seeds-file", "", "file with more seed URLs, one per line (# comments)")
	f.Int("max-depth", def.Crawl.MaxDepth, "link hops from a seed")
	f.Int("max-pages", def.Crawl.MaxPages, "stop after fetching this many pages (0: no limit)")
	f.Duration("delay", def.Crawl.Delay, "pause after each request, per site and connection")
	f.Int("parallelism", def.Crawl.Parallelism, "requests in flight per site")
	f.Int("retries", def.Crawl.Retries, "retries after a 5xx answer or network error")
	f.Bool("include-subdomains", false, "crawl every subdomain of the seeds' registrable domains")
	f.StringArray("allow", nil, "only crawl URLs matching this regular expression (repeatable)")
	f.StringArray("deny", nil, "never crawl URLs matching this regular expression (repeatable)")
	f.Bool("ignore-robots", false, "do not obey robots.txt (only for sites you own)")
	f.Bool("allow-private", false, "let a crawl of public sites reach private, loopback and link-local addresses")
	f.String("user-agent", "", "User-Agent of every request")
	f.Duration("timeout", def.Fetch.Timeout, "time limit of one request")
	f.Duration("progress-interval", def.Crawl.ProgressInterval, "progress line period when stderr is not a terminal; 0 turns it off")
	f.String("ca-cert", "", "PEM file of a certificate authority to trust besides the system's (an intranet site's private CA); verification stays on")
	f.String("warc", "", "keep every response in WARC/1.1 files in this directory (re-extract them later with 'presscrawl reextract')")
	f.Int64("warc-max-size", def.Crawl.WARCMaxBytes, "start a new WARC file when the current one would pass this many bytes")
	f.Bool("no-extract", false, "fetch and follow links only, storing no records (with --warc: capture now, re-extract later)")
	f.Duration("recrawl-after", def.Crawl.RecrawlAfter, "in a crawl after a complete one, do not fetch again articles fetched less than this long ago (0: ask the server whether each changed)")
	f.String("redis", "", "share the crawl state through Redis (redis://host:6379/0): several processes, on several machines, crawl together; the password comes from PRESSCRAWL_CRAWL_REDIS_PASSWORD or the config file")
	f.Duration("redis-wait", def.Crawl.RedisWait, "how long the crawl waits for an unreachable Redis (restarted, cut off) before it stops")
	f.String("scope", def.Crawl.Scope, "site: the seeds' whole sites (robots.txt sitemaps, links to --max-depth); seeds: the seeds, the pages they link to and the pages their sitemaps and feeds list; auto: site when a seed is a site's home page, else seeds")
	f.String("since", "", "only articles published on or after this day (YYYY-MM-DD): sitemap and feed entries dated before it are not fetched, and articles published before it are not stored")
	f.String("crawl-name", "", "name of the shared crawl in Redis (default: derived from the seeds, so the same command joins the same crawl)")
	f.BoolVar(&opts.JSON, "json", false, "also print the final summary as one JSON object on stdout, for scripts")
	archiveKeys := addArchiveFlags(f, true)
	f.Duration("es-wait", def.ES.Wait, "with --index elasticsearch: how long the crawl waits at its end for the archive to take the records not yet delivered; they stay in the data dir for 'presscrawl index push'")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, merge(map[string]string{
			"data-dir": keyDataDir, "max-depth": keyMaxDepth, "max-pages": keyMaxPages, "delay": keyDelay,
			"parallelism": keyParallelism, "retries": keyRetries, "include-subdomains": keyIncludeSubs,
			"allow": keyAllow, "deny": keyDeny, "ignore-robots": keyIgnoreRobots, "allow-private": keyAllowPrivate, "user-agent": keyUserAgent,
			"timeout": keyFetchTimeout, "progress-interval": keyProgress,
			"warc": keyWARCDir, "warc-max-size": keyWARCMaxBytes, "recrawl-after": keyRecrawlAfter,
			"redis": keyRedis, "crawl-name": keyCrawlName, "redis-wait": keyRedisWait, "ca-cert": keyFetchCACert,
			"es-wait": keyESWait, "since": keySince, "scope": keyScope,
		}, archiveKeys))
		if err != nil {
			return usageError(err)
		}
		seeds := args
		if path, _ := cmd.Flags().GetString("seeds-file"); path != "" {
			more, err := readSeeds(path)
			if err != nil {
				return usageError(err)
			}
			seeds = append(seeds, more...)
		}
		if len(seeds) == 0 {
			return usageError(fmt.Errorf("crawl needs at least one seed URL (or --seeds-file)"))
		}
		for _, s := range seeds { // before any data dir is made
			if _, err := urlcanon.Parse(s, nil); err != nil {
				return usageError(fmt.Errorf("seed %q: %w", urlcanon.Redact(s), err))
			}
		}
		cfg := crawler.Config{
			MaxDepth: conf.Crawl.MaxDepth, MaxPages: conf.Crawl.MaxPages, Delay: conf.Crawl.Delay,
			Parallelism: conf.Crawl.Parallelism, UserAgent: userAgent(conf), Timeout: conf.Fetch.Timeout,
			Retries: conf.Crawl.Retries, RetryBackoff: crawler.DefaultConfig().RetryBackoff,
			MaxBodyBytes: conf.Fetch.MaxBodyBytes, IgnoreRobots: conf.Crawl.IgnoreRobots,
			IncludeSubdomains: conf.Crawl.IncludeSubdomains, Allow: conf.Crawl.Allow, Deny: conf.Crawl.Deny,
			AllowPrivate: conf.Crawl.AllowPrivate, RecrawlAfter: conf.Crawl.RecrawlAfter,
		}
		since, _ := conf.Crawl.SinceTime() // checked by config.Validate
		cfg.Since = since
		cfg.SeedsOnly = seedsOnly(conf.Crawl.Scope, seeds)
		if ca := conf.Fetch.CACert; ca != "" {
			if cfg.RootCAs, err = crawler.CertPool(ca); err != nil {
				return usageError(err)
			}
		}
		if noExtract, _ := cmd.Flags().GetBool("no-extract"); noExtract {
			conf.Crawl.Extract = false
		}
		opts.Config, opts.Seeds, opts.Crawler = conf, seeds, cfg
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runCrawl(cmd.Context(), opts)
	}
	return cmd
}

// runCrawl crawls the seeds into the data dir (and the archive): the
// pipeline, the crawl state, the WARC writer and the deliverer wired
// around one crawler.Crawler.
func runCrawl(ctx context.Context, opts *crawlOptions) error {
	conf, cfg, seeds, streams := opts.Config, opts.Crawler, opts.Seeds, opts.IO
	var err error
	extractOn := conf.Crawl.Extract
	toArchive := backend(conf)
	var archive *elastic.Client
	if toArchive == "elasticsearch" && extractOn {
		if archive, err = openArchiveForCrawl(ctx, conf, streams); err != nil {
			return err
		}
	}
	dir := conf.DataDir
	// With the archive as the search index, the crawl keeps the records
	// alone: local full-text indexing is left to the next local search.
	openStore := index.OpenLocal
	if toArchive == "elasticsearch" && extractOn {
		openStore = index.OpenRecords
	}
	store, err := openStore(dir)
	if err != nil {
		return failure(err)
	}
	defer store.Close()
	if store.Notice != "" {
		fmt.Fprintf(streams.ErrOut, "presscrawl: %s\n", store.Notice)
	}
	// search, stats, export and show on this data dir read through us
	// while we hold it.
	reads, err := remote.Serve(localReader{store}, filepath.Join(dir, remote.SocketName))
	if err != nil {
		fmt.Fprintf(streams.ErrOut, "presscrawl: %v: the data dir cannot be read while the crawl runs\n", err)
	} else {
		defer reads.Close()
	}
	// The data dir's files are read through mmap: release their pages
	// from our resident set, so memory stays flat as the archive grows.
	defer residency.Release(ctx, dir, time.Second)()
	var state crawler.Store
	if rurl := conf.Crawl.Redis; rurl != "" {
		name := conf.Crawl.Name
		if name == "" {
			name = crawlName(seeds)
		}
		var rs *crawler.RedisState
		rs, err = crawler.OpenRedisState(ctx, rurl, conf.Crawl.RedisPassword, name)
		if err == nil {
			rs.Wait = conf.Crawl.RedisWait
			rs.Abort = ctx.Done() // Ctrl-C ends a wait for Redis
			rs.Notify = func(msg string) { fmt.Fprintf(streams.ErrOut, "presscrawl: %s\n", msg) }
			state = rs
			fmt.Fprintf(streams.ErrOut, "presscrawl: crawl state in Redis %s, crawl %q\n", crawler.RedactURL(rurl), name)
		}
	} else {
		state, err = crawler.OpenState(dir)
	}
	if err != nil {
		return failure(err)
	}
	defer state.Close()
	if wdir := conf.Crawl.WARCDir; wdir != "" {
		w, err := warc.NewWriter(wdir, conf.Crawl.WARCMaxBytes, "presscrawl/"+cliVersion())
		if err != nil {
			return failure(err)
		}
		defer w.Close()
		cfg.Archive = w
	}
	c, err := crawler.New(cfg, state, ingest.Pipeline{Extractor: extract.Extractor{MaxBytes: conf.Extract.MaxPageBytes}, Store: store, Off: !extractOn, Budget: conf.Extract.Timeout, Since: cfg.Since})
	if err != nil {
		return usageError(err)
	}
	shown := make([]string, len(seeds))
	for i, s := range seeds {
		shown[i] = urlcanon.Redact(s) // never print userinfo
	}
	scope := "site: the seeds' whole sites"
	if cfg.SeedsOnly {
		scope = "seeds: the seeds, what they link to and what their sitemaps and feeds list; --scope site for the whole sites"
	}
	fmt.Fprintf(streams.ErrOut, "presscrawl: crawling %s into %s (scope %s)\n", strings.Join(shown, " "), dir, scope)
	delivery := startDelivery(ctx, conf, archive, store, dir, streams)
	stopProgress := startProgress(ctx, streams.ErrOut, streams.ErrTTY, conf.Crawl.ProgressInterval, c.Stats().Snapshot)
	snap, resumed, runErr := c.Run(ctx, seeds)
	stopProgress()
	var archiveSummary bytes.Buffer // printed after the crawl's summary
	deliveryErr := delivery.finish(ctx.Err() != nil, &archiveSummary)
	if reads != nil {
		reads.Close() // before the store it reads
	}
	closeErr := state.Close()
	if err := store.Close(); err != nil && closeErr == nil {
		closeErr = err
	}
	if w, ok := cfg.Archive.(*warc.Writer); ok {
		if err := w.Close(); err != nil && closeErr == nil {
			closeErr = err
		}
	}
	interrupted := ctx.Err() != nil
	printSummary(streams.ErrOut, snap, resumed, interrupted, runErr != nil)
	if opts.JSON {
		enc := json.NewEncoder(streams.Out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			crawler.Snapshot
			Resumed     bool `json:"resumed"`
			Interrupted bool `json:"interrupted"`
			Stopped     bool `json:"stopped_by_error"`
		}{snap, resumed, interrupted, runErr != nil}); err != nil {
			return failure(fmt.Errorf("write: %w", err))
		}
	}
	streams.ErrOut.Write(archiveSummary.Bytes())
	if runErr != nil {
		return failure(fmt.Errorf("crawl stopped: %w (run the same command again to resume)", runErr))
	}
	if closeErr != nil {
		return failure(closeErr)
	}
	if err := seedsFailed(snap.Seeds, interrupted); err != nil {
		return err
	}
	return deliveryErr
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
	fmt.Fprintf(w, "presscrawl: crawl %s in %s: fetched %d, stored %d, unchanged %d, not modified %d, skipped %d, errors %d, still queued %d, %.1f pages/s\n",
		how, s.Elapsed.Round(1e7), s.Fetched, s.Stored, s.Unchanged, s.NotModified, crawler.Total(s.Skipped), crawler.Total(s.Errors), s.Queued, s.PagesPerSecond())
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
	for _, seed := range s.Seeds {
		if seed.Reason != "" {
			fmt.Fprintf(w, "  seed %s: %s\n", seed.URL, seed.Reason)
		}
	}
	if interrupted && s.Queued > 0 {
		fmt.Fprintln(w, "  run the same command again to resume")
	}
}
