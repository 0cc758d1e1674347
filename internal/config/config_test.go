package config

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
)

func decodeYAML(t *testing.T, doc string) (Config, error) {
	t.Helper()
	v := viper.New()
	SetDefaults(v)
	v.SetConfigType("yaml")
	if err := v.ReadConfig(strings.NewReader(doc)); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return Decode(v)
}

// configs/presscrawl.yaml documents every key with its default, and no key
// presscrawl does not read; read through Decode, it is the defaults.
func TestDocumentedConfigMatchesDefaults(t *testing.T) {
	doc := viper.New()
	doc.SetConfigFile("../../configs/presscrawl.yaml")
	if err := doc.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	keys, def := Keys(Default())
	for _, k := range keys {
		if !doc.IsSet(k) {
			t.Errorf("key %s is not documented in configs/presscrawl.yaml", k)
		}
	}
	for _, k := range doc.AllKeys() {
		if _, ok := def[k]; !ok {
			t.Errorf("configs/presscrawl.yaml documents %s, which presscrawl does not read", k)
		}
	}
	got, err := Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", Default()) {
		t.Errorf("the documented file decodes to\n%+v\nnot the defaults\n%+v", got, Default())
	}
}

// Every bad configuration is an error naming its key (prometheus's
// config_test.go is the model).
func TestBadConfigs(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"crawl:\n  delay: \"one second\"\n", `crawl.delay`},
		{"crawl:\n  delay: 5\n", `crawl.delay: 5 is a number, not a duration`},
		{"crawl:\n  dealy: 1s\n", `unknown keys: crawl.dealy`},
		{"crawll:\n  delay: 1s\n", `unknown keys: crawll`},
		{"crawl:\n  parallelism: four\n", `crawl.parallelism`},
		{"crawl:\n  parallelism: 0\n", `crawl.parallelism: 0: from 1 to 256`},
		{"crawl:\n  parallelism: 1000000000\n", `crawl.parallelism: 1000000000: from 1 to 256`},
		{"user_agent: \"bot\\r\\nX-Evil: 1\"\n", `user_agent: "bot\r\nX-Evil: 1": a control character`},
		{"user_agent: " + strings.Repeat("a", 2000) + "\n", `user_agent: 2000 bytes: at most 1024`},
		{"crawl:\n  max_depth: -1\n", `crawl.max_depth: -1 is negative`},
		{"crawl:\n  ignore_robots: maybe\n", `crawl.ignore_robots`},
		{"crawl:\n  redis: http://cache:6379\n", `crawl.redis: "http://cache:6379": want redis://`},
		{"extract:\n  format: xml\n", `extract.format: "xml": want json or text`},
		{"index:\n  backend: solr\n", `index.backend: "solr": want local or elasticsearch`},
		{"es:\n  url: \"localhost:9200\"\n", `es.url`},
		{"es:\n  url: \"https://admin:hunter2@es.lan:9200/x y\"\n  bulk_workers: 0\n", `es.bulk_workers: 0`},
		{"fetch:\n  timeout: 0s\n", `fetch.timeout: 0s`},
		{"es:\n  cloud_id: \"d:aGVsbG8kYWJj\"\n  url: https://es.lan:9200\n", `es.cloud_id: give es.cloud_id or es.url`},
		{"es:\n  ca_fingerprint: \"AB:CD\"\n", `es.ca_fingerprint: "AB:CD": want a SHA-256 in hex`},
		{"es:\n  ca_fingerprint: \"" + strings.Repeat("ab", 32) + "\"\n  ca_cert: /etc/ca.pem\n", `es.ca_fingerprint: give es.ca_cert or es.ca_fingerprint, not both`},
		{"data_dir: [a, b]\n", `data_dir`},
	} {
		_, err := decodeYAML(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.doc, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows a password: %v", tc.doc, err)
		}
	}
}

func TestGoodConfig(t *testing.T) {
	fp := strings.TrimSuffix(strings.Repeat("AB:", 32), ":")
	if c, err := decodeYAML(t, "es:\n  cloud_id: \"d:aGVsbG8kYWJj\"\n  ca_fingerprint: \""+fp+"\"\n"); err != nil || c.ES.CloudID != "d:aGVsbG8kYWJj" || c.ES.CAFingerprint != fp {
		t.Errorf("cloud id and fingerprint: %+v %v", c.ES, err)
	}
	c, err := decodeYAML(t, "crawl:\n  delay: 250ms\n  allow: [\"/news/\"]\n  extract: false\nes:\n  url: https://es.lan:9243\n  wait: 0s\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Crawl.Delay != 250*time.Millisecond || len(c.Crawl.Allow) != 1 || c.Crawl.Extract || c.ES.URL != "https://es.lan:9243" ||
		c.ES.Wait != 0 || c.Crawl.Parallelism != Default().Crawl.Parallelism {
		t.Errorf("%+v", c)
	}
}

// Environment variables are strings: they are read as their key's type.
func TestEnvironment(t *testing.T) {
	t.Setenv("PRESSCRAWL_CRAWL_DELAY", "2s")
	t.Setenv("PRESSCRAWL_CRAWL_IGNORE_ROBOTS", "true")
	v := viper.New()
	SetDefaults(v)
	v.SetEnvPrefix("PRESSCRAWL")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	c, err := Decode(v)
	if err != nil || c.Crawl.Delay != 2*time.Second || !c.Crawl.IgnoreRobots {
		t.Errorf("%+v %v", c.Crawl, err)
	}
	t.Setenv("PRESSCRAWL_CRAWL_PARALLELISM", "four")
	if _, err := Decode(v); err == nil || !strings.Contains(err.Error(), "crawl.parallelism") {
		t.Errorf("parallelism four: %v", err)
	}
}
