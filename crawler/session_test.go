package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func writeCookies(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cookies.txt")
	if err := os.WriteFile(p, []byte("# Netscape HTTP Cookie File\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// cookies.txt as browsers' export extensions write it: each cookie goes to
// its domain (and subdomains when it says so) and path, secure ones over
// HTTPS only; expired ones are left out; a bad line is an error naming the
// line, never the value.
func TestLoadCookies(t *testing.T) {
	future := fmt.Sprint(time.Now().Add(24 * time.Hour).Unix())
	past := fmt.Sprint(time.Now().Add(-time.Hour).Unix())
	p := writeCookies(t,
		".news.example\tTRUE\t/\tFALSE\t"+future+"\tsession\tabc123",
		"#HttpOnly_paper.example\tFALSE\t/members\tTRUE\t"+future+"\tmember\ts3cr3t",
		"paper.example\tFALSE\t/\tFALSE\t"+past+"\told\tgone",
		"paper.example\tFALSE\t/\tFALSE\t0\tconsent\tyes",
	)
	jar, n, err := LoadCookies(p, time.Now())
	if err != nil || n != 3 {
		t.Fatalf("%d cookies, %v", n, err)
	}
	got := func(raw string) string {
		u, _ := url.Parse(raw)
		var names []string
		for _, c := range jar.Cookies(u) {
			names = append(names, c.Name)
		}
		return strings.Join(names, ",")
	}
	for raw, want := range map[string]string{
		"http://news.example/a":               "session",
		"http://www.news.example/a":           "session", // TRUE: subdomains too
		"https://paper.example/members/x":     "member,consent",
		"http://paper.example/members/x":      "consent", // secure: HTTPS only
		"https://paper.example/":              "consent", // path /members only
		"https://www.paper.example/members/x": "",        // FALSE: the host alone
		"http://other.example/":               "",
		"http://news.example.evil.test/":      "",
	} {
		if g := got(raw); g != want {
			t.Errorf("%s: cookies %q, want %q", raw, g, want)
		}
	}
	for _, bad := range []string{"news.example\tTRUE\t/\tFALSE\tsoon\tname\ttopsecret", "only\tthree\tfields-topsecret"} {
		_, _, err := LoadCookies(writeCookies(t, bad), time.Now())
		if !errors.Is(err, ErrCookieFile) || !strings.Contains(err.Error(), "line 2") || strings.Contains(err.Error(), "topsecret") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, _, err := LoadCookies(writeCookies(t), time.Now()); !errors.Is(err, ErrCookieFile) {
		t.Errorf("an empty file: %v", err)
	}
	if _, _, err := LoadCookies(filepath.Join(t.TempDir(), "missing.txt"), time.Now()); err == nil || !strings.Contains(err.Error(), "missing.txt") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestParseHeaders(t *testing.T) {
	h, err := ParseHeaders([]string{"Authorization: Bearer tok3n", "X-Research-Project: media-2026", "Accept-Language: ar, en;q=0.5"})
	if err != nil || h.Get("Authorization") != "Bearer tok3n" || h.Get("Accept-Language") != "ar, en;q=0.5" {
		t.Fatalf("%v %v", h, err)
	}
	for _, bad := range []string{"no colon here", ": empty name", "Bad Name: x", "X-Evil: a\r\nInjected: 1", "Host: other.example", "user-agent: me"} {
		if _, err := ParseHeaders([]string{bad}); !errors.Is(err, ErrHeader) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := ParseHeaders([]string{"Authorization tok3n-secret"}); err == nil || strings.Contains(err.Error(), "tok3n-secret") {
		t.Errorf("a header without a colon: %v", err)
	}
	if m := MaskHeader("Authorization: Bearer tok3n"); m != "Authorization: *****" {
		t.Errorf("masked %q", m)
	}
	if m := MaskHeader("cookie: a=b"); m != "cookie: *****" {
		t.Errorf("masked %q", m)
	}
	if m := MaskHeader("Accept-Language: ar"); m != "Accept-Language: ar" {
		t.Errorf("masked %q", m)
	}
}

// A site behind a consent wall: without its cookie every page redirects to
// /consent; with the researcher's exported cookies the articles come, the
// headers given go to the site, and neither cookies nor headers reach
// another host, nor the WARC record of the request.
func TestCrawlWithCookiesAndHeaders(t *testing.T) {
	var mu sync.Mutex
	seen := map[string][]string{} // path -> Cookie, X-Research-Project
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = []string{r.Header.Get("Cookie"), r.Header.Get("X-Research-Project")}
		mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path != "/consent" {
			if c, err := r.Cookie("euconsent"); err != nil || c.Value != "granted" {
				http.Redirect(w, r, "/consent", http.StatusFound)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/consent":
			fmt.Fprint(w, `<html><body><div class="consent">We value your privacy. <button>Accept all</button></div></body></html>`)
		case "/":
			fmt.Fprint(w, `<html><body><a href="/news/1">one</a> <a href="/news/2">two</a></body></html>`)
		default:
			fmt.Fprintf(w, `<html><body><p>The article at %s.</p></body></html>`, r.URL.Path)
		}
	}))
	defer site.Close()
	u, _ := url.Parse(site.URL)
	host := u.Hostname() // 127.0.0.1: cookies are per host, not per port
	cookies := writeCookies(t, host+"\tFALSE\t/\tFALSE\t0\teuconsent\tgranted", "other.example\tFALSE\t/\tFALSE\t0\tleak\tno")
	cfg := DefaultConfig()
	cfg.Delay = 0
	jar, _, err := LoadCookies(cookies, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Cookies = jar
	cfg.Header, _ = ParseHeaders([]string{"X-Research-Project: media-2026"})
	rec, snap := crawlOnce(t, cfg, site.URL+"/")
	if snap.Fetched < 3 {
		t.Fatalf("fetched %d, want the home page and two articles", snap.Fetched)
	}
	mu.Lock()
	for path, h := range seen {
		if h[1] != "media-2026" {
			t.Errorf("%s: header %q", path, h[1])
		}
		if path != "/robots.txt" && !strings.Contains(h[0], "euconsent=granted") || strings.Contains(h[0], "leak") {
			t.Errorf("%s: cookies %q", path, h[0])
		}
	}
	_, consent := seen["/consent"]
	mu.Unlock()
	if consent {
		t.Error("the consent page was asked for although the cookie was sent")
	}
	for _, p := range rec.pages {
		if strings.HasSuffix(p.FinalURL, "/consent") {
			t.Errorf("the consent page reached the handler: %s", p.URL)
		}
	}
	// Without the cookies: the wall.
	rec, _ = crawlOnce(t, Config{Delay: 0, MaxDepth: 2, Parallelism: 1, Timeout: 5 * time.Second, MaxBodyBytes: 1 << 20}, site.URL+"/")
	walled := 0
	for _, p := range rec.pages {
		if strings.HasSuffix(p.FinalURL, "/consent") {
			walled++
		}
	}
	if walled == 0 {
		t.Error("without the cookie, no page was redirected to the consent page")
	}

	// Another host never gets them.
	var got http.Header
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer other.Close()
	ou, _ := url.Parse(other.URL)
	tr := withHeaders{next: http.DefaultTransport, header: cfg.Header, ours: func(h string) bool { return h == u.Host }}
	client := &http.Client{Transport: tr, Jar: jar}
	resp, err := client.Get("http://localhost:" + ou.Port() + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got.Get("X-Research-Project") != "" || got.Get("Cookie") != "" {
		t.Errorf("another host got %v", got)
	}
}

func TestWARCRequestsLeaveOutSecrets(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer tok3n"}, "Cookie": {"s=1"}, "X-Api-Key": {"k"}, "Accept": {"text/html"}}
	c := withoutSecrets(h)
	if c.Get("Authorization") != "" || c.Get("Cookie") != "" || c.Get("X-Api-Key") != "" || c.Get("Accept") != "text/html" {
		t.Errorf("%v", c)
	}
	if h.Get("Cookie") == "" {
		t.Error("the request's own header was changed")
	}
}

// Through a proxy: it carries the requests (here, for a name only it
// knows), and a name that resolves to a private address is still refused.
func TestProxy(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.String())
		mu.Unlock()
		if r.URL.Host != "news.invalid" {
			http.Error(w, "unknown host", http.StatusBadGateway)
			return
		}
		if r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body><p>Through the proxy.</p><a href="/2">two</a></body></html>`)
	}))
	defer proxy.Close()
	cfg := DefaultConfig()
	cfg.Delay = 0
	cfg.Proxy, _ = url.Parse(proxy.URL)
	_, snap := crawlOnce(t, cfg, "http://news.invalid/")
	if snap.Fetched != 2 {
		t.Errorf("fetched %d through the proxy, want 2 (%v)", snap.Fetched, snap.Skipped)
	}
	mu.Lock()
	if len(asked) < 2 || !strings.HasPrefix(asked[0], "http://news.invalid/") {
		t.Errorf("the proxy was asked %v", asked)
	}
	mu.Unlock()

	next := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})
	g := proxiedGuard{next: next, proxy: http.ProxyURL(cfg.Proxy), resolve: func(_ context.Context, host string) ([]net.IPAddr, error) {
		if host == "intranet.example" {
			return []net.IPAddr{{IP: net.ParseIP("10.0.0.5")}}, nil
		}
		return []net.IPAddr{{IP: net.ParseIP("93.184.215.14")}}, nil
	}}
	for raw, private := range map[string]bool{"http://intranet.example/": true, "http://192.168.1.1/": true, "http://public.example/": false} {
		req, _ := http.NewRequest(http.MethodGet, raw, nil)
		_, err := g.RoundTrip(req)
		if errors.Is(err, ErrPrivateAddress) != private {
			t.Errorf("%s through the proxy: %v", raw, err)
		}
	}
	g.allowAll = true
	req, _ := http.NewRequest(http.MethodGet, "http://intranet.example/", nil)
	if _, err := g.RoundTrip(req); err != nil {
		t.Errorf("with --allow-private: %v", err)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
