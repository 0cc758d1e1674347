// Package warc keeps a crawl's raw responses as WARC/1.1 files (one gzip
// member per record, files rotated at a size limit) and reads them back, so
// that an archive can be re-extracted without fetching again. It wraps
// github.com/nlnwa/gowarc, the National Library of Norway's WARC library,
// for writing, reading and validation.
package warc

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
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

// Response is an HTTP response read back from a WARC file.
type Response struct {
	URL        string
	StatusCode int
	Header     http.Header
	Body       []byte
	Date       time.Time
	File       string // the WARC file's name (base name)
	RecordID   string
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

// ReadResponses calls fn with every response record of the WARC file at
// path, in file order, validating each record's digests as it goes: a
// damaged record is an error naming the file and its offset. A file cut
// short (a killed crawl's .open file) ends at its last whole record.
func ReadResponses(ctx context.Context, path string, fn func(*Response) error) error {
	return ReadResponsesWith(ctx, path, ReadOptions{}, fn)
}

// ReadOptions tune ReadResponsesWith.
type ReadOptions struct {
	// MaxBytes passes over response records whose block is larger, read
	// through without being held (0: no limit).
	MaxBytes int64
	// Skipped receives the target URI of each record passed over.
	Skipped func(uri string)
	// Damaged, when set, receives the damage found in a file after its
	// first whole record (a record cut short, a bad digest, a broken gzip
	// member): the file's reading ends there and the records before it are
	// kept. Otherwise (nil, or a file without one whole record: not a WARC
	// file) damage is the error ReadResponsesWith returns.
	Damaged func(error)
}

// ReadResponsesWith is ReadResponses with options.
func ReadResponsesWith(ctx context.Context, path string, o ReadOptions, fn func(*Response) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("WARC %s: %w", path, err)
	}
	defer f.Close()
	stream, gz, err := guardedStream(f)
	if err != nil {
		return fmt.Errorf("WARC %s: %w", path, err)
	}
	r, err := gowarc.NewWarcFileReaderFromStream(stream, 0, gowarc.WithStrictValidation())
	if err != nil {
		return fmt.Errorf("WARC %s: %w", path, err)
	}
	defer r.Close()
	open := strings.HasSuffix(path, ".open")
	name := strings.TrimSuffix(filepath.Base(path), ".open")
	records := 0
	where := "offset"
	if gz {
		where = "uncompressed offset"
	}
	damaged := func(offset int64, err error) error {
		err = fmt.Errorf("WARC %s at %s %d: %w", path, where, offset, err)
		if o.Damaged != nil && records > 0 { // not a WARC file at all is an error
			o.Damaged(err)
			return nil
		}
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if open {
				return nil // an .open file is incomplete by its name: it ends at its last whole record
			}
			return damaged(rec.Offset, err)
		}
		if o.MaxBytes > 0 && rec.WarcRecord.Type() == gowarc.Response {
			if n, err := strconv.ParseInt(rec.WarcRecord.WarcHeader().Get(gowarc.ContentLength), 10, 64); err == nil && n > o.MaxBytes {
				if o.Skipped != nil {
					o.Skipped(rec.WarcRecord.WarcHeader().Get(gowarc.WarcTargetURI))
				}
				rec.WarcRecord.Close() // the reader streams past it
				continue
			}
		}
		resp, err := response(rec.WarcRecord, name)
		rec.WarcRecord.Close()
		if err != nil {
			if open {
				return nil
			}
			return damaged(rec.Offset, err)
		}
		records++
		if resp == nil {
			continue
		}
		if err := fn(resp); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
}

func response(wr gowarc.WarcRecord, file string) (*Response, error) {
	if wr.Type() != gowarc.Response {
		return nil, nil
	}
	if wr.WarcHeader().Get(gowarc.WarcTargetURI) == "" {
		return nil, nil // a response of no address: nothing to file a record under
	}
	if _, err := wr.ValidateDigest(); err != nil { // reads (and keeps) the block

		return nil, err
	}
	blk, ok := wr.Block().(gowarc.HttpResponseBlock)
	if !ok {
		return nil, nil // not HTTP (dns:, whois: ...)
	}
	payload, err := blk.PayloadBytes()
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(bufio.NewReader(payload))
	if err != nil {
		return nil, err
	}
	date, _ := wr.Date()
	h := http.Header{}
	if hh := blk.HttpHeader(); hh != nil {
		h = hh.Clone()
	}
	return &Response{URL: wr.WarcHeader().Get(gowarc.WarcTargetURI), StatusCode: blk.HttpStatusCode(), Header: h,
		Body: body, Date: date.UTC(), File: file, RecordID: wr.RecordId()}, nil
}

// MaxHeaderBytes bounds a WARC record's header block (and what stands
// between two records): trusted readers cap it near 1 MiB; past it the
// record is damaged. gowarc reads header lines without a bound, so a gzip
// member of 1 MB holding a 1 GiB header line took reextract to 4.3 GB.
const MaxHeaderBytes = 1 << 20

// ErrHeaderTooLarge is a record whose header block passes MaxHeaderBytes.
var ErrHeaderTooLarge = errors.New("WARC header block larger than 1 MiB")

// guardedStream is a WARC file's records as gowarc reads them: the gzip
// members decompressed here, one after another, so that headerGuard sees
// the records' bytes and bounds their headers; plain files as they are.
func guardedStream(f *os.File) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(f, 64<<10)
	var src io.Reader = br
	magic, _ := br.Peek(2)
	gz := len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
	if gz {
		zr, err := gzip.NewReader(br) // multistream: every member, in order
		if err != nil {
			return nil, false, err
		}
		src = zr
	}
	return &headerGuard{r: src}, gz, nil
}

// headerGuard passes a WARC stream through, following its framing (a
// header block up to a blank line, then Content-Length bytes of block),
// and fails a header block of more than MaxHeaderBytes.
type headerGuard struct {
	r          io.Reader
	inBlock    bool
	remaining  int64  // block bytes left
	header     int    // bytes of the header block so far
	line       []byte // the start of the current header line
	sawVersion bool   // the header's WARC/ line was read
	length     int64  // its Content-Length
	err        error
}

func (g *headerGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; {
		if g.inBlock {
			take := int(min(g.remaining, int64(n-i)))
			g.remaining -= int64(take)
			i += take
			if g.remaining == 0 {
				g.inBlock, g.header, g.sawVersion, g.length = false, 0, false, 0
			}
			continue
		}
		b := p[i]
		i++
		g.header++
		if g.header > MaxHeaderBytes {
			g.err = ErrHeaderTooLarge
			return i - 1, g.err
		}
		if b != '\n' {
			if len(g.line) < 64 {
				g.line = append(g.line, b)
			}
			continue
		}
		line := strings.TrimRight(string(g.line), "\r")
		g.line = g.line[:0]
		switch {
		case strings.HasPrefix(line, "WARC/"):
			g.sawVersion = true
		case line == "" && g.sawVersion: // the end of the header block
			g.inBlock, g.remaining = g.length > 0, g.length
			if !g.inBlock {
				g.header, g.sawVersion = 0, false
			}
		case g.sawVersion && len(line) > 15 && strings.EqualFold(line[:15], "content-length:"):
			if v, perr := strconv.ParseInt(strings.TrimSpace(line[15:]), 10, 64); perr == nil && v > 0 {
				g.length = v
			}
		}
	}
	return n, err
}
