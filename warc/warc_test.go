package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func exchange(i int, body []byte) *Exchange {
	return &Exchange{
		Method: "GET", URL: fmt.Sprintf("https://news.example/2024/article-%d?x=1", i),
		RequestHeader: http.Header{"User-Agent": {"presscrawl/test"}, "Accept": {"*/*"}},
		StatusCode:    200, Proto: "HTTP/1.1",
		ResponseHeader: http.Header{"Content-Type": {"text/html; charset=windows-1256"}, "Content-Encoding": {"gzip"},
			"Etag": {`"v1"`}},
		Body: body, FetchedAt: time.Date(2026, 11, 25, 10, 0, i%60, 0, time.UTC),
	}
}

// Responses written concurrently read back byte for byte, digests checked,
// with the provenance Archive returned; the files rotate at the limit and
// each record is its own gzip member.
func TestWriteReadBack(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, 64<<10, "presscrawl/test")
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	bodies := map[string][]byte{}
	prov := map[string]Provenance{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		// Arabic text in windows-1256 bytes and a NUL: bodies are bytes, not text.
		body := append([]byte(fmt.Sprintf("<html><p>article %d ", i)), bytes.Repeat([]byte{0xc7, 0xe1, 0xda, 0x00}, 500+i)...)
		x := exchange(i, body)
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := w.Capture(x)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			bodies[x.URL], prov[x.URL] = x.Body, p
			mu.Unlock()
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, err := Files([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("%d files, want rotation at 64 KiB", len(files))
	}
	got := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".open") || !strings.HasSuffix(f, ".warc.gz") {
			t.Errorf("file %s: want a closed .warc.gz", f)
		}
		err := ReadResponses(context.Background(), f, func(r *Response) error {
			got++
			want, ok := bodies[r.URL]
			if !ok {
				return fmt.Errorf("unknown URL %s", r.URL)
			}
			if !bytes.Equal(r.Body, want) {
				t.Errorf("%s: body differs", r.URL)
			}
			if p := prov[r.URL]; p.File != filepath.Base(f) || p.RecordID != r.RecordID || p.RecordID == "" {
				t.Errorf("%s: provenance %+v, read from %s %s", r.URL, p, filepath.Base(f), r.RecordID)
			}
			if r.Header.Get("Content-Encoding") != "" || r.Header.Get("Content-Type") != "text/html; charset=windows-1256" || r.StatusCode != 200 {
				t.Errorf("%s: header %v status %d", r.URL, r.Header, r.StatusCode)
			}
			if r.Date.IsZero() {
				t.Errorf("%s: no WARC-Date", r.URL)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// One gzip member per record: the file holds many gzip headers.
		raw, _ := os.ReadFile(f)
		if m := bytes.Count(raw, []byte{0x1f, 0x8b, 0x08}); m < 3 {
			t.Errorf("%s: %d gzip members", f, m)
		}
	}
	if got != n {
		t.Errorf("read %d responses, want %d", got, n)
	}
}

// A damaged record is an error that names the file and the offset.
func TestReadDamaged(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(dir, 0, "presscrawl/test")
	if _, err := w.Capture(exchange(1, []byte("<p>hello</p>"))); err != nil {
		t.Fatal(err)
	}
	w.Close()
	files, _ := Files([]string{dir})
	raw, _ := os.ReadFile(files[0])
	bad := filepath.Join(dir, "bad.warc")
	// Uncompressed copy with one body byte changed: the digest no longer holds.
	plain := gunzipAll(t, raw)
	i := bytes.Index(plain, []byte("hello"))
	plain[i] = 'j'
	os.WriteFile(bad, plain, 0o644)
	err := ReadResponses(context.Background(), bad, func(*Response) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "bad.warc") || !strings.Contains(err.Error(), "offset") {
		t.Fatalf("err = %v, want one naming the file and offset", err)
	}
}

func gunzipAll(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr) // multistream: every member
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A file cut short after whole records is read up to the damage when the
// caller takes damage as a warning; a file that is no WARC at all is an
// error whatever the caller says.
func TestReadDamagedFile(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, 64<<20, "presscrawl/test")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err := w.Capture(exchange(i, []byte(fmt.Sprintf("<html><p>page %d %s</p></html>", i, strings.Repeat("text ", 200))))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := Files([]string{dir})
	st, _ := os.Stat(files[0])
	os.Truncate(files[0], st.Size()*2/3)
	var damage []error
	read := 0
	err = ReadResponsesWith(context.Background(), files[0], ReadOptions{Damaged: func(e error) { damage = append(damage, e) }}, func(*Response) error { read++; return nil })
	if err != nil || len(damage) != 1 || read < 10 || read >= 20 {
		t.Errorf("cut file: %d read, damage %v, err %v", read, damage, err)
	}
	if err := ReadResponses(context.Background(), files[0], func(*Response) error { return nil }); err == nil {
		t.Error("without a Damaged callback, damage is no error")
	}
	junk := filepath.Join(dir, "junk.warc.gz")
	os.WriteFile(junk, []byte("not a WARC file at all"), 0o644)
	if err := ReadResponsesWith(context.Background(), junk, ReadOptions{Damaged: func(error) {}}, func(*Response) error { return nil }); err == nil {
		t.Error("a file that is no WARC was read as damaged, not refused")
	}
}
