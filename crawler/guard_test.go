package crawler

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGuardedTransport(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := (&http.Client{Transport: guardedTransport(false, 1, nil)}).Get(srv.URL)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("public crawl reached loopback: err = %v", err)
	}
	if retryable(0, err) {
		t.Error("a refusal must not be retried")
	}
	if errorReason(err) != "refused: private address" {
		t.Errorf("reason %q", errorReason(err))
	}
	resp, err := (&http.Client{Transport: guardedTransport(true, 1, nil)}).Get(srv.URL)
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

func TestLocalSeeds(t *testing.T) {
	ctx := context.Background()
	if !localSeeds(ctx, []string{"127.0.0.1"}) || !localSeeds(ctx, []string{"8.8.8.8", "192.168.0.10"}) {
		t.Error("a private seed makes a local crawl")
	}
	if localSeeds(ctx, []string{"8.8.8.8", "2001:4860:4860::8888"}) {
		t.Error("public IP seeds are not local")
	}
	if !localSeeds(ctx, []string{"localhost"}) {
		t.Error("localhost resolves to loopback")
	}
}
