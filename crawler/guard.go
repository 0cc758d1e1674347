package crawler

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

// ErrPrivateAddress is the refusal to connect to a private, loopback or
// link-local address from a crawl of public sites.
var ErrPrivateAddress = errors.New("refused: private, loopback or link-local address")

var cgnat = &net.IPNet{IP: net.IPv4(100, 64, 0, 0), Mask: net.CIDRMask(10, 32)}

// privateIP reports whether ip is not a public internet address.
func privateIP(ip net.IP) bool {
	return ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsUnspecified() || cgnat.Contains(ip)
}

// guardedTransport is an HTTP transport whose connections to non-public
// addresses fail, except with allowAll (--allow-private) or to the hosts
// in local (seeds that are themselves local sites): the decision is made
// per site, so one local seed among public ones leaves the guard on for
// the others. The check runs on the address being dialled, after DNS, so a
// public name that resolves to a private address is refused too.
func guardedTransport(allowAll bool, local map[string]bool, maxPerHost int, roots *x509.CertPool, resolve Resolver) *http.Transport {
	open := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			if privateIP(net.ParseIP(host)) {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
			}
			return nil
		}}
	dial := func(ctx context.Context, network, address string) (net.Conn, error) {
		// address is the URL's host:port, before DNS.
		host, port, _ := net.SplitHostPort(address)
		if to, ok := resolve.Lookup(host); ok {
			return open.DialContext(ctx, network, net.JoinHostPort(to, port))
		}
		if allowAll || local[strings.ToLower(host)] {
			return open.DialContext(ctx, network, address)
		}
		return guarded.DialContext(ctx, network, address)
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   max(2, maxPerHost),
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}
}

// CertPool is the system's certificate authorities plus those in the PEM
// files given (a private CA of an intranet site). Verification stays on:
// nothing turns it off.
func CertPool(pemFiles ...string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, f := range pemFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("CA certificate %s: %w", f, err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("CA certificate %s: no PEM certificate in it", f)
		}
	}
	return pool, nil
}

// maxRobotsBytes bounds a robots.txt: the rest is ignored, as Google does
// past 500 KiB. colly reads robots.txt whole otherwise.
const maxRobotsBytes = 500 << 10

// robotsLimit is a RoundTripper that truncates robots.txt bodies.
type robotsLimit struct{ next http.RoundTripper }

func (l robotsLimit) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil && req.URL.Path == "/robots.txt" {
		resp.Body = limitedBody{io.LimitReader(resp.Body, maxRobotsBytes), resp.Body}
		resp.ContentLength = -1
	}
	return resp, err
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// LocalHosts are the hosts (lower case) among these that are, or resolve
// to, non-public addresses: a crawl of such a seed may stay there.
func LocalHosts(ctx context.Context, hosts []string) map[string]bool { return localHosts(ctx, hosts) }

// localHosts are the seed hosts that are (or resolve to) non-public
// addresses: such a seed is a local site, whose crawl may stay there.
func localHosts(ctx context.Context, hosts []string) map[string]bool {
	local := map[string]bool{}
	for _, h := range hosts {
		h = strings.ToLower(h)
		if ip := net.ParseIP(h); ip != nil {
			if privateIP(ip) {
				local[h] = true
			}
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ips, err := net.DefaultResolver.LookupIP(rctx, "ip", h)
		cancel()
		for _, ip := range ips {
			if err == nil && privateIP(ip) {
				local[h] = true
			}
		}
	}
	return local
}

// boundedDecoding undoes a compressed Content-Encoding (gzip, x-gzip,
// deflate) with a bound on the inflated bytes, max+1 at most, so that the
// body limit counts what the page really is: a few kilobytes that inflate
// to gigabytes are a page over the limit, not a process killed for memory.
// It marks every response uncompressed, so colly inflates nothing on its
// own (it would inflate gzip-typed bodies and *.xml.gz paths without a
// bound); gzipped sitemaps are inflated by parseSitemap, with its bound.
type boundedDecoding struct {
	next http.RoundTripper
	max  int64
}

func (b boundedDecoding) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(req)
	if err != nil || resp.Uncompressed {
		return resp, err // Go's transport inflated gzip itself: readers bound it
	}
	ce := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding")))
	var r io.Reader
	switch ce {
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("%s: Content-Encoding %s: %w", req.URL, ce, err)
		}
		r = zr
	case "deflate":
		// Most servers send zlib-wrapped deflate, as RFC 9110 says; some
		// send it raw.
		br := bufio.NewReader(resp.Body)
		if h, err := br.Peek(2); err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			zr, err := zlib.NewReader(br)
			if err != nil {
				resp.Body.Close()
				return nil, fmt.Errorf("%s: Content-Encoding deflate: %w", req.URL, err)
			}
			r = zr
		} else {
			r = flate.NewReader(br)
		}
	}
	if r != nil {
		resp.Body = limitedBody{io.LimitReader(r, b.max+1), resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
	}
	resp.Uncompressed = true
	return resp, nil
}
