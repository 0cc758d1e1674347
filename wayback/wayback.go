// Package wayback rebuilds a site's past from a web archive that speaks the
// Wayback Machine's protocols: it lists captures with the CDX server API
// (output=json; filtered on status 200 and text/html, collapsed on digest,
// paged with resume keys) and fetches each capture's original bytes from
// the same host's playback path (/web/<timestamp>id_/<url>), politely: one
// request at a time, a pause between requests, Retry-After honoured. The
// Internet Archive's endpoint is the default; a mirror or a test server
// stands in with one URL.
package wayback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultCDX is the Internet Archive's CDX server.
const DefaultCDX = "https://web.archive.org/cdx/search/cdx"

// Capture is one capture a CDX server lists.
type Capture struct {
	Timestamp string // YYYYMMDDhhmmss, UTC
	Original  string // the page's URL as captured
	Status    string
	MIME      string
	Digest    string
}

// Time is the capture's time.
func (c Capture) Time() time.Time {
	t, _ := time.Parse("20060102150405", padTimestamp(c.Timestamp))
	return t
}

func padTimestamp(ts string) string {
	if len(ts) < 14 {
		ts += strings.Repeat("0", 14-len(ts))
	}
	return ts[:14]
}

// Client talks to one archive.
type Client struct {
	// CDX is the CDX endpoint (DefaultCDX when empty); captures are
	// fetched from the same scheme and host, path /web/.
	CDX string
	// HTTP makes the requests (nil: a client with a 60 s timeout).
	HTTP *http.Client
	// UserAgent of every request.
	UserAgent string
	// Delay is the pause between two requests to the archive (default 1s).
	Delay time.Duration
	// Retries after a 429, a 5xx or a network error (default 5), with the
	// server's Retry-After, else a doubling backoff from Delay.
	Retries int
	// PageSize is the captures asked for per CDX request (default 500).
	PageSize int
	// MaxBody bounds a capture's body (default 16 MiB).
	MaxBody int64
	last    time.Time
}

// Query is what to list.
type Query struct {
	// Target is a site (example.com: the whole domain) or a URL prefix
	// (https://example.com/news/).
	Target string
	// From and To bound the capture days (zero: no bound).
	From, To time.Time
}

// Page is one page of a CDX listing.
type Page struct {
	Captures []Capture
	// Next is the resume key of the next page; "" after the last.
	Next string
}

// ErrBadTarget is a target that names no site or URL prefix.
var ErrBadTarget = errors.New("not a site or an http(s) URL prefix")

// CheckQuery refuses a query whose target names no site or URL prefix.
func CheckQuery(q Query) error {
	_, err := q.params(1)
	return err
}

// params are the CDX query's parameters.
func (q Query) params(pageSize int) (url.Values, error) {
	t := strings.TrimSpace(q.Target)
	v := url.Values{}
	if t == "" {
		return nil, fmt.Errorf("wayback target %q: %w", q.Target, ErrBadTarget)
	}
	if !strings.Contains(t, "://") {
		t = "http://" + t // "example.com", "example.com/news/"
	}
	u, err := url.Parse(t)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(u.Host, " *") {
		return nil, fmt.Errorf("wayback target %q: %w", q.Target, ErrBadTarget)
	}
	if u.Path == "" || u.Path == "/" {
		v.Set("url", u.Host)
		v.Set("matchType", "domain")
	} else {
		v.Set("url", u.Host+u.Path)
		v.Set("matchType", "prefix")
	}
	v.Set("output", "json")
	v.Set("fl", "timestamp,original,statuscode,mimetype,digest")
	v.Add("filter", "statuscode:200")
	v.Add("filter", "mimetype:text/html")
	v.Set("collapse", "digest")
	v.Set("showResumeKey", "true")
	v.Set("limit", strconv.Itoa(pageSize))
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format("20060102"))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format("20060102")+"235959")
	}
	return v, nil
}

func (c *Client) pageSize() int {
	if c.PageSize > 0 {
		return c.PageSize
	}
	return 500
}

// List fetches one page of the listing: the first when resume is "", else
// the one the resume key names.
func (c *Client) List(ctx context.Context, q Query, resume string) (Page, error) {
	v, err := q.params(c.pageSize())
	if err != nil {
		return Page{}, err
	}
	if resume != "" {
		v.Set("resumeKey", resume)
	}
	cdx := c.CDX
	if cdx == "" {
		cdx = DefaultCDX
	}
	body, _, err := c.get(ctx, cdx+"?"+v.Encode(), 64<<20)
	if err != nil {
		return Page{}, fmt.Errorf("CDX listing: %w", err)
	}
	return parseCDX(body)
}

// parseCDX reads a CDX server's JSON answer: a header row of field names,
// the captures, then (with showResumeKey) an empty row and the resume key.
func parseCDX(body []byte) (Page, error) {
	var rows [][]string
	if len(strings.TrimSpace(string(body))) == 0 {
		return Page{}, nil // no captures at all
	}
	if err := json.Unmarshal(body, &rows); err != nil {
		return Page{}, fmt.Errorf("CDX listing: not the JSON output: %w", err)
	}
	if len(rows) == 0 {
		return Page{}, nil
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, need := range []string{"timestamp", "original"} {
		if _, ok := col[need]; !ok {
			return Page{}, fmt.Errorf("CDX listing: no %s field in %v", need, rows[0])
		}
	}
	field := func(r []string, name string) string {
		if i, ok := col[name]; ok && i < len(r) {
			return r[i]
		}
		return ""
	}
	var p Page
	for i := 1; i < len(rows); i++ {
		r := rows[i]
		if len(r) == 0 { // the resume key follows
			if i+1 < len(rows) && len(rows[i+1]) > 0 {
				p.Next = rows[i+1][0]
			}
			break
		}
		p.Captures = append(p.Captures, Capture{Timestamp: field(r, "timestamp"), Original: field(r, "original"),
			Status: field(r, "statuscode"), MIME: field(r, "mimetype"), Digest: field(r, "digest")})
	}
	return p, nil
}

// PlaybackURL is where a capture's original bytes are served: the CDX
// host's /web/<timestamp>id_/<original>.
func (c *Client) PlaybackURL(cp Capture) string {
	cdx := c.CDX
	if cdx == "" {
		cdx = DefaultCDX
	}
	u, err := url.Parse(cdx)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + "/web/" + cp.Timestamp + "id_/" + cp.Original
}

// Fetched is a capture's original response.
type Fetched struct {
	Body        []byte
	ContentType string
	Language    string
	URL         string // the playback URL
	Status      int
}

// Fetch gets a capture's original bytes.
func (c *Client) Fetch(ctx context.Context, cp Capture) (Fetched, error) {
	u := c.PlaybackURL(cp)
	maxBody := c.MaxBody
	if maxBody <= 0 {
		maxBody = 16 << 20
	}
	body, h, err := c.get(ctx, u, maxBody)
	if err != nil {
		return Fetched{URL: u}, err
	}
	ct := h.Get("Content-Type")
	if o := h.Get("X-Archive-Orig-Content-Type"); o != "" && ct == "" {
		ct = o
	}
	lang := h.Get("Content-Language")
	if o := h.Get("X-Archive-Orig-Content-Language"); o != "" {
		lang = o
	}
	return Fetched{Body: body, ContentType: ct, Language: lang, URL: u, Status: 200}, nil
}

// StatusError is an answer other than 200 that no retry mended.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s: HTTP %d", e.URL, e.Status) }

// get makes one polite request, retrying.
func (c *Client) get(ctx context.Context, u string, limit int64) ([]byte, http.Header, error) {
	retries := c.Retries
	if retries == 0 {
		retries = 5
	}
	delay := c.Delay
	if delay == 0 {
		delay = time.Second
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	var last error
	for attempt := 0; attempt <= retries; attempt++ {
		if err := c.pause(ctx, delay); err != nil {
			return nil, nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		if c.UserAgent != "" {
			req.Header.Set("User-Agent", c.UserAgent)
		}
		resp, err := hc.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			last = err
			if err := sleep(ctx, delay<<min(attempt, 5)); err != nil {
				return nil, nil, err
			}
			continue
		}
		if resp.StatusCode == http.StatusOK {
			b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
			resp.Body.Close()
			if err != nil {
				last = err
				continue
			}
			if int64(len(b)) > limit {
				return nil, nil, fmt.Errorf("%s: more than %d bytes", u, limit)
			}
			return b, resp.Header, nil
		}
		wait := retryAfter(resp.Header.Get("Retry-After"))
		resp.Body.Close()
		last = &StatusError{URL: u, Status: resp.StatusCode}
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return nil, nil, last
		}
		if wait == 0 {
			wait = delay << min(attempt, 5)
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
	}
	return nil, nil, fmt.Errorf("%s: %d retries spent: %w", u, retries, last)
}

// pause waits until delay has passed since the last request.
func (c *Client) pause(ctx context.Context, delay time.Duration) error {
	if !c.last.IsZero() {
		if err := sleep(ctx, time.Until(c.last.Add(delay))); err != nil {
			return err
		}
	}
	c.last = time.Now()
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads a Retry-After header, bounded to ten minutes.
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
