package crawler

import (
	"net/http"
	"time"

	"github.com/gocolly/colly/v2"
)

// Archiver keeps the raw responses of a crawl (package warc writes them as
// WARC files), so that the archive can be re-extracted later without
// fetching again.
type Archiver interface {
	Archive(x *Exchange) (Provenance, error)
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

// exchangeOf rebuilds the exchange colly saw. ct is the Content-Type as
// the server sent it (onHeaders trims it for colly).
func exchangeOf(r *colly.Response, ct string, at time.Time) *Exchange {
	rh := http.Header{}
	if r.Headers != nil {
		rh = r.Headers.Clone()
	}
	if ct != "" {
		rh.Set("Content-Type", ct)
	}
	var qh http.Header
	if r.Request.Headers != nil {
		qh = r.Request.Headers.Clone()
	}
	return &Exchange{Method: r.Request.Method, URL: r.Request.URL.String(), RequestHeader: qh, StatusCode: r.StatusCode,
		Proto: "HTTP/1.1", ResponseHeader: rh, Body: r.Body, FetchedAt: at}
}
