package crawler

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/warc"
)

// Capturer keeps the raw responses of a crawl (package warc writes them as
// WARC files), so that the pages can be re-extracted later without
// fetching again.
type Capturer interface {
	Capture(x *warc.Exchange) (warc.Provenance, error)
}

// provenanceHeader carries a response's capture from the capturing
// transport to the crawler's handler; it is removed before anyone else sees
// the headers.
const provenanceHeader = "X-Presscrawl-Warc-Capture"

// capturing is the transport that keeps every HTTP exchange of a crawl as
// web-archiving practice does: pages, sitemaps and feeds, robots.txt, each
// redirect, 404s and 5xx, every retry. Bodies are kept as received after a
// Content-Encoding was undone (below it, boundedDecoding does that), up to
// max bytes (a larger one is not kept: the crawl skips it as too large).
type capturing struct {
	next    http.RoundTripper
	capture Capturer
	max     int64
	failed  func(error) // a capture that could not be written stops the crawl
}

func (a capturing) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, a.max+1))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if int64(len(body)) > a.max {
		return resp, nil
	}
	rh := resp.Header.Clone()
	proto := resp.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	prov, err := a.capture.Capture(&warc.Exchange{Method: req.Method, URL: req.URL.String(), RequestHeader: withoutSecrets(req.Header),
		StatusCode: resp.StatusCode, Proto: proto, ResponseHeader: rh, Body: body, FetchedAt: time.Now().UTC()})
	if err != nil {
		err = fmt.Errorf("WARC capture of %s: %w", req.URL, err)
		a.failed(err)
		return nil, err
	}
	resp.Header.Set(provenanceHeader, prov.File+" "+prov.RecordID)
	return resp, nil
}

// takeProvenance reads and removes the capture the capturing transport
// noted on a response.
func takeProvenance(h *http.Header) warc.Provenance {
	if h == nil {
		return warc.Provenance{}
	}
	v := h.Get(provenanceHeader)
	h.Del(provenanceHeader)
	file, id, _ := strings.Cut(v, " ")
	return warc.Provenance{File: file, RecordID: id}
}

// withoutSecrets is a request's header without its credentials (the
// researcher's cookies, Authorization, an API key): WARC files are shared,
// sessions are not.
func withoutSecrets(h http.Header) http.Header {
	c := h.Clone()
	for k := range c {
		if secretHeaders[strings.ToLower(k)] {
			delete(c, k)
		}
	}
	return c
}
