package crawler

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestGuardedTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := (&http.Client{Transport: guardedTransport(false, nil, 1, nil, Resolver{})}).Get(srv.URL)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("public crawl reached loopback: err = %v", err)
	}
	if retryable(0, err) {
		t.Error("a refusal must not be retried")
	}
	if errorReason(err) != "refused: private address" {
		t.Errorf("reason %q", errorReason(err))
	}
	resp, err := (&http.Client{Transport: guardedTransport(true, nil, 1, nil, Resolver{})}).Get(srv.URL)
	if err != nil {
		t.Fatalf("allowed crawl: %v", err)
	}
	resp.Body.Close()
}

func TestPrivateIP(t *testing.T) {
	for s, want := range map[string]bool{
		"127.0.0.1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "169.254.169.254": true,
		"100.64.0.1": true, "0.0.0.0": true, "::1": true, "fd00::1": true, "fe80::1": true,
		"8.8.8.8": false, "93.184.216.34": false, "2001:4860:4860::8888": false,
	} {
		if got := privateIP(net.ParseIP(s)); got != want {
			t.Errorf("privateIP(%s) = %v", s, got)
		}
	}
}

func TestLocalHosts(t *testing.T) {
	ctx := context.Background()
	if got := localHosts(ctx, []string{"127.0.0.1", "8.8.8.8", "192.168.0.10", "localhost"}); len(got) != 3 || got["8.8.8.8"] {
		t.Errorf("local hosts %v, want the loopback, private and localhost seeds", got)
	}
}

// One local seed leaves the guard on for every other host: the decision is
// per site. (localhost is loopback too, but not the local seed here.)
func TestGuardPerSite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	client := &http.Client{Transport: guardedTransport(false, map[string]bool{"127.0.0.1": true}, 1, nil, Resolver{})}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("the local seed's own host: %v", err)
	}
	resp.Body.Close()
	_, err = client.Get(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1))
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("another host on a private address: %v, want refused", err)
	}
}
