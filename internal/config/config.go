// Package config is presscrawl's configuration: one typed Config, its
// defaults in one place (Default, literal values), each flag declared once
// with the key it sets (Flags), read from flags, PRESSCRAWL_* environment
// variables and a YAML file (Load), and checked once (Validate). An unknown key or a value of the wrong type is an error
// naming the key, never a silent zero: `crawl.delay: "one second"` does not
// become a crawl without delay. configs/presscrawl.yaml documents every key
// with its default; a test holds the two together.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// Config is every setting of presscrawl. The zero value of a field is not
// its default: start from Default.
type Config struct {
	// DataDir holds the local index and the crawl state.
	DataDir string `mapstructure:"data_dir"`
	// UserAgent of every request; "" means presscrawl/<version> (+URL).
	UserAgent string  `mapstructure:"user_agent"`
	Fetch     Fetch   `mapstructure:"fetch"`
	Crawl     Crawl   `mapstructure:"crawl"`
	Extract   Extract `mapstructure:"extract"`
	Index     Index   `mapstructure:"index"`
	ES        ES      `mapstructure:"es"`
	Serve     Serve   `mapstructure:"serve"`
}

// Serve is the web face (presscrawl serve).
type Serve struct {
	// Addr is the address listened on: loopback unless given otherwise.
	Addr string `mapstructure:"addr"`
	// Token is required of every request when set (and generated when the
	// address is not loopback and none is given).
	Token string `mapstructure:"token"` // secret
}

// Fetch is how pages are fetched.
type Fetch struct {
	Timeout      time.Duration `mapstructure:"timeout"`        // one request
	MaxBodyBytes int           `mapstructure:"max_body_bytes"` // larger bodies are skipped
	CACert       string        `mapstructure:"ca_cert"`        // PEM file of an extra authority
	// Headers are "Name: value" lines sent to the crawl's sites; the
	// values of credential headers are masked wherever shown.
	Headers []string `mapstructure:"headers"`
	// Cookies is a Netscape cookies.txt file (a browser's exported session).
	Cookies string `mapstructure:"cookies"`
	// Proxy carries every request (http://, https:// or socks5://);
	// empty: HTTPS_PROXY and HTTP_PROXY.
	Proxy string `mapstructure:"proxy"`
}

// Crawl is how sites are crawled.
type Crawl struct {
	MaxDepth          int           `mapstructure:"max_depth"`
	MaxPages          int           `mapstructure:"max_pages"` // 0: no limit
	Delay             time.Duration `mapstructure:"delay"`
	Parallelism       int           `mapstructure:"parallelism"`
	Retries           int           `mapstructure:"retries"`
	IncludeSubdomains bool          `mapstructure:"include_subdomains"`
	Allow             []string      `mapstructure:"allow"`
	Deny              []string      `mapstructure:"deny"`
	IgnoreRobots      bool          `mapstructure:"ignore_robots"`
	AllowPrivate      bool          `mapstructure:"allow_private"`
	// Resolve sends hosts to addresses instead of DNS: HOST=IP entries,
	// *.suffix for every name under it (curl's --resolve).
	Resolve          []string      `mapstructure:"resolve"`
	ProgressInterval time.Duration `mapstructure:"progress_interval"` // 0: no progress lines
	Extract          bool          `mapstructure:"extract"`           // false: capture only
	RecrawlAfter     time.Duration `mapstructure:"recrawl_after"`
	Every            time.Duration `mapstructure:"every"`    // 0: crawl once
	WARCDir          string        `mapstructure:"warc_dir"` // "": no WARC capture
	WARCMaxBytes     int64         `mapstructure:"warc_max_bytes"`
	Redis            string        `mapstructure:"redis"`          // "": state in the data dir
	RedisPassword    string        `mapstructure:"redis_password"` // secret
	RedisCACert      string        `mapstructure:"redis_ca_cert"`  // PEM authority of a rediss:// server
	RedisWait        time.Duration `mapstructure:"redis_wait"`
	Name             string        `mapstructure:"name"` // "": from the seeds
	// Since: only articles published on or after this day (YYYY-MM-DD) or
	// time (RFC 3339); "" for all.
	Since string `mapstructure:"since"`
	// Scope: site (the seeds' whole sites), seeds (the seeds, what they
	// link to and what their sitemaps and feeds list), or auto (site when a
	// seed is a site's home, else seeds).
	Scope string `mapstructure:"scope"`
	// Render: never, auto (application shells that yield no article) or
	// always (every HTML page) in a headless Chromium.
	Render          string        `mapstructure:"render"`
	RenderTabs      int           `mapstructure:"render_tabs"`       // pages rendered at once
	RenderTimeout   time.Duration `mapstructure:"render_timeout"`    // one page, load and scripts
	RenderNoSandbox bool          `mapstructure:"render_no_sandbox"` // Chromium without its sandbox (as root)
	RenderBrowser   string        `mapstructure:"render_browser"`    // Chromium's path; "": found on PATH
}

// Extract is how pages are extracted.
type Extract struct {
	Format       string        `mapstructure:"format"` // json or text
	MaxPageBytes int           `mapstructure:"max_page_bytes"`
	Timeout      time.Duration `mapstructure:"timeout"` // 0: no budget
	// Rules is a YAML file of per-site CSS rules (body, remove, title,
	// date, author by host); empty: none.
	Rules string `mapstructure:"rules"`
}

// Index is where records go.
type Index struct {
	Backend string `mapstructure:"backend"` // local or elasticsearch
}

// ES is the archive.
type ES struct {
	URL      string `mapstructure:"url"`
	Index    string `mapstructure:"index"`
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"` // secret
	APIKey   string `mapstructure:"api_key"`  // secret
	CACert   string `mapstructure:"ca_cert"`
	// CAFingerprint pins the SHA-256 of the CA certificate Elasticsearch 8
	// prints on first start, instead of a CA file.
	CAFingerprint string `mapstructure:"ca_fingerprint"`
	// CloudID is an Elastic Cloud deployment's id, instead of URL.
	CloudID string `mapstructure:"cloud_id"`
	// LifecyclePolicy names an existing ILM (Elasticsearch) or ISM
	// (OpenSearch) policy for the indices behind the alias.
	LifecyclePolicy string        `mapstructure:"lifecycle_policy"`
	Wait            time.Duration `mapstructure:"wait"`
	BulkWorkers     int           `mapstructure:"bulk_workers"`
}

// Default is the configuration without flags, environment or file: the
// one table the defaults come from (flags' help, viper, the tests). The
// libraries' own defaults for a zero setting (crawler.DefaultConfig,
// extract.DefaultMaxBytes, warc.DefaultMaxFileBytes) are held equal to it
// by a test of the command.
func Default() Config {
	return Config{
		DataDir: "./presscrawl-data",
		Fetch:   Fetch{Timeout: 15 * time.Second, MaxBodyBytes: 10 << 20, Headers: []string{}},
		Crawl: Crawl{MaxDepth: 5, MaxPages: 0, Delay: time.Second, Parallelism: 4, Retries: 2,
			Allow: []string{}, Deny: []string{}, Resolve: []string{}, ProgressInterval: 10 * time.Second, Extract: true, WARCMaxBytes: 1 << 30,
			RedisWait: 2 * time.Minute, Scope: "auto", Render: "never", RenderTabs: 2, RenderTimeout: 20 * time.Second},
		Extract: Extract{Format: "json", MaxPageBytes: 10 << 20, Timeout: 10 * time.Second},
		Index:   Index{Backend: "local"},
		ES:      ES{URL: "http://localhost:9200", Index: "articles", Wait: 2 * time.Minute, BulkWorkers: 2},
		Serve:   Serve{Addr: "127.0.0.1:8080"},
	}
}

var fingerprintRE = regexp.MustCompile(`^[0-9A-Fa-f]{64}$`)

// Bounds of values no site or machine needs past.
const (
	MaxParallelism = 256  // requests in flight per site, bulk requests in flight
	MaxUserAgent   = 1024 // bytes
)

// Secret keys are masked wherever configuration is shown; URL keys may
// hold a password in their userinfo, which is masked.
var (
	Secret = map[string]bool{"crawl.redis_password": true, "es.password": true, "es.api_key": true, "serve.token": true}
	URLKey = map[string]bool{"crawl.redis": true, "es.url": true, "fetch.proxy": true}
)

// Keys flattens a configuration into its dotted keys ("crawl.delay") and
// values, in field order.
func Keys(c Config) (keys []string, values map[string]any) {
	values = map[string]any{}
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			key := prefix + t.Field(i).Tag.Get("mapstructure")
			if t.Field(i).Type.Kind() == reflect.Struct {
				walk(key+".", v.Field(i))
				continue
			}
			keys = append(keys, key)
			values[key] = v.Field(i).Interface()
		}
	}
	walk("", reflect.ValueOf(c))
	return keys, values
}

// SetDefaults gives viper every key with its default.
func SetDefaults(v *viper.Viper) {
	keys, values := Keys(Default())
	for _, k := range keys {
		v.SetDefault(k, values[k])
	}
}

// Decode reads the effective configuration out of viper (flags, env, file
// and defaults merged), refusing unknown keys and values of the wrong type,
// then validates it.
func Decode(v *viper.Viper) (Config, error) {
	var c Config
	hooks := mapstructure.ComposeDecodeHookFunc(strictDuration, mapstructure.StringToSliceHookFunc(","))
	if err := v.UnmarshalExact(&c, viper.DecodeHook(hooks)); err != nil {
		return c, cleanDecodeError(err)
	}
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// strictDuration refuses a bare number for a duration: YAML's `delay: 5`
// would otherwise be 5 nanoseconds.
func strictDuration(from, to reflect.Type, data any) (any, error) {
	if to != reflect.TypeOf(time.Duration(0)) || from == to {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		d, err := time.ParseDuration(strings.TrimSpace(data.(string)))
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration: write it with a unit (1s, 500ms, 2m)", data)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		if n := reflect.ValueOf(data); !(n.CanInt() && n.Int() == 0) && !(n.CanUint() && n.Uint() == 0) && !(n.CanFloat() && n.Float() == 0) {
			return nil, fmt.Errorf("%v is a number, not a duration: write it with a unit (1s, 500ms, 2m)", data)
		}
	}
	return data, nil
}

// cleanDecodeError turns mapstructure's report into one line per key:
// "crawl.delay: time: invalid duration "one second"".
func cleanDecodeError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "decoding failed due to the following error(s):")
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		l = strings.TrimPrefix(l, "* ")
		if strings.HasPrefix(l, "'") {
			if end := strings.Index(l[1:], "'"); end >= 0 {
				key, rest := l[1:end+1], strings.TrimSpace(l[end+2:])
				rest = strings.TrimPrefix(rest, "error decoding '': ")
				l = key + ": " + rest
			}
		}
		if prefix, keys, ok := strings.Cut(l, "has invalid keys: "); ok {
			prefix = strings.TrimSuffix(strings.TrimSpace(prefix), ":")
			var names []string
			for _, k := range strings.Split(keys, ", ") {
				if prefix != "" {
					k = prefix + "." + k
				}
				names = append(names, k)
			}
			l = "unknown keys: " + strings.Join(names, ", ") + " (configs/presscrawl.yaml lists every key)"
		}
		lines = append(lines, l)
	}
	return errors.New(strings.Join(lines, "; "))
}

// Validate checks the values that no type can: ranges and choices. Each
// error names its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, fmt.Errorf(key+": "+format, args...)) }
	for key, n := range map[string]int{"crawl.max_depth": c.Crawl.MaxDepth, "crawl.max_pages": c.Crawl.MaxPages, "crawl.retries": c.Crawl.Retries,
		"fetch.max_body_bytes": c.Fetch.MaxBodyBytes, "extract.max_page_bytes": c.Extract.MaxPageBytes} {
		if n < 0 {
			bad(key, "%d is negative", n)
		}
	}
	for key, d := range map[string]time.Duration{"crawl.delay": c.Crawl.Delay, "crawl.progress_interval": c.Crawl.ProgressInterval,
		"crawl.recrawl_after": c.Crawl.RecrawlAfter, "crawl.every": c.Crawl.Every, "crawl.redis_wait": c.Crawl.RedisWait, "extract.timeout": c.Extract.Timeout, "es.wait": c.ES.Wait} {
		if d < 0 {
			bad(key, "%v is negative", d)
		}
	}
	for key, p := range map[string]string{"data_dir": c.DataDir, "crawl.warc_dir": c.Crawl.WARCDir} {
		if i := strings.IndexFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
			bad(key, "%q: a control character (a line break?) at byte %d: a path presscrawl prints must not hold one", p, i)
		}
	}
	if c.Crawl.Parallelism < 1 || c.Crawl.Parallelism > MaxParallelism {
		bad("crawl.parallelism", "%d: from 1 to %d requests in flight per site", c.Crawl.Parallelism, MaxParallelism)
	}
	if c.ES.BulkWorkers > MaxParallelism {
		bad("es.bulk_workers", "%d: at most %d", c.ES.BulkWorkers, MaxParallelism)
	}
	if len(c.UserAgent) > MaxUserAgent {
		bad("user_agent", "%d bytes: at most %d", len(c.UserAgent), MaxUserAgent)
	} else if i := strings.IndexFunc(c.UserAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		bad("user_agent", "%q: a control character (a line break?) at byte %d: an HTTP header cannot hold one", c.UserAgent, i)
	}
	if c.Fetch.Timeout <= 0 {
		bad("fetch.timeout", "%v: a request needs a time limit above 0", c.Fetch.Timeout)
	}
	if c.Crawl.WARCMaxBytes <= 0 {
		bad("crawl.warc_max_bytes", "%d: a WARC file needs room for a record", c.Crawl.WARCMaxBytes)
	}
	if c.ES.BulkWorkers < 1 {
		bad("es.bulk_workers", "%d: at least 1", c.ES.BulkWorkers)
	}
	if c.Extract.Format != "json" && c.Extract.Format != "text" {
		bad("extract.format", "%q: want json or text", c.Extract.Format)
	}
	switch c.Index.Backend {
	case "local", "elasticsearch":
	default:
		bad("index.backend", "%q: want local or elasticsearch", c.Index.Backend)
	}
	if u, err := url.Parse(c.ES.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("es.url", "%q: want http(s)://host:port", urlcanon.Redact(c.ES.URL))
	}
	if p := c.Fetch.Proxy; p != "" {
		if u, err := url.Parse(p); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") || u.Host == "" {
			bad("fetch.proxy", "%q: want http://, https:// or socks5://host:port", urlcanon.MaskPassword(p))
		}
	}
	if c.ES.CloudID != "" && c.ES.URL != Default().ES.URL {
		bad("es.cloud_id", "give es.cloud_id or es.url (--es-url, ELASTICSEARCH_URL), not both")
	}
	if fp := c.ES.CAFingerprint; fp != "" {
		if !fingerprintRE.MatchString(strings.ReplaceAll(strings.TrimSpace(fp), ":", "")) {
			bad("es.ca_fingerprint", "%q: want a SHA-256 in hex (64 digits, colons allowed)", fp)
		}
		if c.ES.CACert != "" {
			bad("es.ca_fingerprint", "give es.ca_cert or es.ca_fingerprint, not both")
		}
	}
	switch c.Crawl.Render {
	case "never", "auto", "always":
	default:
		bad("crawl.render", "%q: want never, auto or always", c.Crawl.Render)
	}
	if c.Crawl.RenderTabs < 1 || c.Crawl.RenderTabs > 32 {
		bad("crawl.render_tabs", "%d: from 1 to 32", c.Crawl.RenderTabs)
	}
	if c.Crawl.RenderTimeout < time.Second {
		bad("crawl.render_timeout", "%s: at least 1s", c.Crawl.RenderTimeout)
	}
	switch c.Crawl.Scope {
	case "auto", "site", "seeds":
	default:
		bad("crawl.scope", "%q: want auto, site or seeds", c.Crawl.Scope)
	}
	if _, err := c.Crawl.SinceTime(); err != nil {
		bad("crawl.since", "%v", err)
	}
	if c.Crawl.Redis != "" {
		if u, err := url.Parse(c.Crawl.Redis); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("crawl.redis", "%q: want redis://host:port/db", urlcanon.MaskPassword(c.Crawl.Redis))
		}
	}
	for key, patterns := range map[string][]string{"crawl.allow": c.Crawl.Allow, "crawl.deny": c.Crawl.Deny} {
		for _, p := range patterns {
			if _, err := regexp.Compile(p); err != nil {
				bad(key, "%q: %v", p, err)
			}
		}
	}
	return errors.Join(errs...)
}

// SinceTime is Crawl.Since as a time: zero for "", midnight UTC for a day.
func (c Crawl) SinceTime() (time.Time, error) {
	s := strings.TrimSpace(c.Since)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: want a day (2024-03-01) or a time (2024-03-01T08:00:00+03:00)", s)
}
