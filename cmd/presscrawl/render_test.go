package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gowarc "github.com/nlnwa/gowarc/v3"

	"github.com/presscrawl/presscrawl/render"
)

// needBrowser skips without Chromium, except under CI=true.
func needBrowser(t *testing.T) {
	t.Helper()
	if _, err := render.Find(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (.ci/run installs Debian's chromium)", err)
		}
		t.Skip(err)
	}
}

// shellSite is a news site built with a JavaScript framework: its article
// pages are empty #app elements that scripts fill, one inline, one from the
// site's own API.
func shellSite(t *testing.T) *httptest.Server {
	para := "The regional assembly voted on Thursday to fund a new railway line along the coast, after years of debate about its route and its cost to the towns it crosses."
	arabic := "وافق المجلس الإقليمي يوم الخميس على تمويل خط سكة حديد جديد على طول الساحل بعد سنوات من النقاش حول مساره وكلفته على المدن التي يعبرها."
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shell := `<!DOCTYPE html><html lang="%s"><head><title>Coast News</title></head><body><div id="app"></div><script>%s</script></body></html>`
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, `<html><body><a href="/2026/12/03/railway-line-funded/">Railway</a> <a href="/ar/2026/12/03/railway-arabic/">سكة</a></body></html>`)
		case "/2026/12/03/railway-line-funded/":
			fmt.Fprintf(w, shell, "en", fmt.Sprintf(`document.getElementById("app").innerHTML = "<article><h1>Railway line funded</h1><time datetime=\"2026-12-03T10:00:00+01:00\">3 December</time>" + "<p>%s</p>".repeat(1) + "<p>Work is due to begin in 2028, and the first trains should run four years later, the assembly said.</p><p>Opponents said the money would have been better spent on the roads that the region's farmers use every day.</p></article>";`, para))
		case "/ar/2026/12/03/railway-arabic/":
			fmt.Fprintf(w, shell, "ar", `fetch("/api/story/9").then(r => r.json()).then(s => { var a = document.createElement("article"); var h = document.createElement("h1"); h.textContent = s.title; a.appendChild(h); s.paragraphs.forEach(t => { var p = document.createElement("p"); p.textContent = t; a.appendChild(p); }); document.getElementById("app").appendChild(a); });`)
		case "/api/story/9":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"title": "تمويل خط سكة حديد على الساحل", "paragraphs": []string{arabic, arabic + " وقال المتحدث إن العمل سيبدأ قريبا.", "وأضاف أن القطارات الأولى ستسير بعد أربع سنوات من بدء الأشغال في المنطقة."}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCrawlRendersApplicationShells(t *testing.T) {
	needBrowser(t)
	site := shellSite(t)
	sandbox := []string{}
	if os.Geteuid() == 0 {
		sandbox = []string{"--render-no-sandbox"}
	}
	// Without rendering, the shells are no articles.
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", site.URL+"/")
	if code != 0 || !strings.Contains(stderr, "stored 0") {
		t.Fatalf("--render never: exit %d\n%s", code, stderr)
	}
	dir = t.TempDir()
	args := append([]string{"crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--render", "auto"}, sandbox...)
	code, _, stderr = runCtx(t, context.Background(), append(args, site.URL+"/")...)
	if code != 0 || !strings.Contains(stderr, "stored 2") || !strings.Contains(stderr, "rendered in a browser: 2 pages") {
		t.Fatalf("--render auto: exit %d\n%s", code, stderr)
	}
	_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	for _, want := range []string{"The regional assembly voted on Thursday", "وافق المجلس الإقليمي يوم الخميس", `"language":"ar"`, `"published_at":"2026-12-03T10:00:00+01:00"`} {
		if !strings.Contains(out, want) {
			t.Errorf("export lacks %q:\n%.800s", want, out)
		}
	}
	// With --warc, the rendered document is kept beside the response it
	// was rendered from, as a conversion record referring to it.
	warcs := t.TempDir()
	code, _, stderr = runCtx(t, context.Background(), append(append(args[:len(args):len(args)], "--data-dir", t.TempDir(), "--warc", warcs), site.URL+"/")...)
	if code != 0 {
		t.Fatalf("--warc: exit %d\n%s", code, stderr)
	}
	responses, conversions := map[string]string{}, map[string]string{} // record id -> target; refers-to -> body
	files, _ := filepath.Glob(filepath.Join(warcs, "*.warc*"))
	for _, f := range files {
		r, err := gowarc.NewWarcFileReader(f, 0)
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := range r.Records() {
			if err != nil {
				t.Fatal(err)
			}
			w := rec.WarcRecord
			switch w.Type() {
			case gowarc.Response:
				responses[w.WarcHeader().Get(gowarc.WarcRecordID)] = w.WarcHeader().Get(gowarc.WarcTargetURI)
			case gowarc.Conversion:
				rd, _ := w.Block().RawBytes()
				b, _ := io.ReadAll(rd)
				conversions[w.WarcHeader().Get(gowarc.WarcRefersTo)] = string(b)
			}
			rec.Close()
		}
		r.Close()
	}
	if len(conversions) != 2 {
		t.Errorf("%d conversion records, want the 2 rendered pages", len(conversions))
	}
	for ref, body := range conversions {
		if target := responses[ref]; !strings.Contains(target, "/2026/12/03/") || !strings.Contains(body, "<article>") {
			t.Errorf("conversion of %q (response %q): %.200s", ref, target, body)
		}
	}
	// A missing browser is an error that says how to install one.
	t.Setenv("PRESSCRAWL_CRAWL_RENDER_BROWSER", "/nonexistent/chromium")
	code, _, stderr = runCtx(t, context.Background(), append(args[:len(args):len(args)], site.URL+"/")...)
	if code != 2 || !strings.Contains(stderr, "no Chromium found") {
		t.Errorf("a missing browser: exit %d %q", code, stderr)
	}
}

func TestRenderRefusesRootWithoutNoSandbox(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	needBrowser(t)
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--render", "always", "http://127.0.0.1:1/")
	if code != 2 || !strings.Contains(stderr, "--render-no-sandbox") {
		t.Errorf("exit %d %q", code, stderr)
	}
}
