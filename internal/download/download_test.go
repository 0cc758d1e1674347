package download

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// dropper serves body, cutting the first answer off after cut bytes;
// ranges says whether it serves Range requests.
func dropper(t *testing.T, body []byte, cut int, ranges bool) (*httptest.Server, *atomic.Int64) {
	var reqs atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := reqs.Add(1)
		if n == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			if ranges {
				w.Header().Set("Accept-Ranges", "bytes")
			}
			w.WriteHeader(200)
			w.Write(body[:cut])
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
			return
		}
		if !ranges {
			w.Write(body)
			return
		}
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &reqs
}

// A download cut off half-way goes on from the byte where it stopped, with
// a Range request, and delivers the file whole.
func TestResumesWithRange(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<14) // 256 KiB
	srv, reqs := dropper(t, body, 100_000, true)
	var resumed []int64
	rc, err := Open(context.Background(), srv.URL, 0, Options{Backoff: time.Millisecond, Resumed: func(o int64) { resumed = append(resumed, o) }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) || reqs.Load() != 2 || len(resumed) != 1 || resumed[0] != 100_000 {
		t.Errorf("err %v, %d of %d bytes right, %d requests, resumed at %v", err, len(got), len(body), reqs.Load(), resumed)
	}
	// from an offset
	rc, err = Open(context.Background(), srv.URL, 1000, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, body[1000:]) {
		t.Errorf("from offset 1000: %d bytes", len(got))
	}
}

// Without ranges, a cut-off download is an error naming the URL and where
// it stopped, never a short file taken for whole.
func TestCutWithoutRangesIsAnError(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 200_000)
	srv, _ := dropper(t, body, 50_000, false)
	rc, err := Open(context.Background(), srv.URL, 0, Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if err == nil || !strings.Contains(err.Error(), srv.URL) || !strings.Contains(err.Error(), "50000") {
		t.Errorf("err %v, want one naming the URL and byte 50000", err)
	}
}

// A 503 with Retry-After is waited out; a 404 is not retried.
func TestRetries(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone" {
			n.Add(100)
			http.NotFound(w, r)
			return
		}
		if n.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	rc, err := Open(context.Background(), srv.URL+"/f", 0, Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "ok" || n.Load() != 3 {
		t.Errorf("got %q after %d requests", b, n.Load())
	}
	n.Store(0)
	_, err = Open(context.Background(), srv.URL+"/gone", 0, Options{Backoff: time.Millisecond})
	var perm *permanent
	if err == nil || !errors.As(err, &perm) || n.Load() != 100 {
		t.Errorf("404: err %v after %d", err, n.Load())
	}
}

// A paths listing, gzipped or not, from a file or a URL, resolved against
// a base.
func TestList(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, "crawl-data/CC-NEWS/2024/03/a.warc.gz\n\n# a comment\n/crawl-data/CC-NEWS/2024/03/b.warc.gz\nhttps://elsewhere.example/c.warc.gz\n")
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(gz.Bytes()) }))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "warc.paths.gz")
	os.WriteFile(file, gz.Bytes(), 0o644)
	want := "https://data.example/base/crawl-data/CC-NEWS/2024/03/a.warc.gz https://data.example/base/crawl-data/CC-NEWS/2024/03/b.warc.gz https://elsewhere.example/c.warc.gz"
	for _, from := range []string{file, srv.URL + "/warc.paths.gz"} {
		got, err := List(context.Background(), from, "https://data.example/base", Options{})
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %v %v", from, got, err)
		}
	}
	if _, err := List(context.Background(), file, "ftp://x/", Options{}); err == nil {
		t.Error("an ftp base was taken")
	}
}
