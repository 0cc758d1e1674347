package warc

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A WARC file of any bytes is read up to its damage or refused, never a
// panic; every response handed out has a URL.
func FuzzReadResponses(f *testing.F) {
	f.Add([]byte("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\nWARC-Date: 2024-03-05T08:00:00Z\r\nWARC-Target-URI: http://a.example/\r\nContent-Type: application/http;msgtype=response\r\nContent-Length: 60\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><p>hello</p></html>\r\n\r\n"))
	f.Add([]byte("WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "f.warc")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Skip(err)
		}
		_ = ReadResponsesWith(context.Background(), path, ReadOptions{MaxBytes: 1 << 20, Damaged: func(error) {}}, func(r *Response) error {
			if r.URL == "" {
				t.Fatal("a response without a URL")
			}
			return nil
		})
	})
}
