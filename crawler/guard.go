package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
// addresses fail unless allowPrivate. The check runs on the address being
// dialled, after name resolution, so a name cannot be re-pointed past it.
// roots, when not nil, are the certificate authorities TLS trusts.
func guardedTransport(allowPrivate bool, maxPerHost int, roots *x509.CertPool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			if privateIP(net.ParseIP(host)) {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, host)
			}
			return nil
		}
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
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

// localSeeds reports whether any seed host is (or resolves to) a
// non-public address: such a crawl is of a local site and may stay there.
func localSeeds(ctx context.Context, hosts []string) bool {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if privateIP(ip) {
				return true
			}
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ips, err := net.DefaultResolver.LookupIP(rctx, "ip", h)
		cancel()
		for _, ip := range ips {
			if err == nil && privateIP(ip) {
				return true
			}
		}
	}
	return false
}
