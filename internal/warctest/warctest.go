// Package warctest writes WARC files with real third-party writers for
// interoperability tests: Python's warcio (the library behind many
// archiving tools) in Common Crawl CC-NEWS's shape. Tests only.
package warctest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Page is one HTTP response to write.
type Page struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`           // any bytes (JSON carries them in base64)
	Date        string `json:"date,omitempty"` // the capture's WARC-Date (RFC 3339); "" for now
}

// NeedWarcio skips without Python's warcio, except under CI=true (.ci/run
// installs it), where it fails.
func NeedWarcio(t testing.TB) {
	t.Helper()
	if err := exec.Command("python3", "-c", "import warcio").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 with warcio is needed under CI (.ci/run installs it): %v", err)
		}
		t.Skipf("python3 with warcio not available: %v", err)
	}
}

const script = `
import sys, json, base64
from io import BytesIO
from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders
pages = json.load(open(sys.argv[2]))
revisit = sys.argv[3] == '1'
with open(sys.argv[1], 'wb') as f:
    w = WARCWriter(f, gzip=True, warc_version='1.0')
    first = None
    for p in pages:
        body = base64.b64decode(p['body'])
        http = StatusAndHeaders('200 OK', [('Content-Type', p['content_type']), ('Content-Length', str(len(body)))], protocol='HTTP/1.1')
        rec = w.create_warc_record(p['url'], 'response', payload=BytesIO(body), http_headers=http,
            warc_headers_dict={'WARC-Date': p['date']} if p.get('date') else None)
        w.write_record(rec)
        if first is None:
            first = rec
    if revisit and first is not None:
        w.write_record(w.create_revisit_record(first.rec_headers.get_header('WARC-Target-URI'), first.rec_headers.get_header('WARC-Payload-Digest'),
            first.rec_headers.get_header('WARC-Target-URI'), first.rec_headers.get_header('WARC-Date')))
        w.write_record(w.create_warc_record(first.rec_headers.get_header('WARC-Target-URI'), 'metadata', payload=BytesIO(b'fetchTimeMs: 12\r\n'),
            warc_content_type='application/warc-fields'))
`

// WriteWarcio writes pages to path as a WARC/1.0 file by warcio: response
// records only (no requests), SHA-1 digests, gzip per record; with
// revisit, then a revisit of the first page and a metadata record.
func WriteWarcio(t testing.TB, path string, pages []Page, revisit bool) {
	t.Helper()
	NeedWarcio(t)
	dir := t.TempDir()
	js := filepath.Join(dir, "pages.json")
	b, err := json.Marshal(pages)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(js, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sc := filepath.Join(dir, "w.py")
	if err := os.WriteFile(sc, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	flag := "0"
	if revisit {
		flag = "1"
	}
	if out, err := exec.Command("python3", sc, path, js, flag).CombinedOutput(); err != nil {
		t.Fatalf("warcio: %v %s", err, out)
	}
}
