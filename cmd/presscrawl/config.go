package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/presscrawl/presscrawl/internal/config"
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
	keySince          = "crawl.since"
	keyScope          = "crawl.scope"
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

// loadConfig builds the effective configuration of cmd: its flags (bound
// to keys by flagKeys), then PRESSCRAWL_* environment variables, then the
// config file, then defaults; an unknown key, a value of the wrong type or
// out of range is an error naming the key.
func loadConfig(cmd *cobra.Command, flagKeys map[string]string) (config.Config, error) {
	v, err := loadViper(cmd, flagKeys)
	if err != nil {
		return config.Config{}, err
	}
	c, err := config.Decode(v)
	if err != nil {
		// A value given as a flag is named as the flag.
		msg := err.Error()
		for flag, key := range flagKeys {
			if f := cmd.Flags().Lookup(flag); f != nil && f.Changed {
				msg = strings.ReplaceAll(msg, key+": ", "--"+flag+": ")
			}
		}
		err = errors.New(msg)
		where := "configuration"
		if f := v.ConfigFileUsed(); f != "" {
			where = "configuration (flags, PRESSCRAWL_* variables, config file " + f + ")"
		}
		return c, fmt.Errorf("%s: %w", where, err)
	}
	return c, nil
}

// loadViper merges the sources of configuration, strongest first.
func loadViper(cmd *cobra.Command, flagKeys map[string]string) (*viper.Viper, error) {
	v := viper.New()
	config.SetDefaults(v)
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

func userAgent(conf config.Config) string {
	if ua := conf.UserAgent; ua != "" {
		return ua
	}
	return "presscrawl/" + cliVersion() + " (+https://github.com/presscrawl/presscrawl)"
}
