// Package warc keeps a crawl's raw responses as WARC/1.1 files (one gzip
// member per record, files rotated at a size limit) and reads back WARC
// files written by any tool. Writing wraps github.com/nlnwa/gowarc, the
// National Library of Norway's WARC library. Reading is this package's
// own (read.go, responses.go): gowarc's reader is strict where other
// writers are not (wget's <angle-bracketed> WARC/1.0 URIs, warcio's
// revisit and metadata records), holds no offsets to resume from and
// stops a file at its first damaged record; this one is lenient in what
// it parses, checks SHA-1 and SHA-256 block digests, bounds headers and
// inflated bodies, and costs a damaged record only itself.
package warc

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// DefaultMaxFileBytes is the size at which a WARC file is closed and the
// next one begun (the WARC 1.1 recommendation is 1 GB).
const DefaultMaxFileBytes = 1 << 30

// Writer writes fetched responses, each with its request, to WARC files in
// a directory. It is safe for concurrent use; Close finishes the current
// file (until then it carries the suffix .open).
type Writer struct {
	// mu serialises record building and writing: gowarc v3.1.0 sets a
	// package variable of google/uuid each time it builds a record (a data
	// race when builds run concurrently). Writing was serial anyway: one
	// file, one gzip stream at a time.
	mu   sync.Mutex
	w    *gowarc.WarcFileWriter
	dir  string
	once sync.Once
	err  error
	// damaged are the files a write failed in (a full disk): left named
	// .open when closed, as incomplete, not named as a finished capture.
	damaged map[string]bool
}

// NewWriter writes into dir (created if needed), starting a new file when
// the current one would pass maxBytes. software names the producer in each
// file's warcinfo record.
func NewWriter(dir string, maxBytes int64, software string) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("WARC dir %s: %w", dir, err)
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFileBytes
	}
	host, _ := os.Hostname()
	gen := &gowarc.PatternNameGenerator{Directory: dir, Prefix: "presscrawl-", Pattern: "%{prefix}s%{ts}s-%05{serial}d-%{host}s-" + strconv.Itoa(os.Getpid()) + ".%{ext}s",
		Params: map[string]any{"host": host}}
	w := gowarc.NewWarcFileWriter(
		gowarc.WithFileNameGenerator(gen),
		gowarc.WithCompression(true), // one gzip member per record
		gowarc.WithMaxFileSize(maxBytes),
		gowarc.WithAddWarcConcurrentToHeader(true),
		gowarc.WithWarcInfoFunc(func(b gowarc.WarcRecordBuilder) error {
			_, err := fmt.Fprintf(b, "software: %s\r\nformat: WARC File Format 1.1\r\nconformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\nhostname: %s\r\n", software, host)
			return err
		}),
	)
	return &Writer{w: w, dir: dir}, nil
}

// Exchange is one HTTP request and its response, as fetched.
type Exchange struct {
	Method, URL    string
	RequestHeader  http.Header
	StatusCode     int
	Proto          string // "HTTP/1.1", "HTTP/2.0"
	ResponseHeader http.Header
	// Body is the body as received, after any Content-Encoding was undone
	// (the header says so no more).
	Body      []byte
	FetchedAt time.Time
}

// Provenance names where a response was archived.
type Provenance struct {
	File     string // the WARC file's name
	RecordID string // the response record's WARC-Record-ID
}

// Capture writes x as a request record and a response record and returns
// the response's file and record id.
func (w *Writer) Capture(x *Exchange) (Provenance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	req, err := requestRecord(x)
	if err != nil {
		return Provenance{}, fmt.Errorf("WARC request record of %s: %w", x.URL, err)
	}
	resp, err := responseRecord(x)
	if err != nil {
		req.Close()
		return Provenance{}, fmt.Errorf("WARC response record of %s: %w", x.URL, err)
	}
	id := resp.RecordId()
	res := w.w.Write(resp, req)
	for _, r := range res {
		if r.Err != nil {
			if r.FileName != "" {
				if w.damaged == nil {
					w.damaged = map[string]bool{}
				}
				w.damaged[r.FileName] = true
			}
			return Provenance{}, fmt.Errorf("write WARC in %s: %w", w.dir, r.Err)
		}
	}
	return Provenance{File: res[0].FileName, RecordID: id}, nil
}

// Convert writes a conversion record: the document a browser built from a
// response's page (--render), as HTML, referring to that response record
// (refersTo, its WARC-Record-ID; "" when the response was not kept).
func (w *Writer) Convert(targetURL, refersTo string, at time.Time, html []byte) (Provenance, error) {
	rb := gowarc.NewRecordBuilder(gowarc.Conversion, gowarc.WithStrictValidation(), gowarc.WithAddMissingDigest(true))
	rb.AddWarcHeader(gowarc.WarcTargetURI, targetURL)
	rb.AddWarcHeaderTime(gowarc.WarcDate, at)
	rb.AddWarcHeader(gowarc.ContentType, "text/html; charset=utf-8")
	if refersTo != "" {
		if !strings.HasPrefix(refersTo, "<") {
			refersTo = "<" + refersTo + ">" // a WARC-Record-ID as the header writes it
		}
		rb.AddWarcHeader(gowarc.WarcRefersTo, refersTo)
	}
	if _, err := rb.Write(html); err != nil {
		return Provenance{}, err
	}
	rec, _, err := rb.Build()
	if err != nil {
		return Provenance{}, fmt.Errorf("WARC conversion record of %s: %w", targetURL, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id := rec.RecordId()
	res := w.w.Write(rec)
	for _, r := range res {
		if r.Err != nil {
			return Provenance{}, fmt.Errorf("write WARC in %s: %w", w.dir, r.Err)
		}
	}
	return Provenance{File: res[0].FileName, RecordID: id}, nil
}

// Close finishes the current file.
func (w *Writer) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := w.w.Close(); err != nil {
			w.err = fmt.Errorf("close WARC in %s: %w", w.dir, err)
		}
		for name := range w.damaged {
			p := filepath.Join(w.dir, strings.TrimSuffix(name, ".open"))
			if _, err := os.Stat(p); err == nil {
				_ = os.Rename(p, p+".open") // incomplete: read up to its damage
			}
		}
	})
	return w.err
}

func requestRecord(x *Exchange) (gowarc.WarcRecord, error) {
	u, err := url.Parse(x.URL)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", x.Method, u.RequestURI(), u.Host)
	h := x.RequestHeader.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Del("Host")
	h.Write(&b)
	b.WriteString("\r\n")
	return build(gowarc.Request, "application/http;msgtype=request", x, b.Bytes())
}

func responseRecord(x *Exchange) (gowarc.WarcRecord, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", x.StatusCode, http.StatusText(x.StatusCode))
	h := x.ResponseHeader.Clone()
	if h == nil {
		h = http.Header{}
	}
	// The body is kept as decoded: the headers must say so.
	h.Del("Content-Encoding")
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(x.Body)))
	h.Write(&b)
	b.WriteString("\r\n")
	b.Write(x.Body)
	return build(gowarc.Response, "application/http;msgtype=response", x, b.Bytes())
}

func build(t gowarc.RecordType, ct string, x *Exchange, block []byte) (gowarc.WarcRecord, error) {
	rb := gowarc.NewRecordBuilder(t, gowarc.WithStrictValidation(), gowarc.WithAddMissingDigest(true))
	rb.AddWarcHeader(gowarc.WarcTargetURI, x.URL)
	rb.AddWarcHeaderTime(gowarc.WarcDate, x.FetchedAt)
	rb.AddWarcHeader(gowarc.ContentType, ct)
	if _, err := rb.Write(block); err != nil {
		return nil, err
	}
	rec, _, err := rb.Build()
	return rec, err
}

// Files expands paths (WARC files, or directories holding them) into the
// WARC files to read, in name order: *.warc, *.warc.gz, and the *.open
// files a killed crawl leaves.
func Files(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("WARC input %s: %w", p, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("WARC input %s: %w", p, err)
		}
		var names []string
		for _, e := range ents {
			n := strings.TrimSuffix(e.Name(), ".open")
			if !e.IsDir() && (strings.HasSuffix(n, ".warc") || strings.HasSuffix(n, ".warc.gz")) {
				names = append(names, filepath.Join(p, e.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

// ErrStop, returned by a ReadResponses callback, ends the reading early
// without an error.
var ErrStop = errors.New("stop")
