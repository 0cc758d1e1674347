package crawler

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Network errors are named by their type and value, as real clients meet
// them, not by their text.
func TestErrorReason(t *testing.T) {
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := closed.Addr().String()
	closed.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	loop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/again", http.StatusFound) }))
	defer loop.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()

	get := func(c *http.Client, url string) error {
		_, err := c.Get(url)
		if err == nil {
			return fmt.Errorf("no error")
		}
		return err
	}
	redirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errTooManyRedirects }}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{get(http.DefaultClient, "http://"+addr+"/"), "connection refused"},
		{get(http.DefaultClient, tlsSrv.URL), "TLS certificate"},
		{get(redirects, loop.URL), "too many redirects"},
		{get(&http.Client{Timeout: 50 * time.Millisecond}, slow.URL), "timeout"},
		{&net.DNSError{Err: "no such host", Name: "news.invalid", IsNotFound: true}, "no such host"},
		{fmt.Errorf("fetch: %w", context.Canceled), "network error"},
	} {
		if got := errorReason(tc.err); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
	}
}
