package crawler

import (
	"net/http"
	"time"

	"github.com/gocolly/colly/v2"

	"github.com/presscrawl/presscrawl/warc"
)

// Archiver keeps the raw responses of a crawl (package warc writes them as
// WARC files), so that the archive can be re-extracted later without
// fetching again.
type Archiver interface {
	Archive(x *warc.Exchange) (warc.Provenance, error)
}

// exchangeOf rebuilds the exchange colly saw. ct is the Content-Type as
// the server sent it (onHeaders trims it for colly).
func exchangeOf(r *colly.Response, ct string, at time.Time) *warc.Exchange {
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
	return &warc.Exchange{Method: r.Request.Method, URL: r.Request.URL.String(), RequestHeader: qh, StatusCode: r.StatusCode,
		Proto: "HTTP/1.1", ResponseHeader: rh, Body: r.Body, FetchedAt: at}
}
