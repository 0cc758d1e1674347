package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/presscrawl/presscrawl/crawler"
)

// Configuration keys, documented in configs/presscrawl.yaml.
const (
	keyUserAgent      = "user_agent"
	keyFetchTimeout   = "fetch.timeout"
	keyFetchMaxBody   = "fetch.max_body_bytes"
	keyFetchCACert    = "fetch.ca_cert"
	keyExtractFormat  = "extract.format"
	keyExtractMaxPage = "extract.max_page_bytes"
	keyExtractBudget  = "extract.timeout"
	keyDataDir        = "data_dir"
	keyMaxDepth       = "crawl.max_depth"
	keyMaxPages       = "crawl.max_pages"
	keyDelay          = "crawl.delay"
	keyParallelism    = "crawl.parallelism"
	keyRetries        = "crawl.retries"
	keyIncludeSubs    = "crawl.include_subdomains"
	keyAllow          = "crawl.allow"
	keyDeny           = "crawl.deny"
	keyIgnoreRobots   = "crawl.ignore_robots"
	keyAllowPrivate   = "crawl.allow_private"
	keyProgress       = "crawl.progress_interval"
	keyExtractOn      = "crawl.extract"
	keyRecrawlAfter   = "crawl.recrawl_after"
	keyWARCDir        = "crawl.warc_dir"
	keyWARCMaxBytes   = "crawl.warc_max_bytes"
	keyRedis          = "crawl.redis"
	keyRedisPassword  = "crawl.redis_password" // secret: env or config file only
	keyCrawlName      = "crawl.name"
	keyRedisWait      = "crawl.redis_wait"
	keyIndexBackend   = "index.backend"   // local or elasticsearch
	keyESURL          = "es.url"          // also ELASTICSEARCH_URL
	keyESIndex        = "es.index"        // the write alias
	keyESUsername     = "es.username"     // env or config file only
	keyESPassword     = "es.password"     // secret: env or config file only
	keyESAPIKey       = "es.api_key"      // secret: env or config file only
	keyESCACert       = "es.ca_cert"      // PEM file of a CA to trust
	keyESWait         = "es.wait"         // how long a crawl waits at its end for delivery
	keyESBulkWorkers  = "es.bulk_workers" // bulk requests in flight
)

// secretKeys are masked wherever configuration is shown; urlKeys may hold
// a password in their userinfo, which is masked.
var (
	secretKeys = map[string]bool{keyRedisPassword: true, keyESPassword: true, keyESAPIKey: true}
	urlKeys    = map[string]bool{keyRedis: true, keyESURL: true}
)

func setDefaults(v *viper.Viper) {
	v.SetDefault(keyUserAgent, "")
	v.SetDefault(keyFetchTimeout, 15*time.Second)
	v.SetDefault(keyFetchMaxBody, 10<<20)
	v.SetDefault(keyFetchCACert, "")
	v.SetDefault(keyExtractFormat, "json")
	v.SetDefault(keyExtractMaxPage, 10<<20)
	v.SetDefault(keyExtractBudget, 10*time.Second)
	v.SetDefault(keyDataDir, "./presscrawl-data")
	d := crawler.DefaultConfig()
	v.SetDefault(keyMaxDepth, d.MaxDepth)
	v.SetDefault(keyMaxPages, d.MaxPages)
	v.SetDefault(keyDelay, d.Delay)
	v.SetDefault(keyParallelism, d.Parallelism)
	v.SetDefault(keyRetries, d.Retries)
	v.SetDefault(keyIncludeSubs, false)
	v.SetDefault(keyAllow, []string{})
	v.SetDefault(keyDeny, []string{})
	v.SetDefault(keyIgnoreRobots, false)
	v.SetDefault(keyAllowPrivate, false)
	v.SetDefault(keyProgress, 10*time.Second)
	v.SetDefault(keyExtractOn, true)
	v.SetDefault(keyRecrawlAfter, time.Duration(0))
	v.SetDefault(keyWARCDir, "")
	v.SetDefault(keyWARCMaxBytes, 1<<30)
	v.SetDefault(keyRedis, "")
	v.SetDefault(keyRedisPassword, "")
	v.SetDefault(keyCrawlName, "")
	v.SetDefault(keyRedisWait, crawler.DefaultRedisWait)
	v.SetDefault(keyIndexBackend, "local")
	v.SetDefault(keyESURL, "http://localhost:9200")
	v.SetDefault(keyESIndex, "articles")
	v.SetDefault(keyESUsername, "")
	v.SetDefault(keyESPassword, "")
	v.SetDefault(keyESAPIKey, "")
	v.SetDefault(keyESCACert, "")
	v.SetDefault(keyESWait, 2*time.Minute)
	v.SetDefault(keyESBulkWorkers, 2)
}

// loadConfig builds the effective configuration of cmd: its flags (bound
// to keys by flagKeys), then PRESSCRAWL_* environment variables, then the
// config file, then defaults.
func loadConfig(cmd *cobra.Command, flagKeys map[string]string) (*viper.Viper, error) {
	v := viper.New()
	setDefaults(v)
	v.SetEnvPrefix("PRESSCRAWL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if err := v.BindEnv(keyESURL, "PRESSCRAWL_ES_URL", "ELASTICSEARCH_URL"); err != nil {
		return nil, fmt.Errorf("bind ELASTICSEARCH_URL: %w", err)
	}
	for flag, key := range flagKeys {
		if err := v.BindPFlag(key, cmd.Flags().Lookup(flag)); err != nil {
			return nil, fmt.Errorf("bind flag --%s: %w", flag, err)
		}
	}
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		path = os.Getenv("PRESSCRAWL_CONFIG")
	}
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("config file %s: %w", path, err)
		}
		return v, nil
	}
	// Only these exact names: viper's own search would also take a file
	// named "presscrawl" without extension, such as the binary itself.
	for _, cand := range defaultConfigFiles() {
		if st, err := os.Stat(cand); err == nil && !st.IsDir() {
			v.SetConfigFile(cand)
			if err := v.ReadInConfig(); err != nil {
				return nil, fmt.Errorf("config file %s: %w", cand, err)
			}
			break
		}
	}
	return v, nil
}

func defaultConfigFiles() []string {
	files := []string{"presscrawl.yaml"}
	if dir := configDir(); dir != "" {
		files = append(files, filepath.Join(dir, "presscrawl", "presscrawl.yaml"))
	}
	return files
}

func configDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		return d
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".config")
	}
	return ""
}

func userAgent(v *viper.Viper) string {
	if ua := v.GetString(keyUserAgent); ua != "" {
		return ua
	}
	return "presscrawl/" + cliVersion() + " (+https://github.com/presscrawl/presscrawl)"
}
