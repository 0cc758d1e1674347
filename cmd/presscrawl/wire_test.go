package main

import (
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/warc"
)

// The configuration holds the defaults; the libraries keep their own for a
// zero setting. They must be the same values.
func TestLibraryDefaultsMatchTheConfiguration(t *testing.T) {
	d, c := config.Default(), crawler.DefaultConfig()
	for _, tc := range []struct {
		what      string
		conf, lib any
	}{
		{"fetch.timeout", d.Fetch.Timeout, c.Timeout},
		{"fetch.max_body_bytes", d.Fetch.MaxBodyBytes, c.MaxBodyBytes},
		{"crawl.max_depth", d.Crawl.MaxDepth, c.MaxDepth},
		{"crawl.max_pages", d.Crawl.MaxPages, c.MaxPages},
		{"crawl.delay", d.Crawl.Delay, c.Delay},
		{"crawl.parallelism", d.Crawl.Parallelism, c.Parallelism},
		{"crawl.retries", d.Crawl.Retries, c.Retries},
		{"crawl.redis_wait", d.Crawl.RedisWait, time.Duration(crawler.DefaultRedisWait)},
		{"crawl.warc_max_bytes", d.Crawl.WARCMaxBytes, int64(warc.DefaultMaxFileBytes)},
		{"extract.max_page_bytes", d.Extract.MaxPageBytes, extract.DefaultMaxBytes},
	} {
		if tc.conf != tc.lib {
			t.Errorf("%s: the configuration's default %v, the library's %v", tc.what, tc.conf, tc.lib)
		}
	}
}

// crawlerConfig carries every crawl setting into the crawler's own.
func TestCrawlerConfigFromTheConfiguration(t *testing.T) {
	conf := config.Default()
	conf.Crawl.MaxDepth, conf.Crawl.MaxPages, conf.Crawl.Delay, conf.Crawl.Parallelism = 2, 30, 3*time.Second, 7
	conf.Crawl.Retries, conf.Crawl.IgnoreRobots, conf.Crawl.IncludeSubdomains, conf.Crawl.AllowPrivate = 5, true, true, true
	conf.Crawl.Allow, conf.Crawl.Deny, conf.Crawl.RecrawlAfter = []string{"/news/"}, []string{"/tag/"}, time.Hour
	conf.Crawl.Since, conf.Crawl.Scope = "2024-03-01", "seeds"
	conf.Fetch.Timeout, conf.Fetch.MaxBodyBytes, conf.UserAgent = 9*time.Second, 1234, "research-bot/1"
	cfg, err := crawlerConfig(conf, []string{"https://news.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MaxDepth != 2 || cfg.MaxPages != 30 || cfg.Delay != 3*time.Second || cfg.Parallelism != 7 || cfg.Retries != 5 ||
		!cfg.IgnoreRobots || !cfg.IncludeSubdomains || !cfg.AllowPrivate || cfg.Allow[0] != "/news/" || cfg.Deny[0] != "/tag/" ||
		cfg.RecrawlAfter != time.Hour || cfg.Timeout != 9*time.Second || cfg.MaxBodyBytes != 1234 || cfg.UserAgent != "research-bot/1" ||
		!cfg.SeedsOnly || cfg.Since.Format("2006-01-02") != "2024-03-01" || cfg.RetryBackoff != crawler.DefaultConfig().RetryBackoff {
		t.Errorf("crawler config %+v", cfg)
	}
	conf.Fetch.CACert = t.TempDir() + "/missing.pem"
	if _, err := crawlerConfig(conf, nil); err == nil || err.Error()[:10] != "--ca-cert:" {
		t.Errorf("a missing CA file: %v, want an error naming --ca-cert", err)
	}
}

// The reasons the crawler and the pipeline count are said in the words of
// the command's flags, the others as they are.
func TestSummaryReasonsNameTheFlags(t *testing.T) {
	s := withFlagNames(crawler.Snapshot{
		Skipped: []crawler.Count{{Reason: crawler.SkipDatedBeforeSince, N: 2}, {Reason: "not an article", N: 1}},
		Seeds:   []crawler.SeedOutcome{{URL: "https://a.example/", Reason: crawler.SeedFilteredOut}},
	})
	if s.Skipped[0].Reason != "dated before --since by its sitemap or feed" || s.Skipped[0].N != 2 || s.Skipped[1].Reason != "not an article" ||
		s.Seeds[0].Reason != "filtered out by --allow, --deny or the page limit" {
		t.Errorf("%+v", s)
	}
}
