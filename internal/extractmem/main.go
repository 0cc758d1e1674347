// Command extractmem extracts article records from HTML files (plain or
// gzipped) in one process and prints how many it made: a program that links
// the extract package alone, so that its peak memory (GNU time) is the
// extraction's, not the presscrawl command's (whose crawler, search index
// and Elasticsearch client keep ~20 MB more of code resident). make
// extractmem runs it on the development set.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/presscrawl/presscrawl/extract"
)

func main() {
	records, failed := 0, 0
	for _, name := range os.Args[1:] {
		body, err := read(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "extractmem: %s: %v\n", name, err)
			os.Exit(1)
		}
		if _, err := extract.Extract(extract.Input{Body: body}); err != nil {
			failed++
			continue
		}
		records++
	}
	fmt.Printf("%d records, %d pages without one\n", records, failed)
}

// read returns a file's bytes, gunzipped when its name ends in .gz.
func read(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil || !strings.HasSuffix(name, ".gz") {
		return b, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}
