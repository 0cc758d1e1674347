package crawler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/publicsuffix"
)

// A researcher's own session: cookies exported from a browser, headers of
// their own, a proxy. Cookies go only where the cookie rules send them
// (its domain and path, secure ones over HTTPS only: net/http/cookiejar,
// with the public suffix list); headers only to the crawl's own sites.
// Neither is ever printed.

// ErrCookieFile is a cookies file that cannot be read as cookies.txt.
var ErrCookieFile = errors.New("not a cookies.txt file")

// LoadCookies reads a Netscape cookies.txt file (what browsers' export
// extensions, curl -c and yt-dlp write: domain, include-subdomains, path,
// secure, expiry, name, value, tab-separated; "#HttpOnly_" before the
// domain of an HttpOnly cookie) into a cookie jar. Expired cookies are left
// out; n is how many were taken. now is the time expiry is judged against.
func LoadCookies(path string, now time.Time) (jar http.CookieJar, n int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cookies file: %w", err)
	}
	defer f.Close()
	j, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, 0, err
	}
	n, err = readCookies(f, j, now)
	if err != nil {
		return nil, 0, fmt.Errorf("cookies file %s: %w", path, err)
	}
	return j, n, nil
}

func readCookies(r io.Reader, jar *cookiejar.Jar, now time.Time) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n, lineNo, fields := 0, 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), "\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		httpOnly := false
		if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
			line, httpOnly = rest, true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) == 6 { // a cookie without a value
			f = append(f, "")
		}
		if len(f) != 7 {
			// the value is never shown: it is the secret
			return n, fmt.Errorf("%w: line %d has %d tab-separated fields, want 7 (domain, subdomains, path, secure, expiry, name, value)", ErrCookieFile, lineNo, len(f))
		}
		fields++
		domain, subs, path, secure, expiry, name, value := f[0], strings.EqualFold(f[1], "TRUE"), f[2], strings.EqualFold(f[3], "TRUE"), f[4], f[5], f[6]
		host := strings.TrimPrefix(strings.ToLower(domain), ".")
		if host == "" || name == "" {
			return n, fmt.Errorf("%w: line %d has no domain or no cookie name", ErrCookieFile, lineNo)
		}
		exp, err := strconv.ParseFloat(expiry, 64)
		if err != nil {
			return n, fmt.Errorf("%w: line %d: expiry %q is not a Unix time", ErrCookieFile, lineNo, expiry)
		}
		c := &http.Cookie{Name: name, Value: value, Path: path, Secure: secure, HttpOnly: httpOnly}
		if exp > 0 {
			if time.Unix(int64(exp), 0).Before(now) {
				continue // expired
			}
			c.Expires = time.Unix(int64(exp), 0)
		}
		if subs || strings.HasPrefix(domain, ".") {
			c.Domain = host // for the domain and its subdomains; none: for the host alone
		}
		if c.Path == "" {
			c.Path = "/"
		}
		scheme := "http"
		if secure {
			scheme = "https"
		}
		jar.SetCookies(&url.URL{Scheme: scheme, Host: host, Path: c.Path}, []*http.Cookie{c})
		n++
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	if fields == 0 {
		return 0, fmt.Errorf("%w: no cookie in it", ErrCookieFile)
	}
	return n, nil
}

// ErrHeader is a --header that is not "Name: value".
var ErrHeader = errors.New("not a request header")

// ParseHeaders reads "Name: value" lines into a header. Host and
// User-Agent are refused (the URL and --user-agent say them), as are
// names and values HTTP does not allow (a line break would let a value
// add headers of its own).
func ParseHeaders(lines []string) (http.Header, error) {
	h := http.Header{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok || name == "": // the line is not shown: it may be a credential without its colon
			return nil, fmt.Errorf("%w: a line of %d characters without \"Name:\" before its value; want \"Name: value\"", ErrHeader, len(l))
		case !httpguts.ValidHeaderFieldName(name):
			return nil, fmt.Errorf("%w: %q is not a header name", ErrHeader, name)
		case !httpguts.ValidHeaderFieldValue(value):
			return nil, fmt.Errorf("%w: the value of %s holds a line break or a control character", ErrHeader, name)
		case strings.EqualFold(name, "Host"), strings.EqualFold(name, "User-Agent"):
			return nil, fmt.Errorf("%w: %s is set by the URL or --user-agent, not --header", ErrHeader, name)
		}
		h.Add(name, value)
	}
	return h, nil
}

// secretHeaders are the headers whose values are credentials.
var secretHeaders = map[string]bool{"authorization": true, "cookie": true, "proxy-authorization": true, "x-api-key": true, "x-auth-token": true}

// MaskHeader is a "Name: value" line as it may be shown: the value of a
// credential header masked.
func MaskHeader(line string) string {
	name, _, ok := strings.Cut(line, ":")
	if ok && secretHeaders[strings.ToLower(strings.TrimSpace(name))] {
		return strings.TrimSpace(name) + ": *****"
	}
	return line
}

// withHeaders adds the researcher's headers to the requests for the
// crawl's own sites (robots.txt, sitemaps and pages), never to another
// host's.
type withHeaders struct {
	next   http.RoundTripper
	header http.Header
	ours   func(host string) bool
}

func (w withHeaders) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(w.header) == 0 || !w.ours(req.URL.Host) {
		return w.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	for k, vs := range w.header {
		if strings.EqualFold(k, "Cookie") { // beside the jar's cookies, not instead
			r.Header.Add(k, strings.Join(vs, "; "))
			continue
		}
		r.Header[k] = append([]string(nil), vs...)
	}
	return w.next.RoundTrip(r)
}

// proxiedGuard keeps the private-address guard when requests go through a
// proxy, which resolves the names itself: the name is resolved here and a
// private address refused, as the dialler does without a proxy.
type proxiedGuard struct {
	next     http.RoundTripper
	proxy    func(*http.Request) (*url.URL, error)
	allowAll bool
	local    map[string]bool
	resolve  func(ctx context.Context, host string) ([]net.IPAddr, error)
}

func (g proxiedGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if p, err := g.proxy(req); err != nil || p == nil || g.allowAll || g.local[strings.ToLower(req.URL.Hostname())] {
		return g.next.RoundTrip(req)
	}
	host := req.URL.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if privateIP(ip) {
			return nil, fmt.Errorf("%w: %s", ErrPrivateAddress, host)
		}
		return g.next.RoundTrip(req)
	}
	addrs, err := g.resolve(req.Context(), host)
	if err != nil {
		return g.next.RoundTrip(req) // a name only the proxy knows (an intranet's): the proxy resolves it
	}
	for _, a := range addrs {
		if privateIP(a.IP) {
			return nil, fmt.Errorf("%w: %s (%s)", ErrPrivateAddress, host, a.IP)
		}
	}
	return g.next.RoundTrip(req)
}
