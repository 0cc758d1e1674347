// Package manysites serves many synthetic news sites from one server, each
// under its own host name (site0.test, site1.test...: a resolver sends them
// all to the server's address), answering by the Host header: a home page
// linking to the site's articles, a robots.txt, the articles. It logs when
// each request arrived, per host, for the tests and benchmarks of crawls
// over many sites (politeness, fairness, memory per host).
package manysites

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Site is the name of site i.
func Site(i int) string { return fmt.Sprintf("site%d.test", i) }

// Request is one request the server answered.
type Request struct {
	Host, Path string
	At         time.Time
}

// Server serves Sites sites of Articles articles each.
type Server struct {
	Sites, Articles int
	Addr            string // host:port listened on
	srv             *http.Server
	mu              sync.Mutex
	log             []Request
}

// Start serves on addr ("127.0.0.1:0": a free port).
func Start(addr string, sites, articles int) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Sites: sites, Articles: articles, Addr: ln.Addr().String()}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Port is the port served.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }

// Seeds are the sites' home pages.
func (s *Server) Seeds() []string {
	out := make([]string, s.Sites)
	for i := range out {
		out[i] = "http://" + Site(i) + ":" + s.Port() + "/"
	}
	return out
}

// Log is every request answered, in order of arrival.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.Host)
	if host == "" {
		host = r.Host
	}
	s.mu.Lock()
	s.log = append(s.log, Request{Host: host, Path: r.URL.Path, At: time.Now()})
	s.mu.Unlock()
	n, ok := strings.CutPrefix(host, "site")
	n, ok2 := strings.CutSuffix(n, ".test")
	site, err := strconv.Atoi(n)
	if !ok || !ok2 || err != nil || site < 0 || site >= s.Sites {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	switch {
	case r.URL.Path == "/robots.txt":
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
	case r.URL.Path == "/":
		var sb strings.Builder
		fmt.Fprintf(&sb, "<!doctype html><html lang=en><head><title>Site %d</title><meta property=og:type content=website></head><body><h1>Site %d</h1><ul>", site, site)
		for a := range s.Articles {
			fmt.Fprintf(&sb, `<li><a href="/news/%d/">Story %d of site %d</a></li>`, a, a, site)
		}
		sb.WriteString("</ul></body></html>")
		fmt.Fprint(w, sb.String())
	case strings.HasPrefix(r.URL.Path, "/news/"):
		a, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(r.URL.Path, "/news/"), "/"))
		if err != nil || a < 0 || a >= s.Articles {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, article(site, a))
	default:
		http.NotFound(w, r)
	}
}

var words = strings.Fields("the minister said on tuesday that talks with the neighbouring government would resume after the council met to discuss the water treaty the border crossings and the prices of fuel and bread which rose sharply in the capital this spring according to officials")

// article is article a of site: a news page with its headline, date,
// byline and five paragraphs of its own words.
func article(site, a int) string {
	var sb strings.Builder
	day := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, a%300)
	fmt.Fprintf(&sb, `<!doctype html><html lang=en><head><title>Story %d of site %d</title><meta property=og:type content=article>
<meta property="article:published_time" content="%s"></head><body><header><nav><a href="/">Home</a></nav></header><article><h1>Story %d of site %d</h1><p class=byline>By Staff Writer</p>`,
		a, site, day.Format(time.RFC3339), a, site)
	for p := range 5 {
		sb.WriteString("<p>")
		for w := range 45 {
			sb.WriteString(words[(site*7+a*13+p*31+w)%len(words)])
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "site %d story %d paragraph %d.</p>", site, a, p)
	}
	sb.WriteString("</article><footer>© Site</footer></body></html>")
	return sb.String()
}
