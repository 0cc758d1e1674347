// Package web is the archive's web face (presscrawl serve): the search,
// record and overview pages and the JSON API behind them, over any
// index.Reader (the data dir, the archive, a data dir read through the
// crawl holding it). It only reads. Its assets are embedded: it works
// offline and loads nothing from elsewhere. Everything a site wrote
// (titles, text, authors) is escaped by html/template; a Content Security
// Policy forbids inline scripts; the Host header must name the address
// served (no DNS rebinding), and off loopback a token is required.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/index"
)

//go:embed assets
var assets embed.FS

// Options are what a Server serves and how.
type Options struct {
	Reader index.Reader
	// Name says what is served ("data dir ./presscrawl-data", "archive at
	// ..."), shown on every page.
	Name string
	// Addr is the address served (host:port as listened on): requests
	// whose Host header names another host are refused, unless Token is
	// set and the address is not loopback.
	Addr string
	// Token, when set, is required of every request: the cookie the first
	// visit with ?token= sets, or "Authorization: Bearer TOKEN".
	Token string
	// LastCrawl is the last crawl's summary (a JSON object), or an error
	// when there is none; nil: no summary kept.
	LastCrawl func() ([]byte, error)
	// Timeout bounds the index's answer to one request (0: 30 s).
	Timeout time.Duration
}

// Server is the web face: an http.Handler.
type Server struct {
	o     Options
	mux   *http.ServeMux
	hosts map[string]bool // the Host headers accepted; nil: any (token required)
	cache facetCache
}

// New makes the web face of o.Reader.
func New(o Options) (*Server, error) {
	if o.Reader == nil {
		return nil, errors.New("web: no index to serve")
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	s := &Server{o: o, mux: http.NewServeMux()}
	hosts, err := allowedHosts(o.Addr, o.Token != "")
	if err != nil {
		return nil, err
	}
	s.hosts = hosts
	static, _ := fs.Sub(assets, "assets")
	s.mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.searchPage)
	s.mux.HandleFunc("GET /records/{id}", s.recordPage)
	s.mux.HandleFunc("GET /overview", s.overviewPage)
	s.mux.HandleFunc("GET /export", s.export)
	s.mux.HandleFunc("GET /api/search", s.apiSearch)
	s.mux.HandleFunc("GET /api/stats", s.apiStats)
	s.mux.HandleFunc("GET /api/records/{id}", s.apiRecord)
	s.mux.HandleFunc("GET /api/", func(w http.ResponseWriter, _ *http.Request) {
		apiError(w, http.StatusNotFound, errors.New("no such endpoint: /api/search, /api/stats, /api/records/{id}"))
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.errorPage(w, r, http.StatusNotFound, errors.New("no such page"))
	})
	return s, nil
}

// allowedHosts are the Host headers a server on addr answers: the
// address itself and, on loopback, localhost with its port. Off loopback
// with a token any host is accepted (the token keeps out a page that
// rebinds a name to this address); without one, the address's own.
func allowedHosts(addr string, token bool) (map[string]bool, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web: address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	loopback := host == "localhost" || (ip != nil && ip.IsLoopback())
	if !loopback && token {
		return nil, nil
	}
	hosts := map[string]bool{net.JoinHostPort(host, port): true}
	if loopback {
		for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
			hosts[net.JoinHostPort(h, port)] = true
		}
	}
	return hosts, nil
}

// Loopback says whether addr listens on loopback only.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

const tokenCookie = "presscrawl_token"

// securityHeaders are sent with every answer.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// ServeHTTP checks the request (method, Host, token) and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for k, v := range securityHeaders {
		w.Header().Set(k, v)
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "read-only: GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	if s.hosts != nil && !s.hosts[strings.ToLower(r.Host)] {
		// a page elsewhere whose name was rebound to this address
		http.Error(w, fmt.Sprintf("Host %q is not the address served", r.Host), http.StatusMisdirectedRequest)
		return
	}
	if s.o.Token != "" && !s.authorised(w, r) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.o.Timeout)
	defer cancel()
	s.mux.ServeHTTP(w, r.WithContext(ctx))
}

// authorised checks the token: a page visited with ?token= sets the
// cookie and loses the token from its address.
func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	same := func(t string) bool { return subtle.ConstantTimeCompare([]byte(t), []byte(s.o.Token)) == 1 }
	if c, err := r.Cookie(tokenCookie); err == nil && same(c.Value) {
		return true
	}
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") && same(strings.TrimPrefix(a, "Bearer ")) {
		return true
	}
	q := r.URL.Query()
	if t := q.Get("token"); t != "" && same(t) {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: s.o.Token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		if strings.HasPrefix(r.URL.Path, "/api/") {
			return true
		}
		q.Del("token")
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="presscrawl"`)
	http.Error(w, "a token is needed: open the address presscrawl serve printed (with ?token=...)", http.StatusUnauthorized)
	return false
}

// apiError answers a JSON error: {"error": reason}.
func apiError(w http.ResponseWriter, status int, err error) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true) // a title with <script> stays inert in any viewer
	enc.Encode(v)
}

// statusOf is the status of a failed read: a query the index cannot read
// is the caller's (400), a read that took too long 504, the rest 502 (the
// index, not this server, failed).
func statusOf(err error) int {
	switch {
	case errors.Is(err, index.ErrBadQuery) || errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	}
	return http.StatusBadGateway
}

// errBadRequest is a parameter the server cannot take.
var errBadRequest = errors.New("bad request")
