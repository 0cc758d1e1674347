package warc

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// gzMember is one gzip member of body.
func gzMember(t *testing.T, body []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}

const goodBlock = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><p>hello there</p></html>"

var goodRecord = "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\n" +
	"WARC-Date: 2024-03-05T08:00:00Z\r\nWARC-Target-URI: http://a.example/\r\nContent-Type: application/http;msgtype=response\r\n" +
	"Content-Length: " + strconv.Itoa(len(goodBlock)) + "\r\n\r\n" + goodBlock + "\r\n\r\n"

// A WARC record whose header is one huge line, or a great many short
// lines, costs that record (the file is damaged there, the records before
// it kept) and not the memory: the header block is bounded.
func TestHugeHeadersAreDamage(t *testing.T) {
	dir := t.TempDir()
	oneLine := append([]byte("WARC/1.1\r\nWARC-Type: response\r\nX-Huge: "), bytes.Repeat([]byte("a"), 256<<20)...)  // 256 MiB, one line
	manyLines := append([]byte("WARC/1.1\r\nWARC-Type: response\r\n"), bytes.Repeat([]byte("X-A: b\r\n"), 8<<20)...) // 64 MiB of lines
	for name, hostile := range map[string][]byte{"one-line": oneLine, "many-lines": manyLines} {
		path := filepath.Join(dir, name+".warc.gz")
		file := append(gzMember(t, []byte(goodRecord)), gzMember(t, hostile)...)
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes on disk for %d MiB of header", name, len(file), len(hostile)>>20)
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var damage []error
		got := 0
		err := ReadResponsesWith(context.Background(), path, ReadOptions{Damaged: func(err error) { damage = append(damage, err) }}, func(r *Response) error {
			got++
			return nil
		})
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if err != nil || got != 1 || len(damage) != 1 || !errors.Is(damage[0], ErrHeaderTooLarge) || !strings.Contains(damage[0].Error(), path) {
			t.Errorf("%s: err %v, %d records, damage %v: want the good record and the damage named", name, err, got, damage)
		}
		if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 64<<20 {
			t.Errorf("%s: %d MB allocated reading it, want a bounded header", name, grew>>20)
		}
	}
}
