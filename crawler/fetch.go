package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// Errors a fetch can end with, wrapped with details.
var (
	ErrHTTPStatus = errors.New("HTTP error status")
	ErrNotHTML    = errors.New("not HTML")
	ErrTooLarge   = errors.New("response too large")
)

// Fetcher fetches single pages. The zero value is not usable: use NewFetcher.
type Fetcher struct {
	client    *http.Client
	userAgent string
	maxBytes  int64
}

// FetcherOptions configure a Fetcher.
type FetcherOptions struct {
	UserAgent    string
	Timeout      time.Duration
	MaxBodyBytes int64
	MaxRedirects int
	// Transport, when set, carries the requests (a crawl's guarded one).
	Transport http.RoundTripper
}

// NewFetcher returns a Fetcher with its own HTTP client (TLS verification on).
func NewFetcher(o FetcherOptions) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 10 << 20
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 10
	}
	maxRedirects := o.MaxRedirects
	return &Fetcher{
		client: &http.Client{
			Transport: o.Transport,
			Timeout:   o.Timeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= maxRedirects {
					return fmt.Errorf("stopped after %d redirects", len(via))
				}
				return nil
			},
		},
		userAgent: o.UserAgent,
		maxBytes:  o.MaxBodyBytes,
	}
}

// Fetch gets one HTML page. Non-2xx answers, non-HTML content types and
// bodies over the size limit are errors that say so.
func (f *Fetcher) Fetch(ctx context.Context, url string) (*Page, error) {
	return f.fetch(ctx, url, false)
}

// fetch gets one response; anyType accepts any content type (sitemaps).
func (f *Fetcher) fetch(ctx context.Context, url string, anyType bool) (*Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	defer resp.Body.Close()
	final := *resp.Request.URL
	final.User = nil // the password was sent (Basic), and is in no URL kept
	page := &Page{
		URL: urlcanon.Redact(url), FinalURL: final.String(), StatusCode: resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"), ContentLanguage: resp.Header.Get("Content-Language"),
		FetchedAt: time.Now().UTC(),
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%w: %s", ErrHTTPStatus, resp.Status)
	}
	mt, _, perr := mime.ParseMediaType(page.ContentType)
	sniff := perr == nil && mt == "application/octet-stream" // a mislabelled page: a crawl sniffs it too
	if perr == nil && !anyType && !isHTMLType(mt) && !sniff {
		return nil, fmt.Errorf("%w: Content-Type is %s", ErrNotHTML, mt)
	}
	if resp.ContentLength > f.maxBytes {
		return nil, fmt.Errorf("%w: Content-Length %d, the limit is %d", ErrTooLarge, resp.ContentLength, f.maxBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(body)) > f.maxBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrTooLarge, f.maxBytes)
	}
	if sniff && !anyType && !IsHTML(page.ContentType, body) {
		return nil, fmt.Errorf("%w: Content-Type is %s and the body is no HTML", ErrNotHTML, mt)
	}
	page.Body = body
	return page, nil
}

func isHTMLType(mt string) bool {
	return mt == "text/html" || mt == "application/xhtml+xml" || strings.HasPrefix(mt, "text/plain")
}
