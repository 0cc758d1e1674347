package crawler

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func retryable(status int, err error) bool {
	if errors.Is(err, ErrPrivateAddress) || errors.Is(err, errURLTooLong) || errors.Is(err, errTooManyRedirects) {
		return false
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		return true
	}
	if status != 0 {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// errTooManyRedirects ends a chain of redirects.
var errTooManyRedirects = errors.New("stopped after 10 redirects")

// errorReason names a network error's kind, for the summary, by the
// error's type and value (not its text).
func errorReason(err error) string {
	var (
		ne        net.Error
		dns       *net.DNSError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verifyErr *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, ErrPrivateAddress):
		return "refused: private address"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "no such host"
	case errors.Is(err, errTooManyRedirects):
		return "too many redirects"
	case errors.Is(err, errURLTooLong):
		return "URL too long"
	case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &hostname), errors.As(err, &verifyErr):
		return "TLS certificate"
	}
	return "network error"
}

// MaxRetryAfter bounds the wait a 429 or 503 asks for with Retry-After.
const MaxRetryAfter = time.Minute

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h *http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
