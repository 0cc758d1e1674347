package crawler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFetchLimits(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/ok":
			w.Write([]byte("<p>hello</p>"))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 2048)))
		case "/big-chunked":
			for i := 0; i < 8; i++ {
				w.Write([]byte(strings.Repeat("x", 512)))
				w.(http.Flusher).Flush()
			}
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/error":
			http.Error(w, "boom", http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	defer close(release)
	f := NewFetcher(FetcherOptions{UserAgent: "t", Timeout: 300 * time.Millisecond, MaxBodyBytes: 1024, MaxRedirects: 3})
	ctx := context.Background()
	p, err := f.Fetch(ctx, srv.URL+"/ok")
	if err != nil || string(p.Body) != "<p>hello</p>" || p.StatusCode != 200 || p.FetchedAt.IsZero() {
		t.Fatalf("ok page: %+v %v", p, err)
	}
	for _, tc := range []struct {
		path string
		want error
		text string
	}{
		{"/big", ErrTooLarge, "Content-Length 2048"},
		{"/big-chunked", ErrTooLarge, "over 1024 bytes"},
		{"/loop", nil, "stopped after 3 redirects"},
		{"/hang", nil, "Timeout"},
		{"/error", ErrHTTPStatus, "500"},
	} {
		_, err := f.Fetch(ctx, srv.URL+tc.path)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: err = %v, want %v containing %q", tc.path, err, tc.want, tc.text)
		}
	}
}

func TestFetchDeadServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	_, err := NewFetcher(FetcherOptions{Timeout: time.Second}).Fetch(context.Background(), addr)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want connection refused", err)
	}
}
