// Package download streams large remote files (WARC collections, their
// path listings) over HTTP without holding them: a body read as it
// arrives, retried with backoff when the request fails, and resumed with
// a Range request from the byte where a dropped connection cut it, when
// the server serves ranges.
package download

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Options tune a download.
type Options struct {
	// Client makes the requests (nil: http.DefaultClient).
	Client *http.Client
	// UserAgent of every request.
	UserAgent string
	// Retries is how many times a failed request or a cut-off body is
	// tried again (default 5); Backoff the first wait, doubled each time
	// (default 1s), or the server's Retry-After when it gives one.
	Retries int
	Backoff time.Duration
	// Resumed, when set, is told of each resumption (the offset).
	Resumed func(offset int64)
}

func (o Options) client() *http.Client {
	if o.Client != nil {
		return o.Client
	}
	return http.DefaultClient
}

// IsURL reports an http(s) address.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// Open returns the body of the file at rawURL from offset on. A request
// that fails (a connection refused, a 5xx, a 429) is tried again after a
// backoff; a body cut off mid-way is resumed with Range: bytes=N- where N
// is the bytes delivered so far, when the server answers ranges (206),
// and is otherwise an error naming the URL and the offset.
func Open(ctx context.Context, rawURL string, offset int64, o Options) (io.ReadCloser, error) {
	if o.Retries == 0 {
		o.Retries = 5
	}
	if o.Backoff == 0 {
		o.Backoff = time.Second
	}
	r := &resumable{ctx: ctx, url: rawURL, o: o, pos: offset}
	if err := r.connect(); err != nil {
		return nil, err
	}
	return r, nil
}

type resumable struct {
	ctx    context.Context
	url    string
	o      Options
	pos    int64 // the file offset of the next byte
	body   io.ReadCloser
	ranges bool // the server answers ranges
	tries  int  // retries spent
}

// connect issues the request for the bytes from pos on, retrying.
func (r *resumable) connect() error {
	var last error
	for attempt := 0; ; attempt++ {
		if err := r.ctx.Err(); err != nil {
			return err
		}
		wait, err := r.request()
		if err == nil {
			return nil
		}
		last = err
		var perm *permanent
		if errors.As(err, &perm) || r.tries >= r.o.Retries {
			return last
		}
		r.tries++
		if wait == 0 {
			wait = r.o.Backoff << min(attempt, 6)
		}
		select {
		case <-time.After(wait):
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
	}
}

// permanent is a failure no retry mends (a 404, a 403, a bad URL).
type permanent struct{ err error }

func (p *permanent) Error() string { return p.err.Error() }
func (p *permanent) Unwrap() error { return p.err }

// request makes one request; on failure, how long the server asks to
// wait (0: the backoff's choice).
func (r *resumable) request() (time.Duration, error) {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return 0, &permanent{fmt.Errorf("download %s: %w", r.url, err)}
	}
	if r.o.UserAgent != "" {
		req.Header.Set("User-Agent", r.o.UserAgent)
	}
	req.Header.Set("Accept-Encoding", "identity") // the file's own bytes: offsets count them
	if r.pos > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(r.pos, 10)+"-")
	}
	resp, err := r.o.client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", r.url, err)
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		r.ranges = true
	case resp.StatusCode == http.StatusOK && r.pos == 0:
		r.ranges = strings.EqualFold(resp.Header.Get("Accept-Ranges"), "bytes")
	case resp.StatusCode == http.StatusOK:
		// no ranges: the whole file again; pass over what was read
		if _, err := io.CopyN(io.Discard, resp.Body, r.pos); err != nil {
			resp.Body.Close()
			return 0, fmt.Errorf("download %s: the server serves no ranges, and re-reading the first %d bytes failed: %w", r.url, r.pos, err)
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		resp.Body.Close()
		r.body = io.NopCloser(strings.NewReader("")) // the offset is the file's end
		return 0, nil
	default:
		wait := retryAfter(resp.Header.Get("Retry-After"))
		resp.Body.Close()
		err := fmt.Errorf("download %s: HTTP %s", r.url, resp.Status)
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			return wait, err
		}
		return 0, &permanent{err}
	}
	r.body = resp.Body
	return 0, nil
}

// retryAfter reads a Retry-After header (seconds, or an HTTP date),
// bounded to ten minutes.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = time.Until(t)
	}
	return max(0, min(d, 10*time.Minute))
}

func (r *resumable) Read(p []byte) (int, error) {
	for {
		n, err := r.body.Read(p)
		r.pos += int64(n)
		if err == nil || err == io.EOF {
			return n, err
		}
		if n > 0 {
			return n, nil // the error comes back with the next read
		}
		if r.ctx.Err() != nil {
			return 0, r.ctx.Err()
		}
		// cut off mid-way
		r.body.Close()
		if !r.ranges {
			return 0, fmt.Errorf("download %s: cut off at byte %d and the server serves no ranges: %w", r.url, r.pos, err)
		}
		if r.tries >= r.o.Retries {
			return 0, fmt.Errorf("download %s: cut off at byte %d, %d retries spent: %w", r.url, r.pos, r.tries, err)
		}
		r.tries++
		if r.o.Resumed != nil {
			r.o.Resumed(r.pos)
		}
		select {
		case <-time.After(r.o.Backoff):
		case <-r.ctx.Done():
			return 0, r.ctx.Err()
		}
		if cerr := r.connect(); cerr != nil {
			return 0, cerr
		}
	}
}

func (r *resumable) Close() error {
	if r.body != nil {
		return r.body.Close()
	}
	return nil
}

// MaxListBytes bounds a paths listing (CC-NEWS's monthly listings are a
// few kilobytes; a year's, well under a megabyte).
const MaxListBytes = 64 << 20

// List reads a paths listing (warc.paths, or warc.paths.gz: one path a
// line) from a file or a URL, and resolves each path against base (a
// URL; "" leaves the paths as they are, which then must be URLs or local
// paths themselves).
func List(ctx context.Context, from, base string, o Options) ([]string, error) {
	var rc io.ReadCloser
	var err error
	if IsURL(from) {
		rc, err = Open(ctx, from, 0, o)
	} else {
		rc, err = os.Open(from)
	}
	if err != nil {
		return nil, fmt.Errorf("WARC list %s: %w", from, err)
	}
	defer rc.Close()
	br := bufio.NewReader(io.LimitReader(rc, MaxListBytes+1))
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("WARC list %s: %w", from, err)
		}
		r = io.LimitReader(zr, MaxListBytes+1)
	}
	var b *url.URL
	if base != "" {
		if b, err = url.Parse(base); err != nil || !IsURL(base) {
			return nil, fmt.Errorf("--warc-base %q: not an http(s) URL", base)
		}
		if !strings.HasSuffix(b.Path, "/") {
			b.Path += "/"
		}
	}
	var out []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if b != nil && !IsURL(line) {
			ref, err := url.Parse(strings.TrimPrefix(line, "/"))
			if err != nil {
				return nil, fmt.Errorf("WARC list %s: path %q: %w", from, line, err)
			}
			line = b.ResolveReference(ref).String()
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("WARC list %s: %w", from, err)
	}
	return out, nil
}
