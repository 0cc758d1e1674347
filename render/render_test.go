package render

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// browser starts Chromium for a test, or skips without it (except under
// CI=true, where .ci/run installs it).
func browser(t *testing.T, timeout time.Duration) *Browser {
	t.Helper()
	if _, err := Find(""); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (.ci/run installs Debian's chromium)", err)
		}
		t.Skip(err)
	}
	b, err := Start(context.Background(), Options{Tabs: 2, Timeout: timeout, NoSandbox: os.Geteuid() == 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// site serves the test pages and logs every request it gets.
type site struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func (s *site) asked(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.seen {
		if p == path {
			return true
		}
	}
	return false
}

func newSite(t *testing.T, pages map[string]string) *site {
	s := &site{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.URL.Path)
		s.mu.Unlock()
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			w.Header().Set("Content-Type", "application/json")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(s.Close)
	return s
}

// sameHost is the guard of a crawl of one local site: its own host only.
func sameHost(s *site) Guard {
	u, _ := url.Parse(s.URL)
	return Guard{Allow: func(v *url.URL) bool { return v.Host == u.Host }, Private: func(h string) bool { return h == u.Hostname() }}
}

const shell = `<!DOCTYPE html><html><head><title>Tram</title></head><body><div id="app"></div><script>%s</script></body></html>`

func TestRenderAppShell(t *testing.T) {
	b := browser(t, 15*time.Second)
	s := newSite(t, map[string]string{
		"/inline":        fmt.Sprintf(shell, `document.getElementById("app").innerHTML = "<article><h1>Council approves tram</h1><p>The council voted on Tuesday to extend the northern tram line by four kilometres.</p></article>";`),
		"/api/article/7": `{"title":"Desalination plan","body":"أعلنت وزارة المياه يوم الثلاثاء عن خطة جديدة لتحلية مياه البحر"}`,
		"/fetched": fmt.Sprintf(shell, `fetch("/api/article/7").then(r => r.json()).then(a => {
			document.getElementById("app").innerHTML = "<article><h1></h1><p></p></article>";
			document.querySelector("h1").textContent = a.title; document.querySelector("p").textContent = a.body; });`),
		"/with-image": fmt.Sprintf(shell, `document.getElementById("app").innerHTML = '<p>Text beside a photo.</p><img src="/photo.jpg">';`),
	})
	g := sameHost(s)
	for path, want := range map[string]string{
		"/inline":     "The council voted on Tuesday",
		"/fetched":    "أعلنت وزارة المياه يوم الثلاثاء",
		"/with-image": "Text beside a photo.",
	} {
		html, err := b.Render(context.Background(), s.URL+path, g)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !strings.Contains(string(html), want) {
			t.Errorf("%s: rendered page lacks %q:\n%.400s", path, want, html)
		}
	}
	if s.asked("/photo.jpg") {
		t.Error("an image was loaded")
	}
	if b.Rendered() != 3 {
		t.Errorf("rendered %d", b.Rendered())
	}
}

// A page's scripts reach nothing the crawl does not allow: another host,
// a private address; the requests never leave the browser.
func TestRenderBlocksOtherHostsAndPrivateAddresses(t *testing.T) {
	b := browser(t, 15*time.Second)
	other := newSite(t, map[string]string{"/steal": "ok", "/private": "ok"})
	ou, _ := url.Parse(other.URL)
	s := newSite(t, map[string]string{
		"/page": fmt.Sprintf(shell, fmt.Sprintf(`document.getElementById("app").innerHTML = "<p>Loaded.</p>";
			fetch("http://localhost:%s/steal").catch(() => {}); fetch("http://10.255.255.1/private").catch(() => {});
			var i = document.createElement("iframe"); i.src = "http://localhost:%s/steal"; document.body.appendChild(i);`, ou.Port(), ou.Port())),
	})
	html, err := b.Render(context.Background(), s.URL+"/page", sameHost(s))
	if err != nil || !strings.Contains(string(html), "Loaded.") {
		t.Fatalf("%v %.300s", err, html)
	}
	if other.asked("/steal") {
		t.Error("a script reached another host")
	}
	if b.Blocked() < 2 {
		t.Errorf("%d requests blocked, want the other host's and the private address's", b.Blocked())
	}
	// The private-address guard alone: every host in scope, only the
	// page's own local host may be private.
	u, _ := url.Parse(s.URL)
	open := Guard{Allow: func(*url.URL) bool { return true }, Private: func(h string) bool { return h == u.Hostname() }}
	if _, err := b.Render(context.Background(), s.URL+"/page", open); err != nil {
		t.Fatal(err)
	}
	if other.asked("/steal") {
		t.Error("a script reached a loopback address of another name (localhost)")
	}
}

// A hanging script cannot outlast the time limit, and the browser renders
// the next page after it.
func TestRenderTimeLimit(t *testing.T) {
	b := browser(t, 3*time.Second)
	s := newSite(t, map[string]string{
		"/hang": fmt.Sprintf(shell, `while (true) {}`),
		"/ok":   fmt.Sprintf(shell, `document.getElementById("app").textContent = "Fine after all.";`),
	})
	_, err := b.Render(context.Background(), s.URL+"/hang", sameHost(s)) // ends: the test would hang otherwise
	if err == nil || !strings.Contains(err.Error(), "time limit") {
		t.Errorf("a hanging script: %v", err)
	}
	html, err := b.Render(context.Background(), s.URL+"/ok", sameHost(s))
	if err != nil || !strings.Contains(string(html), "Fine after all.") {
		t.Errorf("the next page: %v %.200s", err, html)
	}
}

func TestStartRefusesWithoutSandboxAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	if _, err := Find(""); err != nil {
		t.Skip(err)
	}
	if _, err := Start(context.Background(), Options{}); !errors.Is(err, ErrSandbox) || !strings.Contains(err.Error(), "--render-no-sandbox") {
		t.Errorf("as root without --render-no-sandbox: %v", err)
	}
	if _, err := Find("/nonexistent/chromium"); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("a missing browser: %v", err)
	}
}
