// Command ccnewsgen writes a CC-NEWS-shaped WARC collection for benchmarks:
// WARC/1.0 files of response records only (no requests), SHA-1 block and
// payload digests in base32, one gzip member per record, as Common Crawl
// writes them, holding the development set's real pages again and again
// under distinct URLs, laid out as Common Crawl's tree
// (crawl-data/CC-NEWS/2024/03/); and a warc.paths listing of the files.
//
//	go run ./internal/ccnewsgen -files 4 -records 8000 -out /tmp/ccnews
//	go run ./internal/ccnewsgen -out /tmp/ccnews -serve 127.0.0.1:8090
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/base32"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

func main() {
	dev := flag.String("devset", "../shared/datasets/trafilatura-eval", "the development set's directory")
	files := flag.Int("files", 4, "WARC files to write")
	records := flag.Int("records", 8000, "response records per file")
	out := flag.String("out", "/tmp/ccnews", "directory to write into")
	serve := flag.String("serve", "", "serve the directory -out on this address instead (ranges supported), e.g. 127.0.0.1:8090")
	flag.Parse()
	if *serve != "" {
		log.Printf("serving %s on http://%s/", *out, *serve)
		log.Fatal(http.ListenAndServe(*serve, http.FileServer(http.Dir(*out))))
	}
	var cases []struct {
		URL  string `json:"url"`
		File string `json:"file"`
	}
	b, err := os.ReadFile(filepath.Join(*dev, "cases.json"))
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		log.Fatal(err)
	}
	var pages [][]byte
	for _, c := range cases {
		raw, err := os.ReadFile(filepath.Join(*dev, c.File))
		if err != nil {
			log.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			log.Fatal(err)
		}
		page, err := io.ReadAll(zr)
		if err != nil {
			log.Fatal(err)
		}
		pages = append(pages, page)
	}
	tree := filepath.Join(*out, "crawl-data", "CC-NEWS", "2024", "03") // as Common Crawl lays it out
	if err := os.MkdirAll(tree, 0o755); err != nil {
		log.Fatal(err)
	}
	var list bytes.Buffer
	date := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	n := 0
	for f := 0; f < *files; f++ {
		name := fmt.Sprintf("CC-NEWS-20240305%06d-%05d.warc.gz", f, f)
		fmt.Fprintf(&list, "crawl-data/CC-NEWS/2024/03/%s\n", name)
		fh, err := os.Create(filepath.Join(tree, name))
		if err != nil {
			log.Fatal(err)
		}
		var total int64
		for r := 0; r < *records; r++ {
			page := pages[n%len(pages)]
			u := fmt.Sprintf("https://news%d.example/%d/article-%d.html", n%50, n/len(pages), n)
			head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", len(page))
			block := append([]byte(head), page...)
			at := date.Add(time.Duration(n) * time.Second)
			var rec bytes.Buffer
			fmt.Fprintf(&rec, "WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: %s\r\nWARC-Record-ID: <urn:uuid:%08x-0000-4000-8000-%012x>\r\n", at.Format(time.RFC3339), n, n)
			fmt.Fprintf(&rec, "Content-Length: %d\r\nContent-Type: application/http; msgtype=response\r\nWARC-Target-URI: %s\r\n", len(block), u)
			fmt.Fprintf(&rec, "WARC-Payload-Digest: sha1:%s\r\nWARC-Block-Digest: sha1:%s\r\n\r\n", digest(page), digest(block))
			rec.Write(block)
			rec.WriteString("\r\n\r\n")
			zw, _ := gzip.NewWriterLevel(fh, gzip.DefaultCompression)
			zw.Write(rec.Bytes())
			zw.Close()
			total += int64(len(block))
			n++
		}
		fh.Close()
		st, _ := os.Stat(filepath.Join(tree, name))
		log.Printf("%s: %d records, %.0f MB of pages, %.0f MB on disk", name, *records, float64(total)/1e6, float64(st.Size())/1e6)
	}
	if err := os.WriteFile(filepath.Join(*out, "warc.paths"), list.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func digest(b []byte) string {
	sum := sha1.Sum(b)
	return base32.StdEncoding.EncodeToString(sum[:])
}
