package warc

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// needTool skips without a third-party WARC writer, except under CI=true
// (.ci/run installs them), where it fails.
func needTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed under CI (.ci/run installs it): %v", name, err)
		}
		t.Skipf("%s not available: %v", name, err)
	}
}

// interopSite serves a small site the way real servers answer: a home page
// linking to a page sent chunked, one gzipped when the client asks for it,
// a PDF and an Arabic page.
func interopSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><body><h1>Home</h1><a href="/chunked">c</a> <a href="/gzipped">g</a> <a href="/report.pdf">p</a> <a href="/ar">a</a></body></html>`)
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fl := w.(http.Flusher)
		fmt.Fprint(w, "<html><body><h1>Chunked story</h1>")
		fl.Flush()
		for i := 0; i < 20; i++ {
			fmt.Fprintf(w, "<p>Paragraph %d of the chunked story, sent in pieces.</p>", i)
			fl.Flush()
		}
		fmt.Fprint(w, "</body></html>")
	})
	mux.HandleFunc("/gzipped", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		page := "<html><body><h1>Gzipped story</h1>" + strings.Repeat("<p>The compressed words of the story.</p>", 30) + "</body></html>"
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write([]byte(page))
			zw.Close()
			return
		}
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		fmt.Fprint(w, "%PDF-1.4 not really")
	})
	mux.HandleFunc("/ar", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html lang="ar" dir="rtl"><body><h1>خبر عاجل</h1><p>نص الخبر باللغة العربية.</p></body></html>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func readAll(t *testing.T, path string, o ReadOptions) (map[string]*Response, ReadStats, []error) {
	t.Helper()
	var st ReadStats
	var damage []error
	o.Stats = &st
	o.Damaged = func(err error) { damage = append(damage, err) }
	got := map[string]*Response{}
	err := ReadResponsesWith(context.Background(), path, o, func(r *Response) error {
		got[r.URL] = r
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return got, st, damage
}

// A WARC that wget writes (WARC/1.0, <angle-bracketed> target URIs,
// request records, the chunked and gzipped payloads as they came, SHA-1
// digests, a metadata and resource records) reads whole, compressed per
// record or plain, and its pages come out de-chunked and inflated.
func TestReadWgetWARC(t *testing.T) {
	needTool(t, "wget", "--version")
	srv := interopSite(t)
	for _, compress := range []bool{true, false} {
		dir := t.TempDir()
		args := []string{"-q", "-r", "-l", "1", "--compression=auto", "-e", "robots=off", "--warc-file=" + filepath.Join(dir, "site"), "-P", dir, srv.URL + "/"}
		if !compress {
			args = append(args, "--no-warc-compression")
		}
		out, err := exec.Command("wget", args...).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "ERROR 404") {
			// wget exits 8 for the 404 of robots.txt-less paths; the WARC is written
			t.Logf("wget: %v %s", err, out)
		}
		name := filepath.Join(dir, "site.warc")
		if compress {
			name += ".gz"
		}
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(gunzipMaybe(t, raw), []byte("WARC-Target-URI: <http")) {
			t.Fatalf("wget's WARC has no angle-bracketed target URI: the test does not test what it says")
		}
		got, st, damage := readAll(t, name, ReadOptions{})
		if len(damage) > 0 {
			t.Errorf("compress=%v: damage %v", compress, damage)
		}
		for path, want := range map[string]string{"/": "<h1>Home</h1>", "/chunked": "Paragraph 19 of the chunked story", "/gzipped": "The compressed words", "/ar": "نص الخبر"} {
			r := got[srv.URL+path]
			if r == nil {
				t.Errorf("compress=%v: no response for %s (got %d)", compress, path, len(got))
				continue
			}
			if !strings.Contains(string(r.Body), want) || r.StatusCode != 200 || r.Date.IsZero() || r.RecordID == "" || strings.HasPrefix(r.RecordID, "<") {
				t.Errorf("compress=%v %s: status %d date %v id %q body %.120q", compress, path, r.StatusCode, r.Date, r.RecordID, r.Body)
			}
		}
		if r := got[srv.URL+"/chunked"]; r != nil && bytes.Contains(r.Body, []byte("\r\n3")) {
			t.Errorf("chunk sizes left in the body: %.200q", r.Body)
		}
		if r := got[srv.URL+"/gzipped"]; r != nil && r.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q left on an inflated body", r.Header.Get("Content-Encoding"))
		}
		if st.ByType["request"] < 4 || st.ByType["warcinfo"] != 1 || st.ByType["metadata"]+st.ByType["resource"] == 0 {
			t.Errorf("compress=%v: records by type %v", compress, st.ByType)
		}
		t.Logf("compress=%v: %d records, %d responses, by type %v", compress, st.Records, st.Responses, st.ByType)
	}
}

func gunzipMaybe(t *testing.T, b []byte) []byte {
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		return gunzipAll(t, b)
	}
	return b
}

// warcioScript writes a WARC/1.0 file in CC-NEWS's shape with Python's
// warcio: responses only (no request records), SHA-1 digests, gzip per
// record; then a revisit of the first page's payload, a metadata record
// and a PDF.
const warcioScript = `
import sys
from io import BytesIO
from warcio.warcwriter import WARCWriter
from warcio.statusandheaders import StatusAndHeaders
out, n = sys.argv[1], int(sys.argv[2])
with open(out, 'wb') as f:
    w = WARCWriter(f, gzip=True, warc_version='1.0')
    first = None
    for i in range(n):
        body = ('<html><head><title>Story %d</title></head><body><h1>Story %d</h1><p>' % (i, i) + 'Words of the story. ' * 40 + '</p></body></html>').encode()
        http = StatusAndHeaders('200 OK', [('Content-Type', 'text/html; charset=utf-8'), ('Content-Length', str(len(body)))], protocol='HTTP/1.1')
        rec = w.create_warc_record('https://news.example/2024/03/story-%d.html' % i, 'response', payload=BytesIO(body), http_headers=http)
        w.write_record(rec)
        if first is None:
            first = rec
    w.write_record(w.create_revisit_record('https://news.example/2024/03/story-0.html?utm=x', first.rec_headers.get_header('WARC-Payload-Digest'),
        'https://news.example/2024/03/story-0.html', first.rec_headers.get_header('WARC-Date')))
    w.write_record(w.create_warc_record('https://news.example/2024/03/story-0.html', 'metadata', payload=BytesIO(b'fetchTimeMs: 12\r\n'), warc_content_type='application/warc-fields'))
    pdf = b'%PDF-1.4 a report'
    http = StatusAndHeaders('200 OK', [('Content-Type', 'application/pdf'), ('Content-Length', str(len(pdf)))], protocol='HTTP/1.0')
    w.write_record(w.create_warc_record('https://news.example/report.pdf', 'response', payload=BytesIO(pdf), http_headers=http))
`

// writeWarcio runs warcioScript into path.
func writeWarcio(t *testing.T, path string, n int) {
	t.Helper()
	needTool(t, "python3", "-c", "import warcio")
	script := filepath.Join(t.TempDir(), "w.py")
	os.WriteFile(script, []byte(warcioScript), 0o644)
	if out, err := exec.Command("python3", script, path, strconv.Itoa(n)).CombinedOutput(); err != nil {
		t.Fatalf("warcio: %v %s", err, out)
	}
}

// A CC-NEWS-shaped WARC/1.0 by warcio reads whole: every response, the
// revisit and metadata records counted (and the revisit handed on when
// asked), no damage.
func TestReadWarcioWARC(t *testing.T) {
	path := filepath.Join(t.TempDir(), "CC-NEWS-20240305000000-00001.warc.gz")
	writeWarcio(t, path, 30)
	got, st, damage := readAll(t, path, ReadOptions{Revisits: true})
	if len(damage) > 0 {
		t.Errorf("damage %v", damage)
	}
	stories := 0
	for u, r := range got {
		if strings.Contains(u, "story-") && !r.Revisit && strings.Contains(string(r.Body), "Words of the story") {
			stories++
		}
	}
	rv := got["https://news.example/2024/03/story-0.html?utm=x"]
	if stories != 30 || rv == nil || !rv.Revisit || rv.RefersTo != "https://news.example/2024/03/story-0.html" || rv.PayloadDigest == "" ||
		st.ByType["metadata"] != 1 || st.ByType["revisit"] != 1 || got["https://news.example/report.pdf"] == nil {
		t.Errorf("%d stories, revisit %+v, by type %v", stories, rv, st.ByType)
	}
	if r := got["https://news.example/2024/03/story-3.html"]; r == nil || !strings.HasPrefix(r.PayloadDigest, "sha1:") {
		t.Errorf("story 3: %+v", r)
	}
}

// A damaged record costs that record: a gzip member with broken bytes, a
// block with a bad digest, a record cut short in the middle of a plain
// file; the reading goes on at the next record and says how many were lost.
func TestDamagedRecordCostsOnlyItself(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cc.warc.gz")
	writeWarcio(t, path, 10)
	raw, _ := os.ReadFile(path)
	// the members' offsets
	var starts []int
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] == 0x1f && raw[i+1] == 0x8b && raw[i+2] == 0x08 {
			starts = append(starts, i)
		}
	}
	if len(starts) < 12 {
		t.Fatalf("%d members", len(starts))
	}
	broken := append([]byte(nil), raw...)
	mid := (starts[4] + starts[5]) / 2 // inside the fifth member's deflate data
	for i := mid; i < mid+16; i++ {
		broken[i] ^= 0x5a
	}
	bad := filepath.Join(t.TempDir(), "broken.warc.gz")
	os.WriteFile(bad, broken, 0o644)
	got, st, damage := readAll(t, bad, ReadOptions{})
	stories := 0
	for u := range got {
		if strings.Contains(u, "story-") {
			stories++
		}
	}
	if len(damage) != 1 || st.Damaged != 1 || stories != 9 || !strings.Contains(damage[0].Error(), "broken.warc.gz") {
		t.Errorf("a broken member: %d stories of 10, damage %v", stories, damage)
	}

	// plain: one block's byte changed (its digest fails), another record cut
	plain := gunzipAll(t, raw)
	i := bytes.Index(plain, []byte("<h1>Story 2</h1>"))
	plain[i+5] = 'X'
	j := bytes.Index(plain, []byte("<h1>Story 6</h1>"))
	plain = append(plain[:j:j], plain[j+200:]...) // record 6 loses 200 bytes of its block
	pp := filepath.Join(t.TempDir(), "plain.warc")
	os.WriteFile(pp, plain, 0o644)
	got, st, damage = readAll(t, pp, ReadOptions{})
	stories = 0
	for u := range got {
		if strings.Contains(u, "story-") {
			stories++
		}
	}
	if st.Damaged != 2 || stories != 8 {
		t.Errorf("plain, a bad digest and a record cut: %d stories of 10, damage %v", stories, damage)
	}
	t.Logf("plain: damage %v", damage)
}

// Hand-made records: whole-file gzip, a Content-Encoding of br and of
// deflate, a block without Content-Length (gzip per record), HTTP/1.0.
func TestReadOtherShapes(t *testing.T) {
	rec := func(uri string, block []byte, withLength bool) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, "WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\nWARC-Date: 2024-03-05T08:00:00Z\r\nWARC-Target-URI: %s\r\nContent-Type: application/http; msgtype=response\r\n", strings.Repeat("a", 8), uri)
		if withLength {
			fmt.Fprintf(&b, "Content-Length: %d\r\n", len(block))
		}
		b.WriteString("\r\n")
		b.Write(block)
		b.WriteString("\r\n\r\n")
		return b.Bytes()
	}
	page := []byte("<html><body><h1>Encoded</h1><p>The story's words.</p></body></html>")
	var brb bytes.Buffer
	bw := brotli.NewWriter(&brb)
	bw.Write(page)
	bw.Close()
	httpMsg := func(proto, ce string, body []byte) []byte {
		h := proto + " 200 OK\r\nContent-Type: text/html\r\n"
		if ce != "" {
			h += "Content-Encoding: " + ce + "\r\n"
		}
		return append([]byte(h+"\r\n"), body...)
	}
	var deflated bytes.Buffer
	fw := zlib.NewWriter(&deflated)
	fw.Write(page)
	fw.Close()
	records := [][]byte{
		rec("https://a.example/br", httpMsg("HTTP/1.1", "br", brb.Bytes()), true),
		rec("https://a.example/deflate", httpMsg("HTTP/1.1", "deflate", deflated.Bytes()), true),
		rec("https://a.example/http10", httpMsg("HTTP/1.0", "", page), true),
		rec("https://a.example/nolength", httpMsg("HTTP/1.1", "", page), false),
	}
	dir := t.TempDir()
	// gzip per record (the record without Content-Length is allowed there)
	var per bytes.Buffer
	for _, r := range records {
		zw := gzip.NewWriter(&per)
		zw.Write(r)
		zw.Close()
	}
	// whole-file gzip (every record has its length)
	var whole bytes.Buffer
	zw2 := gzip.NewWriter(&whole)
	for _, r := range records[:3] {
		zw2.Write(r)
	}
	zw2.Close()
	for name, content := range map[string][]byte{"per.warc.gz": per.Bytes(), "whole.warc.gz": whole.Bytes()} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o644)
		got, _, damage := readAll(t, p, ReadOptions{})
		want := 4
		if name == "whole.warc.gz" {
			want = 3
		}
		if len(got) != want || len(damage) > 0 {
			t.Errorf("%s: %d responses (want %d), damage %v", name, len(got), want, damage)
		}
		for u, r := range got {
			if !bytes.Equal(r.Body, page) {
				t.Errorf("%s %s: body %.100q", name, u, r.Body)
			}
			if name == "whole.warc.gz" && r.Skip == 0 && u != "https://a.example/br" {
				t.Errorf("%s %s: offset %d skip %d: a record inside the one member", name, u, r.Offset, r.Skip)
			}
		}
	}
}
