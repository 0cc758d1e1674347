package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// consentSite redirects every page to /consent unless the consent cookie
// is sent, as sites behind a consent management platform do.
func consentSite(t *testing.T) *httptest.Server {
	para := strings.Repeat("The harbour authority said on Monday that the new quay would open in the spring, after two years of works and a long dispute over its cost. ", 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if c, err := r.Cookie("euconsent"); r.URL.Path != "/consent" && (err != nil || c.Value != "granted") {
			http.Redirect(w, r, "/consent?return="+url.QueryEscape(r.URL.Path), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/consent":
			fmt.Fprint(w, `<html><head><title>Before you continue</title></head><body><div class="cmp"><h2>We value your privacy</h2>
<p>We and our partners use cookies to store and access information on your device. Accept all, or manage preferences.</p>
<button>Accept all</button> <button>Reject all</button></div></body></html>`)
		case "/":
			fmt.Fprint(w, `<html><body><a href="/2026/12/01/new-quay-opens-in-spring/">Quay</a> <a href="/2026/12/02/harbour-dispute-ends-after-two-years/">Dispute</a></body></html>`)
		default:
			fmt.Fprintf(w, `<html><head><title>Harbour news</title><meta property="og:type" content="article"></head><body><article><h1>Harbour news %s</h1><p>%s</p><p>%s</p></article></body></html>`, r.URL.Path, para, strings.ReplaceAll(para, "quay", "pier"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A consent wall is never stored as an article: the summary counts it and
// the seed says to try --cookies; with the browser's cookies the articles
// come.
func TestConsentWall(t *testing.T) {
	site := consentSite(t)
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", site.URL+"/")
	if code != 1 || !strings.Contains(stderr, "1 consent wall") || !strings.Contains(stderr, "try --cookies") { // nothing could be read: exit 1
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir)
	if strings.TrimSpace(out) != "" {
		t.Errorf("records stored from a consent wall:\n%.500s", out)
	}
	u, _ := url.Parse(site.URL)
	cookies := filepath.Join(t.TempDir(), "cookies.txt")
	os.WriteFile(cookies, []byte("# Netscape HTTP Cookie File\n"+u.Hostname()+"\tFALSE\t/\tFALSE\t0\teuconsent\tgranted\n"), 0o600)
	dir = t.TempDir()
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--cookies", cookies, site.URL+"/")
	if code != 0 || strings.Contains(stderr, "consent wall") {
		t.Fatalf("with cookies: exit %d\n%s", code, stderr)
	}
	_, out, _ = runCtx(t, context.Background(), "export", "--data-dir", dir)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			URL    string `json:"url"`
			Access string `json:"access"`
		}
		if json.Unmarshal([]byte(line), &r) == nil && strings.Contains(r.URL, "/2026/12/") {
			n++
			if r.Access != "free" {
				t.Errorf("%s: access %q", r.URL, r.Access)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d articles stored with the cookies, want 2\n%s", n, stderr)
	}
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--cookies", filepath.Join(t.TempDir(), "none.txt"), site.URL+"/")
	if code != 2 || !strings.Contains(stderr, "--cookies") || !strings.Contains(stderr, "none.txt") {
		t.Errorf("a missing cookies file: exit %d %q", code, stderr)
	}
}

// --rules through the CLI: the site's rules give its body and title, and
// a rule that matches nothing is named in the summary with its count.
func TestRulesFile(t *testing.T) {
	page, err := os.ReadFile("../../extract/testdata/rules-site.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/":
			fmt.Fprint(w, `<html><body><a href="/2026/12/03/ferry-service-resumes/">Ferry</a> <a href="/2026/12/04/ferry-timetable-returns/">Timetable</a></body></html>`)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	os.WriteFile(rules, []byte(u.Hostname()+":\n  body: \"div.story-text\"\n  remove: [\"p.promo-inline\", \".author-bio\"]\n  title: \"span.hl\"\n  author: \".byline-that-is-gone\"\n"), 0o644)
	dir := t.TempDir()
	code, _, stderr := runCtx(t, context.Background(), "crawl", "--data-dir", dir, "--delay", "0", "--progress-interval", "0", "--rules", rules, srv.URL+"/")
	if code != 0 || !strings.Contains(stderr, "rules for "+u.Hostname()+": author matched nothing on 5 of 5 pages") { // the home page, two articles, the two staff pages they link to
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	_, out, _ := runCtx(t, context.Background(), "export", "--data-dir", dir, "--format", "csv", "--fields", "title,text")
	if !strings.Contains(out, "Ferry service to the islands resumes after storm") || strings.Contains(out, "newsletter") || strings.Contains(out, "Most read") {
		t.Errorf("export:\n%s", out)
	}
	code, out, stderr = runCtx(t, context.Background(), "extract", "--rules", rules, "--url", srv.URL+"/2026/12/03/ferry-service-resumes/", "../../extract/testdata/rules-site.html")
	if code != 0 || !strings.Contains(out, `"title":"Ferry service to the islands resumes after storm"`) || !strings.Contains(stderr, "author matched nothing on 1 of 1 pages") {
		t.Errorf("extract --rules: exit %d\n%s\n%s", code, out, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("news.example:\n  body: \"div[\"\n"), 0o644)
	code, _, stderr = runCtx(t, context.Background(), "crawl", "--data-dir", t.TempDir(), "--rules", bad, srv.URL+"/")
	if code != 2 || !strings.Contains(stderr, "bad.yaml") || !strings.Contains(stderr, "div[") {
		t.Errorf("a bad rules file: exit %d %q", code, stderr)
	}
}
