package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A page served as application/octet-stream is taken when its body is
// HTML, as a crawl takes it, and refused when it is not.
func TestFetchSniffsOctetStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.URL.Path == "/page" {
			w.Write([]byte("<!DOCTYPE html><html><head><title>t</title></head><body><p>mislabelled</p></body></html>"))
			return
		}
		w.Write([]byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x03, 0x00})
	}))
	defer srv.Close()
	f := NewFetcher(FetcherOptions{})
	if p, err := f.Fetch(context.Background(), srv.URL+"/page"); err != nil || len(p.Body) == 0 {
		t.Errorf("HTML served as octet-stream: %v", err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/blob"); !errors.Is(err, ErrNotHTML) {
		t.Errorf("binary served as octet-stream: %v, want ErrNotHTML", err)
	}
}
