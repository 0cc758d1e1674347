package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/index/remote"
	"github.com/presscrawl/presscrawl/ingest"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/render"
)

// This file is the composition root: the one place the configuration
// becomes the components' own settings (crawler.Config, the pipeline,
// elastic.Config) and where the indexes are opened. The commands call
// these; no component reads the configuration.

// crawlerConfig is the crawler's part of the configuration, its
// certificate authority loaded.
func crawlerConfig(conf config.Config, seeds []string) (crawler.Config, error) {
	cfg := crawler.Config{
		MaxDepth: conf.Crawl.MaxDepth, MaxPages: conf.Crawl.MaxPages, Delay: conf.Crawl.Delay,
		Parallelism: conf.Crawl.Parallelism, UserAgent: userAgent(conf), Timeout: conf.Fetch.Timeout,
		Retries: conf.Crawl.Retries, RetryBackoff: crawler.DefaultConfig().RetryBackoff,
		MaxBodyBytes: conf.Fetch.MaxBodyBytes, IgnoreRobots: conf.Crawl.IgnoreRobots,
		IncludeSubdomains: conf.Crawl.IncludeSubdomains, Allow: conf.Crawl.Allow, Deny: conf.Crawl.Deny,
		AllowPrivate: conf.Crawl.AllowPrivate, RecrawlAfter: conf.Crawl.RecrawlAfter,
	}
	cfg.Since, _ = conf.Crawl.SinceTime() // checked by config.Validate
	cfg.SeedsOnly = seedsOnly(conf.Crawl.Scope, seeds)
	if ca := conf.Fetch.CACert; ca != "" {
		pool, err := crawler.CertPool(ca)
		if err != nil {
			return cfg, fmt.Errorf("--ca-cert: %w", err)
		}
		cfg.RootCAs = pool
	}
	rs, err := crawler.ParseResolve(conf.Crawl.Resolve)
	if err != nil {
		return cfg, fmt.Errorf("--resolve: %w", err)
	}
	cfg.Resolve = rs
	h, err := crawler.ParseHeaders(conf.Fetch.Headers)
	if err != nil {
		return cfg, fmt.Errorf("--header: %w", err)
	}
	cfg.Header = h
	if f := conf.Fetch.Cookies; f != "" {
		jar, _, err := crawler.LoadCookies(f, time.Now())
		if err != nil {
			return cfg, fmt.Errorf("--cookies: %w", err)
		}
		cfg.Cookies = jar
	}
	if p := conf.Fetch.Proxy; p != "" {
		cfg.Proxy, _ = url.Parse(p) // checked by config.Validate
	}
	return cfg, nil
}

// pipeline is the path from a page to store: the extractor as configured,
// with the per-site rules loaded (loadRules).
func pipeline(conf config.Config, store ingest.Store, rules *extract.Rules) ingest.Pipeline {
	since, _ := conf.Crawl.SinceTime()
	return ingest.Pipeline{Extractor: extractor(conf, rules), Store: store,
		Off: !conf.Crawl.Extract, Budget: conf.Extract.Timeout, Since: since}
}

// extractor is the extractor as configured.
func extractor(conf config.Config, rules *extract.Rules) extract.Extractor {
	return extract.Extractor{MaxBytes: conf.Extract.MaxPageBytes, Rules: rules}
}

// loadRules reads the per-site rules file (extract.rules, --rules); nil
// when none is named.
func loadRules(conf config.Config) (*extract.Rules, error) {
	if conf.Extract.Rules == "" {
		return nil, nil
	}
	b, err := os.ReadFile(conf.Extract.Rules)
	if err != nil {
		return nil, fmt.Errorf("--rules: %w", err)
	}
	rs, err := extract.ParseRules(b)
	if err != nil {
		return nil, fmt.Errorf("--rules %s: %w", conf.Extract.Rules, err)
	}
	return rs, nil
}

// printRuleMisses says which per-site rules matched nothing, and on how
// many pages: markup changes silently.
func printRuleMisses(w io.Writer, rules *extract.Rules) {
	for _, m := range rules.Misses() {
		fmt.Fprintf(w, "  %s\n", m)
	}
}

// userAgent is the configured User-Agent, or presscrawl's own.
func userAgent(conf config.Config) string {
	if ua := conf.UserAgent; ua != "" {
		return ua
	}
	return "presscrawl/" + cliVersion() + " (+https://github.com/presscrawl/presscrawl)"
}

// toArchive: the configuration names the archive as the index.
func toArchive(conf config.Config) bool { return conf.Index.Backend == "elasticsearch" }

func esConfig(conf config.Config) elastic.Config {
	return elastic.Config{URL: conf.ES.URL, Index: conf.ES.Index, Username: conf.ES.Username,
		Password: conf.ES.Password, APIKey: conf.ES.APIKey, CACert: conf.ES.CACert,
		CAFingerprint: conf.ES.CAFingerprint, CloudID: conf.ES.CloudID, LifecyclePolicy: conf.ES.LifecyclePolicy}
}

// connectArchive connects to the archive: an error naming it and why, and
// the flag when a setting is wrong.
func connectArchive(ctx context.Context, conf config.Config) (*elastic.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := elastic.Connect(ctx, esConfig(conf))
	switch {
	case errors.Is(err, elastic.ErrIndexName):
		return nil, fmt.Errorf("--es-index: %w", err)
	case errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission):
		return nil, fmt.Errorf("--es-ca-cert: %w", err)
	}
	return c, err
}

// openArchive connects to the archive and sets it up (template, first
// index, alias: idempotent), for every command that writes to it.
func openArchive(ctx context.Context, conf config.Config) (*elastic.Client, error) {
	c, err := connectArchive(ctx, conf)
	if err != nil {
		return nil, err
	}
	if err := c.Setup(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// archiveName is how a command names the archive it talks to.
func archiveName(c *elastic.Client) string {
	return fmt.Sprintf("%s at %s, alias %s", c.Server, c.URL(), c.Index())
}

// deadLetterFile is where the archive's refusals are kept, in the data dir.
const deadLetterFile = "dead-letter.jsonl"

// newDeliverer makes the deliverer of a data dir's outbox to the archive.
func newDeliverer(conf config.Config, c *elastic.Client, outbox elastic.Outbox, streams IOStreams) *elastic.Deliverer {
	return &elastic.Deliverer{Client: c, Outbox: outbox, DeadLetter: filepath.Join(conf.DataDir, deadLetterFile),
		Workers: conf.ES.BulkWorkers, Notify: streams.Notify, Patience: conf.ES.Wait}
}

// openFunc opens the index a read command reads.
type openFunc func(context.Context, config.Config) (index.ReadCloser, error)

// readerOpener opens the index the read commands use (the archive, the
// local index, or the local index through the crawl holding it) and says
// on streams what opening had to repair.
func readerOpener(streams IOStreams) openFunc {
	return func(ctx context.Context, conf config.Config) (index.ReadCloser, error) {
		if toArchive(conf) {
			c, err := connectArchive(ctx, conf)
			if err != nil {
				return nil, failure(err)
			}
			return c, nil
		}
		store, err := openExisting(conf.DataDir, local.Open)
		if errors.Is(err, local.ErrInUse) {
			// A crawl holds the data dir: read what it committed, through it.
			if c, derr := remote.Dial(ctx, filepath.Join(conf.DataDir, remote.SocketName)); derr == nil {
				streams.Notice("the data dir is in use by a crawl: reading what it has committed, through it")
				return c, nil
			}
		}
		if err != nil {
			return nil, failure(err)
		}
		if store.Notice != "" {
			streams.Notice("%s", store.Notice)
		}
		return store, nil
	}
}

// openExisting opens, with open (local.Open, local.OpenOutbox), the data
// directory a crawl made, and refuses a directory that holds none.
func openExisting[T any](dir string, open func(string) (T, error)) (T, error) {
	if _, err := os.Stat(filepath.Join(dir, local.RecordsFile)); err != nil {
		var zero T
		return zero, fmt.Errorf("%s holds no index (run presscrawl crawl first, or give --data-dir)", dir)
	}
	return open(dir)
}

// searchError is the exit error of a failed search: a query the index
// cannot read is a usage error.
func searchError(err error) error {
	if errors.Is(err, index.ErrBadQuery) {
		return usageError(err)
	}
	return failure(err)
}

// renderMode is the pipeline's rendering mode of crawl.render.
func renderMode(conf config.Config) ingest.RenderMode {
	switch conf.Crawl.Render {
	case "auto":
		return ingest.RenderAuto
	case "always":
		return ingest.RenderAlways
	}
	return ingest.RenderNever
}

// startBrowser starts the browser of --render auto|always, nil for never.
// Its pages may reach private addresses only where the crawl's may: the
// seeds' own local hosts, or anywhere with --allow-private.
func startBrowser(ctx context.Context, conf config.Config, seeds []string) (*browserRenderer, error) {
	if renderMode(conf) == ingest.RenderNever {
		return nil, nil
	}
	b, err := render.Start(ctx, render.Options{Browser: conf.Crawl.RenderBrowser, Tabs: conf.Crawl.RenderTabs,
		Timeout: conf.Crawl.RenderTimeout, NoSandbox: conf.Crawl.RenderNoSandbox, UserAgent: userAgent(conf)})
	if err != nil {
		return nil, fmt.Errorf("--render %s: %w", conf.Crawl.Render, err)
	}
	var hosts []string
	for _, s := range seeds {
		if u, err := url.Parse(s); err == nil {
			hosts = append(hosts, u.Hostname())
		}
	}
	local := crawler.LocalHosts(ctx, hosts)
	return &browserRenderer{b: b, private: func(h string) bool { return conf.Crawl.AllowPrivate || local[strings.ToLower(h)] }}, nil
}

// browserRenderer is the browser as the pipeline's Renderer.
type browserRenderer struct {
	b       *render.Browser
	private func(host string) bool
}

func (r *browserRenderer) Render(ctx context.Context, pageURL string, allow func(*url.URL) bool) ([]byte, error) {
	html, err := r.b.Render(ctx, pageURL, render.Guard{Allow: allow, Private: r.private})
	if errors.Is(err, render.ErrLaunch) {
		return nil, fmt.Errorf("--render: %w: %w", ingest.ErrRenderer, err)
	}
	return html, err
}
