package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/presscrawl/presscrawl/extract"
)

const fixtureDir = "../../../shared/fixtures/arabpress"

// needShared skips a test that reads the project's shared fixtures when
// they are not beside the checkout (a clone outside the workplace); CI
// always has them.
func needShared(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(fixtureDir); err != nil {
		t.Skipf("seed fixtures not available (%s): %v", fixtureDir, err)
	}
}

var (
	fixtureEN = filepath.Join(fixtureDir, "article.html")
	fixtureAR = filepath.Join(fixtureDir, "article-ar.html")
)

// runCLI runs the command line with in-memory streams.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no user config leaks in
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return code, out.String(), errOut.String()
}

func decodeLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func readExpected(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// The CLI prints exactly the library's record (field values are checked
// against the fixtures in the extract package), with the --url given.
func TestExtractSeedFixtures(t *testing.T) {
	needShared(t)
	for _, tc := range []struct{ page, expected string }{
		{fixtureEN, "article.expected.json"},
		{fixtureAR, "article-ar.expected.json"},
	} {
		want := readExpected(t, tc.expected)
		canonical := want["canonical_url"].(string)
		code, stdout, stderr := runCLI(t, "extract", "--url", canonical, tc.page)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
		recs := decodeLines(t, stdout)
		if len(recs) != 1 {
			t.Fatalf("%d records, want 1", len(recs))
		}
		got := recs[0]
		for _, k := range []string{"url", "canonical_url", "title", "language"} {
			if got[k] != want[k] {
				t.Errorf("%s: %s = %v, want %v", tc.page, k, got[k], want[k])
			}
		}
		paras := want["text_paragraphs"].([]any)
		var ps []string
		for _, p := range paras {
			ps = append(ps, p.(string))
		}
		if got["text"] != strings.Join(ps, "\n\n") {
			t.Errorf("%s: text differs from the expected paragraphs", tc.page)
		}
		body, _ := os.ReadFile(tc.page)
		lib, err := extract.Extract(extract.Input{Body: body, URL: canonical})
		if err != nil {
			t.Fatal(err)
		}
		libJSON, _ := json.Marshal(lib)
		var libMap map[string]any
		_ = json.Unmarshal(libJSON, &libMap)
		for k, v := range libMap {
			if gv, _ := json.Marshal(got[k]); string(gv) != mustJSON(v) {
				t.Errorf("%s: field %s = %s, library gives %s", tc.page, k, gv, mustJSON(v))
			}
		}
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestExtractKeepsInputOrderAndReportsFailures(t *testing.T) {
	needShared(t)
	dir := t.TempDir()
	binary := filepath.Join(dir, "photo.html")
	if err := os.WriteFile(binary, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.html")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.html")
	code, stdout, stderr := runCLI(t, "extract", fixtureAR, missing, fixtureEN, dir, binary, empty, fixtureAR)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantErr := []string{
		"presscrawl: " + missing + ": no such file",
		"presscrawl: " + dir + ": is a directory, not an HTML file",
		"presscrawl: " + binary + ": not an HTML page: the bytes look like image/png",
		"presscrawl: " + empty + ": empty input",
	}
	if got := strings.Split(strings.TrimRight(stderr, "\n"), "\n"); strings.Join(got, "\n") != strings.Join(wantErr, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(wantErr, "\n"))
	}
	if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Error("stderr shows a panic trace")
	}
	recs := decodeLines(t, stdout)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for i, lang := range []string{"ar", "en", "ar"} {
		if recs[i]["language"] != lang {
			t.Errorf("record %d language %v, want %s (input order)", i, recs[i]["language"], lang)
		}
	}
}

func TestExtractTextFormat(t *testing.T) {
	needShared(t)
	code, stdout, stderr := runCLI(t, "extract", "--format", "text", fixtureAR)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	title, text, ok := strings.Cut(stdout, "\n\n")
	if !ok || title != "وزير الخارجية العراقي في طهران بعد تحذير السفارة الأمريكية" {
		t.Fatalf("first line %q, want the title then a blank line", title)
	}
	if !strings.HasPrefix(text, "وصل وزير الخارجية العراقي") {
		t.Errorf("text does not start with the first paragraph: %.80q", text)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"extract"}, "requires at least 1 arg"},
		{[]string{"extract", "--format", "xml", fixtureEN}, `--format: "xml": want json or text`},
		{[]string{"extract", "--url", "https://x.example/", fixtureEN, fixtureAR}, "--url goes with exactly one file input"},
		{[]string{"extract", "--no-such-flag", fixtureEN}, "unknown flag"},
		{[]string{"no-such-command"}, "unknown command"},
		{[]string{"extract", "--config", "/nonexistent/presscrawl.yaml", fixtureEN}, "config file /nonexistent/presscrawl.yaml"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != 2 || !strings.HasPrefix(stderr, "presscrawl: ") || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, code, stderr, stdout, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "presscrawl ") || !strings.Contains(stdout, "presscrawl-extract "+extract.Version) || !strings.Contains(stdout, "go-readability ") {
		t.Errorf("exit %d, output %q", code, stdout)
	}
}

// Flags beat PRESSCRAWL_* variables, which beat the config file, which
// beats the defaults.
func TestConfigPrecedence(t *testing.T) {
	needShared(t)
	cfg := filepath.Join(t.TempDir(), "presscrawl.yaml")
	if err := os.WriteFile(cfg, []byte("extract:\n  format: text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	isJSON := func(s string) bool { return strings.HasPrefix(s, "{") }
	if _, out, _ := runCLI(t, "extract", fixtureAR); !isJSON(out) {
		t.Error("default should be json")
	}
	if _, out, _ := runCLI(t, "extract", "--config", cfg, fixtureAR); isJSON(out) {
		t.Error("config file should make it text")
	}
	t.Setenv("PRESSCRAWL_EXTRACT_FORMAT", "json")
	if _, out, _ := runCLI(t, "extract", "--config", cfg, fixtureAR); !isJSON(out) {
		t.Error("env should beat the config file")
	}
	if _, out, _ := runCLI(t, "extract", "--config", cfg, "--format", "text", fixtureAR); isJSON(out) {
		t.Error("flag should beat env")
	}
	t.Setenv("PRESSCRAWL_CONFIG", cfg)
	t.Setenv("PRESSCRAWL_EXTRACT_FORMAT", "")
	if _, out, _ := runCLI(t, "extract", fixtureAR); isJSON(out) {
		t.Error("PRESSCRAWL_CONFIG should name the config file")
	}
}

func TestExtractURLs(t *testing.T) {
	needShared(t)
	arabic, err := os.ReadFile(fixtureAR)
	if err != nil {
		t.Fatal(err)
	}
	// The same story with its meta charset removed: only the HTTP header
	// says windows-1256.
	headerOnly := bytes.Replace(arabic, []byte(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">`), nil, 1)
	if bytes.Equal(headerOnly, arabic) {
		t.Fatal("fixture changed: meta charset not found")
	}
	var gotUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.UserAgent()
		switch r.URL.Path {
		case "/ar/story":
			w.Header().Set("Content-Type", "text/html; charset=windows-1256")
			w.Header().Set("Content-Language", "ar")
			w.Write(headerOnly)
		case "/latin":
			// A header charset that the bytes contradict is not believed
			// blindly: this body is valid UTF-8 Arabic.
			w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
			body, _ := charmap.Windows1256.NewDecoder().Bytes(arabic)
			w.Write(body)
		case "/moved":
			http.Redirect(w, r, "/ar/story", http.StatusMovedPermanently)
		case "/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			w.Write([]byte("%PDF-1.7"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	code, stdout, stderr := runCLI(t, "extract", "--user-agent", "test-agent/1", srv.URL+"/ar/story", srv.URL+"/gone", srv.URL+"/moved", srv.URL+"/report.pdf", srv.URL+"/latin")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantErr := "presscrawl: " + srv.URL + "/gone: HTTP error status: 404 Not Found\n" +
		"presscrawl: " + srv.URL + "/report.pdf: not HTML: Content-Type is application/pdf\n"
	if stderr != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, wantErr)
	}
	if gotUA != "test-agent/1" {
		t.Errorf("User-Agent %q", gotUA)
	}
	recs := decodeLines(t, stdout)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for i, r := range recs {
		if r["title"] != "وزير الخارجية العراقي في طهران بعد تحذير السفارة الأمريكية" || r["language"] != "ar" {
			t.Errorf("record %d: title %v language %v", i, r["title"], r["language"])
		}
		if _, ok := r["fetched_at"]; !ok {
			t.Errorf("record %d has no fetched_at", i)
		}
	}
	if recs[1]["url"] != srv.URL+"/ar/story" {
		t.Errorf("redirected record url = %v, want the final address", recs[1]["url"])
	}
}

// A file named like the binary must not be taken for the config file, and
// ./presscrawl.yaml and $XDG_CONFIG_HOME/presscrawl/presscrawl.yaml are.
func TestDefaultConfigFiles(t *testing.T) {
	needShared(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("presscrawl", []byte("\x7fELF\x00\x01binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "extract", "--format", "text", filepath.Join(wd, fixtureAR)); code != 0 {
		t.Fatalf("a binary named presscrawl in the working directory broke the command: %d %s", code, stderr)
	}
	if err := os.WriteFile("presscrawl.yaml", []byte("extract:\n  format: text\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, out, _ := runCLI(t, "extract", filepath.Join(wd, fixtureAR)); strings.HasPrefix(out, "{") {
		t.Error("./presscrawl.yaml was not read")
	}
	os.Remove("presscrawl.yaml")
	xdg := t.TempDir()
	os.MkdirAll(filepath.Join(xdg, "presscrawl"), 0o755)
	os.WriteFile(filepath.Join(xdg, "presscrawl", "presscrawl.yaml"), []byte("extract:\n  format: text\n"), 0o644)
	var out bytes.Buffer
	t.Setenv("XDG_CONFIG_HOME", xdg)
	run(context.Background(), []string{"extract", filepath.Join(wd, fixtureAR)}, IOStreams{Out: &out, ErrOut: &out})
	if strings.HasPrefix(out.String(), "{") {
		t.Error("$XDG_CONFIG_HOME/presscrawl/presscrawl.yaml was not read")
	}
}

var wd = func() string { d, _ := os.Getwd(); return d }()

// configs/presscrawl.yaml documents every key with its real default.
func TestConfigCommandShowsSources(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "presscrawl.yaml")
	if err := os.WriteFile(cfg, []byte("crawl:\n  delay: 3s\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PRESSCRAWL_CRAWL_PARALLELISM", "2")
	code, out, stderr := runCLI(t, "config", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"# config file: " + cfg, "crawl.delay", "3s", "file", "crawl.parallelism", "env PRESSCRAWL_CRAWL_PARALLELISM", "crawl.max_depth"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "crawl.max_depth" && (f[1] != "5" || f[2] != "default") {
			t.Errorf("max_depth line %q", line)
		}
	}
}

// A config file with a value of the wrong type or an unknown key stops the
// command before it does anything, naming the key: a crawl never runs with
// a delay that silently became zero.
func TestBadConfigFileRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "presscrawl.yaml")
	os.WriteFile(path, []byte("crawl:\n  delay: \"one second\"\n  paralelism: 8\n"), 0o644)
	data := filepath.Join(dir, "data")
	code, _, stderr := runCLI(t, "crawl", "--config", path, "--data-dir", data, "http://127.0.0.1:1/")
	if code != 2 || !strings.Contains(stderr, `crawl.delay: "one second" is not a duration`) || !strings.Contains(stderr, "unknown keys: crawl.paralelism") {
		t.Errorf("exit %d %q", code, stderr)
	}
	if _, err := os.Stat(data); err == nil {
		t.Error("a data dir was made before the configuration was checked")
	}
}
