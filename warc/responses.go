package warc

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// Response is an HTTP response read back from a WARC file: a response
// record, or a revisit record (Revisit set; its Body is empty: it stands
// for an earlier capture of the same payload, named by PayloadDigest and
// RefersTo).
type Response struct {
	URL        string
	StatusCode int
	Header     http.Header
	Body       []byte
	Date       time.Time // the capture's WARC-Date
	File       string    // the WARC file's name as read: a base name, a path or a URL (ReadOptions.Name)
	RecordID   string
	// PayloadDigest is the record's WARC-Payload-Digest, as written.
	PayloadDigest string
	Revisit       bool
	// RefersTo is a revisit's WARC-Refers-To-Target-URI (else empty).
	RefersTo string
	// Offset and Skip are where a reader resumes to read this record again
	// (ReadOptions.Offset and Skip): its gzip member's start, or its first
	// byte in a plain file, and the records to pass over from there (more
	// than 0 inside one gzip member for the whole file).
	Offset int64
	Skip   int
}

// ReadStats counts what a read met, by kind.
type ReadStats struct {
	// Records is every record read whole, of any type.
	Records int
	// ByType counts the records of each WARC-Type that are no response
	// (request, metadata, resource, warcinfo, conversion, revisit ...).
	ByType map[string]int
	// Responses counts the response records handed on.
	Responses int
	// NotHTTP counts responses that hold no HTTP message (dns:, whois:).
	NotHTTP int
	// Undecodable counts responses whose HTTP message or Content-Encoding
	// could not be read.
	Undecodable int
	// TooLarge counts records passed over by MaxBytes.
	TooLarge int
	// Damaged counts damaged records, each costing itself.
	Damaged int
	// Bytes is how far the file was read (compressed bytes).
	Bytes int64
}

func (s *ReadStats) addType(t string) {
	if s.ByType == nil {
		s.ByType = map[string]int{}
	}
	s.ByType[t]++
}

// ReadResponses calls fn with every response record of the WARC file at
// path, in file order, validating each record's block digest as it goes:
// a damaged record is an error naming the file and its offset. A file cut
// short (a killed crawl's .open file) ends at its last whole record.
func ReadResponses(ctx context.Context, path string, fn func(*Response) error) error {
	return ReadResponsesWith(ctx, path, ReadOptions{}, fn)
}

// ReadOptions tune ReadResponsesWith and ReadStream.
type ReadOptions struct {
	// MaxBytes passes over records whose block is larger, streamed past,
	// never held (0: no limit); a Content-Encoding is inflated up to it.
	MaxBytes int64
	// Skipped receives the target URI of each record passed over.
	Skipped func(uri string)
	// Damaged, when set, receives each damaged record (cut short, a bad
	// digest, a header past MaxHeaderBytes, a broken gzip member) after
	// the file's first whole record; the reading goes on at the next
	// record. Otherwise (nil, or a stream whose start is no WARC record)
	// damage is the error the read returns.
	Damaged func(error)
	// Revisits, when set, also hands revisit records to fn (Revisit set).
	Revisits bool
	// Name is the file's name in Response.File and in errors (default:
	// the path's base name).
	Name string
	// Offset and Skip resume a read (Response.Offset and Skip): the
	// stream given to ReadStream starts at Offset of its file, and the
	// first Skip records are passed over. ReadResponsesWith seeks there.
	Offset int64
	Skip   int
	// Stats, when set, counts what the read met.
	Stats *ReadStats
}

// ReadResponsesWith is ReadResponses with options.
func ReadResponsesWith(ctx context.Context, path string, o ReadOptions, fn func(*Response) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("WARC %s: %w", path, err)
	}
	defer f.Close()
	if o.Offset > 0 {
		if _, err := f.Seek(o.Offset, io.SeekStart); err != nil {
			return fmt.Errorf("WARC %s: %w", path, err)
		}
	}
	open := strings.HasSuffix(path, ".open")
	if o.Name == "" {
		o.Name = strings.TrimSuffix(filepath.Base(path), ".open")
	}
	err = readStream(ctx, path, f, o, open, fn)
	return err
}

// ReadStream is ReadResponsesWith over a stream (a download): name names it
// in errors.
func ReadStream(ctx context.Context, name string, r io.Reader, o ReadOptions, fn func(*Response) error) error {
	if o.Name == "" {
		o.Name = name
	}
	return readStream(ctx, name, r, o, false, fn)
}

// keptTypes are the record types whose blocks are read.
var keptTypes = map[string]bool{"response": true, "revisit": true}

func readStream(ctx context.Context, path string, r io.Reader, o ReadOptions, open bool, fn func(*Response) error) error {
	stats := o.Stats
	if stats == nil {
		stats = &ReadStats{}
	}
	rr, err := newRecordReader(r, o.Offset)
	if err != nil {
		if errors.Is(err, ErrNotWARC) && o.Offset > 0 {
			return nil // resumed at the end
		}
		return fmt.Errorf("WARC %s: %w", path, err)
	}
	rr.maxBlock = o.MaxBytes
	rr.keep = func(f map[string]string) bool { return keptTypes[strings.ToLower(f["warc-type"])] }
	if o.Offset > 0 {
		rr.started = true // a resumed read starts after whole records
	}
	defer func() { stats.Bytes = rr.pos() }()
	skip := o.Skip
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec, err := rr.next()
		if err == io.EOF {
			return nil
		}
		var d *damage
		if errors.As(err, &d) {
			if open {
				return nil // an .open file is incomplete by its name: it ends at its last whole record
			}
			stats.Damaged++
			err = fmt.Errorf("WARC %s at %w", path, d)
			if o.Damaged != nil && rr.started {
				o.Damaged(err)
				continue
			}
			return err
		}
		if err != nil {
			return fmt.Errorf("WARC %s: %w", path, err)
		}
		if skip > 0 {
			skip--
			continue
		}
		stats.Records++
		typ := strings.ToLower(rec.get("WARC-Type"))
		uri := rec.get("WARC-Target-URI")
		if typ != "response" {
			stats.addType(typ)
			if typ != "revisit" || !o.Revisits || uri == "" {
				continue
			}
		}
		if rec.block == nil && rec.length > 0 {
			stats.TooLarge++
			if o.Skipped != nil {
				o.Skipped(uri)
			}
			continue
		}
		if uri == "" {
			continue // a response of no address: nothing to file a record under
		}
		resp := &Response{URL: uri, Date: warcDate(rec.get("WARC-Date")), File: o.Name, RecordID: rec.get("WARC-Record-ID"),
			PayloadDigest: rec.get("WARC-Payload-Digest"), Offset: rec.offset, Skip: rec.skip}
		if typ == "revisit" {
			resp.Revisit = true
			resp.RefersTo = rec.get("WARC-Refers-To-Target-URI")
			if st, h, _, err := httpMessage(rec.block, o.MaxBytes, true); err == nil {
				resp.StatusCode, resp.Header = st, h
			} else {
				resp.Header = http.Header{}
			}
		} else {
			ct := strings.ToLower(rec.get("Content-Type"))
			if !strings.HasPrefix(ct, "application/http") && !bytes.HasPrefix(rec.block, []byte("HTTP/")) {
				stats.NotHTTP++
				continue // not HTTP (dns:, whois: ...)
			}
			st, h, body, err := httpMessage(rec.block, o.MaxBytes, false)
			if err != nil {
				stats.Undecodable++
				if o.Skipped != nil {
					o.Skipped(uri)
				}
				continue
			}
			resp.StatusCode, resp.Header, resp.Body = st, h, body
			stats.Responses++
		}
		if err := fn(resp); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
}

// httpMessage reads the HTTP response a WARC response block holds, as
// other crawlers keep it: HTTP/1.0 or 1.1, a chunked transfer coding, a
// Content-Encoding (gzip, deflate, br) left in the payload, no
// Content-Length. The body is inflated up to max bytes (0: no bound); a
// Content-Encoding undone is removed from the header. headOnly reads the
// status and header alone (a revisit's block).
func httpMessage(block []byte, max int64, headOnly bool) (int, http.Header, []byte, error) {
	br := bufio.NewReader(bytes.NewReader(block))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("HTTP message: %w", err)
	}
	defer resp.Body.Close()
	if headOnly {
		return resp.StatusCode, resp.Header, nil, nil
	}
	var raw []byte
	if chunked(resp) {
		// http.ReadResponse undoes the chunking; a message whose chunking is
		// broken (cut short) keeps what was whole
		raw, err = io.ReadAll(resp.Body)
		if err != nil && len(raw) == 0 {
			// "Transfer-Encoding: chunked" over a body some tool already
			// de-chunked: the bytes as they are
			raw = rawBody(block)
		}
	} else {
		// the block's own end bounds the body, whatever Content-Length says
		raw = rawBody(block)
	}
	body, err := decodeContent(resp.Header.Get("Content-Encoding"), raw, max)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	} else {
		body = raw
	}
	resp.Header.Del("Transfer-Encoding")
	return resp.StatusCode, resp.Header, body, nil
}

func chunked(resp *http.Response) bool {
	for _, te := range resp.TransferEncoding {
		if strings.EqualFold(te, "chunked") {
			return true
		}
	}
	return false
}

// rawBody is what follows the HTTP header in a block.
func rawBody(block []byte) []byte {
	if i := bytes.Index(block, []byte("\r\n\r\n")); i >= 0 {
		return block[i+4:]
	}
	if i := bytes.Index(block, []byte("\n\n")); i >= 0 {
		return block[i+2:]
	}
	return nil
}

// decodeContent undoes a Content-Encoding, up to max bytes; nil (no
// error) when there is none to undo.
func decodeContent(ce string, raw []byte, max int64) ([]byte, error) {
	var r io.Reader
	var err error
	switch strings.ToLower(strings.TrimSpace(ce)) {
	case "", "identity", "none":
		return nil, nil
	case "gzip", "x-gzip":
		r, err = gzip.NewReader(bytes.NewReader(raw))
	case "deflate":
		// zlib-wrapped as RFC 9110 says, or raw as some servers send it
		if len(raw) >= 2 && raw[0]&0x0f == 8 && (uint16(raw[0])<<8|uint16(raw[1]))%31 == 0 {
			r, err = zlib.NewReader(bytes.NewReader(raw))
		} else {
			r = flate.NewReader(bytes.NewReader(raw))
		}
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	default:
		return nil, fmt.Errorf("Content-Encoding %q is not one this reader undoes", clip(ce, 20))
	}
	if err != nil {
		return nil, fmt.Errorf("Content-Encoding %s: %w", ce, err)
	}
	if max <= 0 {
		max = 256 << 20
	}
	out, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil && !(errors.Is(err, io.ErrUnexpectedEOF) && len(out) > 0) {
		return nil, fmt.Errorf("Content-Encoding %s: %w", ce, err)
	}
	if int64(len(out)) > max {
		return nil, fmt.Errorf("Content-Encoding %s: more than %d bytes inflated", ce, max)
	}
	return out, nil
}
