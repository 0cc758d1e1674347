package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/internal/newssite"
)

// Secrets given to presscrawl (the archive's password and API key, Redis's
// password, passwords in URLs) appear in no output of any command, no
// summary, no record, no file of the data dir and no WARC file
// (warcinfo included), and presscrawl config masks them. The servers are
// unreachable on purpose: error messages are where secrets leak.
func TestSecretsNeverPrinted(t *testing.T) {
	secrets := map[string]string{
		"PRESSCRAWL_ES_PASSWORD":          "es-pass-Zq81",
		"PRESSCRAWL_ES_API_KEY":           "es-apikey-Wv27",
		"PRESSCRAWL_CRAWL_REDIS_PASSWORD": "redis-pass-Kx90",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("PRESSCRAWL_ES_USERNAME", "elastic")
	inURL := map[string]string{"es": "es-url-pass-Tp55", "redis": "redis-url-pass-Hm33", "seed": "seed-pass-Qd74"}
	site := newssite.Start(newssite.Options{English: 3, Arabic: 1})
	defer site.Close()
	dir, warcs := t.TempDir(), t.TempDir()
	esURL := "http://elastic:" + inURL["es"] + "@127.0.0.1:1"
	seed := strings.Replace(site.URL, "http://", "http://reader:"+inURL["seed"]+"@", 1) + "/"
	var outputs, commands []string
	run := func(args ...string) {
		_, out, stderr := runCtx(t, context.Background(), args...)
		outputs, commands = append(outputs, out+stderr), append(commands, args[0])
	}
	// the researcher's own session: a header and a cookies file
	inURL["header"], inURL["cookie"] = "hdr-secret-Lm42", "cookie-secret-Rb19"
	cookies := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(cookies, []byte("127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t"+inURL["cookie"]+"\n"), 0o600)
	run("crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--warc", warcs, "--json",
		"--header", "Authorization: Bearer "+inURL["header"], "--cookies", cookies, seed)
	run("crawl", "--data-dir", t.TempDir(), "--progress-interval", "0", "--redis", "redis://:"+inURL["redis"]+"@127.0.0.1:1/0", "--redis-wait", "1s", seed)
	run("crawl", "--data-dir", t.TempDir(), "--progress-interval", "0", "--index", "elasticsearch", "--es-url", esURL, "--es-wait", "1s", seed)
	for _, args := range [][]string{
		{"search", "--data-dir", dir, "report"}, {"stats", "--data-dir", dir}, {"export", "--data-dir", dir}, {"export", "--data-dir", dir, "--format", "csv"},
		{"show", "--data-dir", dir, site.URL + site.Articles[0].Path}, {"history", "--data-dir", dir, site.URL + site.Articles[0].Path},
		{"index", "status", "--data-dir", dir, "--es-url", esURL}, {"index", "push", "--data-dir", dir, "--es-url", esURL},
		{"search", "--index", "elasticsearch", "--es-url", esURL, "x"}, {"extract", seed}, {"config"},
		{"reextract", "--data-dir", t.TempDir(), "--warc", warcs},
	} {
		run(args...)
	}
	t.Setenv("PRESSCRAWL_ES_URL", esURL)
	t.Setenv("PRESSCRAWL_FETCH_HEADERS", "Authorization: Bearer "+inURL["header"])
	t.Setenv("PRESSCRAWL_FETCH_COOKIES", cookies)
	t.Setenv("PRESSCRAWL_CRAWL_REDIS", "redis://:"+inURL["redis"]+"@127.0.0.1:1/0")
	run("config")
	files := map[string][]byte{}
	for _, root := range []string{dir, warcs} {
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				b, _ := os.ReadFile(p)
				files[p] = b
			}
			return nil
		})
	}
	if len(files) < 3 {
		t.Fatalf("%d files in the data dir and WARC dir: the crawl did not run", len(files))
	}
	for _, secret := range append(valuesOf(secrets), valuesOf(inURL)...) {
		for i, o := range outputs {
			if strings.Contains(o, secret) {
				t.Errorf("%q printed by %s: %.300s", secret, commands[i], o)
			}
		}
		for p, b := range files {
			if strings.Contains(string(b), secret) {
				t.Errorf("%q written into %s", secret, p)
			}
		}
	}
	if !strings.Contains(strings.Join(outputs, "\n"), "*****") {
		t.Error("presscrawl config did not show the secrets masked")
	}
}

func valuesOf(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
