package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/internal/newssite"
)

// A seed's user:password is used (Basic, to its host alone) and never
// printed or stored: a site that answers 401 without it is crawled; another
// host it links to never sees the Authorization header; no output, record
// or summary holds the password.
func TestSeedCredentialsUsedNeverPrinted(t *testing.T) {
	const user, pass = "reader", "hunter2-s3cret"
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		fmt.Fprint(w, "<html><body><p>other host</p></body></html>")
	}))
	defer other.Close()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="members"`)
			http.Error(w, "members only", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/robots.txt":
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		case "/":
			fmt.Fprintf(w, `<html><body><a href="/2024/03/05/members-story/">story</a> <a href="%s/">elsewhere</a></body></html>`, other.URL)
		case "/2024/03/05/members-story/":
			fmt.Fprint(w, `<html lang="en"><head><title>Members story</title><meta property="og:type" content="article"></head><body><article><h1>Members story</h1><p>`+
				strings.Repeat("The council met on Tuesday to discuss the new budget for the city's schools and roads. ", 12)+`</p></article></body></html>`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	seed := strings.Replace(srv.URL, "http://", "http://"+user+":"+pass+"@", 1) + "/"
	dir := t.TempDir()
	code, out, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--allow-private", "--json", seed)
	if code != 0 || !strings.Contains(stderr, "stored 1,") {
		t.Fatalf("crawl with the seed's credentials: exit %d\n%s", code, stderr)
	}
	_, export, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	_, one, exErr := runCtx(t, context.Background(), "extract", seed+"2024/03/05/members-story/")
	_, _, deadErr := runCtx(t, context.Background(), "extract", "http://"+user+":"+pass+"@127.0.0.1:1/x")
	_, _, badSeed := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "http://"+user+":"+pass+"@exa mple.com/")
	for what, s := range map[string]string{"crawl stdout": out, "crawl stderr": stderr, "export": export, "extract": one + exErr,
		"extract of a dead host": deadErr, "a bad seed": badSeed} {
		if strings.Contains(s, pass) {
			t.Errorf("%s holds the password:\n%s", what, s)
		}
	}
	if !strings.Contains(one, "Members story") || strings.Contains(one, user+":") {
		t.Errorf("extract with credentials: %s %s", one, exErr)
	}
	if leaked.Load() != 0 {
		t.Errorf("the other host got the Authorization header %d times", leaked.Load())
	}
}

// A data dir whose records.db or crawl-state.db is a link to nothing is
// refused, and nothing is created where the link points; a data dir path
// with a line break (fake log lines) is refused by name.
func TestDataDirLinksAndPaths(t *testing.T) {
	for _, name := range []string{"records.db", "crawl-state.db"} {
		dir, elsewhere := t.TempDir(), t.TempDir()
		target := filepath.Join(elsewhere, name)
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--progress-interval", "0", "http://127.0.0.1:1/")
		if code == 0 || !strings.Contains(stderr, "symbolic link to a file that does not exist") {
			t.Errorf("%s a dangling link: exit %d %q", name, code, stderr)
		}
		if _, err := os.Stat(target); err == nil {
			t.Errorf("%s: a database was created outside the data dir at %s", name, target)
		}
	}
	code, _, stderr := runCtx(t, context.Background(), "search", "--data-dir", t.TempDir()+"\npresscrawl: crawl finished", "x")
	if code != 2 || !strings.Contains(stderr, `--data-dir: "`) || strings.Contains(stderr, "\npresscrawl: crawl finished") {
		t.Errorf("a data dir with a line break: exit %d %q", code, stderr)
	}
}

// One SIGTERM ends the process, even while it waits on a server that
// never answers: the work stops, or the watchdog ends it after stopGrace.
func TestOneSigtermStops(t *testing.T) {
	bin := binary(t)
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hang }))
	defer srv.Close()
	defer close(hang)
	cmd := exec.Command(bin, "extract", "--timeout", "10m", srv.URL+"/page")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the request is waiting
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("exit 0 after SIGTERM mid-fetch\n%s", stderr.String())
		}
	case <-time.After(2 * stopGrace):
		cmd.Process.Kill()
		t.Fatalf("still running %s after one SIGTERM\n%s", 2*stopGrace, stderr.String())
	}
}

// An intact data dir on a read-only file system is read as it is (search,
// stats, export, show), not called damaged; a crawl into it is refused at
// once, saying why. The read-only mount is made in a private mount
// namespace of the test's own (unshare -m), so nothing outside sees it.
func TestReadOnlyDataDir(t *testing.T) {
	bin := binary(t)
	if os.Geteuid() != 0 || exec.Command("unshare", "-m", "true").Run() != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI runs as root with unshare: this test must run")
		}
		t.Skip("needs root and unshare -m for a read-only bind mount")
	}
	site := newssite.Start(newssite.Options{English: 4, Arabic: 1})
	defer site.Close()
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	if code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", site.URL+"/"); code != 0 {
		t.Fatalf("crawl: exit %d\n%s", code, stderr)
	}
	script := `set -e
mount --bind "$1" "$1"
mount -o remount,bind,ro "$1"
if touch "$1/x" 2>/dev/null; then echo "still writable"; exit 3; fi
"$2" search --data-dir "$1/data" --json report > "$3/search.out" 2> "$3/search.err"
"$2" stats --data-dir "$1/data" --by language --json > "$3/stats.out" 2> "$3/stats.err"
"$2" export --data-dir "$1/data" > "$3/export.out" 2> "$3/export.err"
if "$2" crawl --data-dir "$1/data" --progress-interval 0 http://127.0.0.1:1/ 2> "$3/crawl.err"; then echo "crawl into a read-only data dir succeeded"; exit 4; fi
`
	outDir := t.TempDir()
	if out, err := exec.Command("unshare", "-m", "sh", "-c", script, "sh", root, bin, outDir).CombinedOutput(); err != nil {
		t.Fatalf("read-only run: %v\n%s", err, out)
	}
	read := func(name string) string { b, _ := os.ReadFile(filepath.Join(outDir, name)); return string(b) }
	if n := len(decodeLines(t, read("export.out"))); n != len(site.Articles) {
		t.Errorf("export from the read-only data dir: %d records, want %d\n%s", n, len(site.Articles), read("export.err"))
	}
	if n := len(decodeLines(t, read("search.out"))); n == 0 || !strings.Contains(read("search.err"), "read-only file system: reading it as it is") {
		t.Errorf("search from the read-only data dir: %d records\n%s", n, read("search.err"))
	}
	if !strings.Contains(read("stats.out"), `"ar"`) {
		t.Errorf("stats from the read-only data dir: %s %s", read("stats.out"), read("stats.err"))
	}
	if e := read("crawl.err"); !strings.Contains(e, "read-only file system") || strings.Contains(e, "damaged") {
		t.Errorf("crawl into the read-only data dir: %s", e)
	}
}
