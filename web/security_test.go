package web

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/facets"
)

// A page elsewhere whose name was rebound to 127.0.0.1 sends its own Host:
// refused. The address served, and localhost on its port, are answered.
func TestHostHeaderIsTheAddressServed(t *testing.T) {
	f := newFixture(t, Options{})
	_, port, _ := net.SplitHostPort(f.Listener.Addr().String())
	for host, want := range map[string]int{
		"127.0.0.1:" + port: 200, "localhost:" + port: 200, "LOCALHOST:" + port: 200,
		"evil.example:" + port: 421, "evil.example": 421, "127.0.0.1:1": 421,
	} {
		if code, _, _ := f.get(t, "/api/stats?by=language", "Host", host); code != want {
			t.Errorf("Host %q: %d, want %d", host, code, want)
		}
	}
}

// Off loopback every request needs the token: a bearer header, or the
// cookie the first visit with ?token= sets (the address then loses it).
func TestTokenOffLoopback(t *testing.T) {
	f := newFixture(t, Options{Addr: "0.0.0.0:8080", Token: "s3cret"})
	if code, body, h := f.get(t, "/"); code != 401 || !strings.Contains(body, "token") || h.Get("WWW-Authenticate") == "" {
		t.Errorf("no token: %d %s", code, body)
	}
	if code, _, _ := f.get(t, "/api/search?q=tehran", "Authorization", "Bearer wrong"); code != 401 {
		t.Errorf("a wrong token: %d", code)
	}
	if code, _, _ := f.get(t, "/api/search?q=tehran", "Authorization", "Bearer s3cret"); code != 200 {
		t.Errorf("the bearer token: %d", code)
	}
	code, _, h := f.get(t, "/?q=tehran&token=s3cret")
	cookie := h.Get("Set-Cookie")
	if code != 303 || h.Get("Location") != "/?q=tehran" || !strings.Contains(cookie, "presscrawl_token=s3cret") ||
		!strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Strict") {
		t.Errorf("first visit: %d to %q, cookie %q", code, h.Get("Location"), cookie)
	}
	if code, _, _ := f.get(t, "/?q=tehran", "Cookie", "presscrawl_token=s3cret"); code != 200 {
		t.Errorf("with the cookie: %d", code)
	}
	// with a token, off loopback, any Host is answered: the token keeps a rebinding page out
	if code, _, _ := f.get(t, "/api/stats", "Host", "archive.lab.example:8080", "Authorization", "Bearer s3cret"); code != 200 {
		t.Errorf("another Host with the token: %d", code)
	}
	if _, err := New(Options{Reader: f.idx, Addr: "10.0.0.5:8080"}); err != nil {
		t.Errorf("off loopback without a token: %v (allowed, for the address's own Host only)", err)
	}
}

func TestReadOnlyAndHeaders(t *testing.T) {
	f := newFixture(t, Options{})
	for _, m := range []string{"POST", "PUT", "DELETE"} {
		req, _ := http.NewRequest(m, f.URL+"/api/search?q=x", nil)
		res, err := f.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 405 {
			t.Errorf("%s: %d, want 405", m, res.StatusCode)
		}
	}
	_, _, h := f.get(t, "/")
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers: %v", h)
	}
}

// Only the embedded assets are served: no path leads out of them.
func TestNoPathTraversal(t *testing.T) {
	f := newFixture(t, Options{})
	if code, css, _ := f.get(t, "/assets/app.css"); code != 200 || !strings.Contains(css, "font-family") {
		t.Fatalf("app.css: %d", code)
	}
	for _, p := range []string{"/assets/../server.go", "/assets/%2e%2e/server.go", "/assets/..%2fserver.go", "/assets/%2e%2e%2f%2e%2e%2fgo.mod",
		"/assets/search.html/../../server.go", "/records/..%2f..%2fetc%2fpasswd", "/assets//etc/passwd"} {
		code, body, _ := f.get(t, p)
		if code == 200 || strings.Contains(body, "package web") || strings.Contains(body, "module github.com") || strings.Contains(body, "root:") {
			t.Errorf("%s: %d, %.60q", p, code, body)
		}
	}
}

func TestHistogramFoldsDays(t *testing.T) {
	days := []facets.Count{{Value: "2024-01-01", Count: 2}, {Value: "2024-01-03", Count: 1}, {Value: "2024-01-10", Count: 4}, {Value: facets.NoValue, Count: 5}}
	link := func(s, u string) string { return s + ".." + u }
	h := newHistogram(days, "", link)
	if h.Interval != "day" || len(h.Buckets) != 10 || h.Undated != 5 || h.Total != 7 || h.Max != 4 {
		t.Fatalf("by day: %s, %d bars, %d undated, %d dated, max %d", h.Interval, len(h.Buckets), h.Undated, h.Total, h.Max)
	}
	if h.Buckets[1].Count != 0 || h.Buckets[9].H != h.Height-2 || h.Buckets[0].Link != "2024-01-01..2024-01-01" {
		t.Errorf("bars: %+v", h.Buckets[:2])
	}
	w := newHistogram(days, "week", link)
	// 2024-01-01 is a Monday: two weeks, 3 and 4
	if len(w.Buckets) != 2 || w.Buckets[0].Count != 3 || w.Buckets[1].Count != 4 || w.Buckets[1].Since != "2024-01-08" || w.Buckets[1].Until != "2024-01-14" {
		t.Errorf("by week: %+v", w.Buckets)
	}
	long := []facets.Count{{Value: "2019-05-20", Count: 1}, {Value: "2024-02-29", Count: 3}}
	m := newHistogram(long, "", link)
	if m.Interval != "month" || len(m.Buckets) != 58 || m.Buckets[57].Since != "2024-02-01" || m.Buckets[57].Until != "2024-02-29" {
		t.Errorf("five years: %s, %d bars, last %+v", m.Interval, len(m.Buckets), m.Buckets[len(m.Buckets)-1])
	}
	if d := newHistogram(long, "day", link); d.Interval != "week" || len(d.Buckets) > maxBars {
		t.Errorf("1,745 days asked by day: %s, %d bars (too many bars: coarser)", d.Interval, len(d.Buckets))
	}
}

func TestSnippet(t *testing.T) {
	re := matcher(queryWords(`+talks -markets "foreign minister" language:en title:Tehran OR x*`))
	text := "Intro <b>words</b>. " + strings.Repeat("filler ", 40) + "Iraq's Foreign Minister arrived in Tehran for talks, new talks."
	s := string(snippet(text, re))
	for _, want := range []string{"<mark>Foreign Minister</mark>", "<mark>Tehran</mark>", "<mark>talks</mark>", "… "} {
		if !strings.Contains(s, want) {
			t.Errorf("snippet %q lacks %q", s, want)
		}
	}
	if strings.Contains(s, "<b>") || strings.Contains(s, "language") {
		t.Errorf("snippet %q", s)
	}
	ar := string(snippet("وصل وزير الخارجية العراقي إلى طهران", matcher(queryWords("طهران"))))
	if !strings.Contains(ar, "<mark>طهران</mark>") {
		t.Errorf("Arabic: %q", ar)
	}
	if got := plainSnippet("a <mark> b & c", nil); got != "a <mark> b & c" {
		t.Errorf("plain: %q", got)
	}
	for lang, want := range map[string]string{"ar": "rtl", "fa-IR": "rtl", "en": "ltr", "": "auto", "he": "rtl"} {
		if direction(lang) != want {
			t.Errorf("direction(%q) = %s", lang, direction(lang))
		}
	}
}
