// Package remote lets the read commands (search, stats, export, show) read
// a data dir while a crawl holds it: bbolt lets one process open the
// records, so the crawl serves reads of what it has committed over a Unix
// socket in the data dir, and the commands are its clients. Both sides
// speak plain HTTP with JSON (JSON Lines for the stream of an export).
package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

// SocketName is the socket's file in the data dir.
const SocketName = "presscrawl.sock"

// Server serves an index.Reader on a Unix socket.
type Server struct {
	srv  *http.Server
	path string
}

// Serve listens on the socket at path (replacing a stale one a killed
// crawl left) and serves r until Close.
func Serve(r index.Reader, path string) (*Server, error) {
	_ = os.Remove(path) // a socket left by a crawl killed with -9
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("read socket %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "presscrawl") })
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, q *http.Request) {
		v := q.URL.Query()
		o := index.SearchOptions{Sort: v.Get("sort"), Since: v.Get("since"), Until: v.Get("until")}
		o.Limit, _ = strconv.Atoi(v.Get("limit"))
		o.Offset, _ = strconv.Atoi(v.Get("offset"))
		hits, total, err := r.SearchWith(q.Context(), v.Get("q"), o)
		reply(w, map[string]any{"hits": hits, "total": total}, err)
	})
	mux.HandleFunc("GET /counts", func(w http.ResponseWriter, q *http.Request) {
		v := q.URL.Query()
		top, _ := strconv.Atoi(v.Get("top"))
		counts, records, err := r.Counts(q.Context(), v.Get("by"), v.Get("q"), top)
		reply(w, map[string]any{"counts": counts, "records": records}, err)
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, q *http.Request) {
		v := q.URL.Query()
		var rec *record.Record
		var err error
		if p := v.Get("prefix"); p != "" {
			rec, err = r.GetPrefix(q.Context(), p)
		} else {
			rec, err = r.Get(q.Context(), v.Get("id"))
		}
		reply(w, map[string]any{"record": rec}, err)
	})
	mux.HandleFunc("GET /versions", func(w http.ResponseWriter, q *http.Request) {
		vs, err := r.Versions(q.Context(), q.URL.Query().Get("id"))
		reply(w, map[string]any{"versions": vs}, err)
	})
	mux.HandleFunc("GET /each", func(w http.ResponseWriter, q *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		bw := bufio.NewWriter(w)
		enc := json.NewEncoder(bw)
		err := r.Each(q.Context(), q.URL.Query().Get("q"), func(rec *record.Record) error { return enc.Encode(rec) })
		if err != nil { // the last line says so: the stream had begun
			enc.Encode(map[string]any{"error": err.Error(), "bad_query": errors.Is(err, index.ErrBadQuery)})
		}
		bw.Flush()
	})
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, path: path}
	go s.srv.Serve(ln)
	return s, nil
}

// Close stops serving and removes the socket.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	os.Remove(s.path)
	return err
}

func reply(w http.ResponseWriter, v map[string]any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		v = map[string]any{"error": err.Error(), "bad_query": errors.Is(err, index.ErrBadQuery)}
	}
	json.NewEncoder(w).Encode(v)
}

var _ index.ReadCloser = (*Client)(nil)

// Client reads a data dir through the crawl that holds it.
type Client struct {
	hc   *http.Client
	path string
}

// Dial connects to the socket at path and checks a crawl answers there.
func Dial(ctx context.Context, path string) (*Client, error) {
	c := &Client{path: path, hc: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		}}}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := c.get(ctx, "/ping", nil)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	return c, nil
}

func (c *Client) get(ctx context.Context, path string, v url.Values) (*http.Response, error) {
	u := "http://presscrawl" + path
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the crawl holding the data dir (%s) did not answer: %w", c.path, err)
	}
	return res, nil
}

// call makes a request and decodes its JSON answer into out.
func (c *Client) call(ctx context.Context, path string, v url.Values, out any) error {
	res, err := c.get(ctx, path, v)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return decodeErr(res.Body)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func decodeErr(r io.Reader) error {
	var e struct {
		Error    string `json:"error"`
		BadQuery bool   `json:"bad_query"`
	}
	json.NewDecoder(r).Decode(&e)
	if e.BadQuery {
		return fmt.Errorf("%w: %s", index.ErrBadQuery, e.Error)
	}
	return errors.New(e.Error)
}

// SearchWith implements index.Reader.
func (c *Client) SearchWith(ctx context.Context, q string, o index.SearchOptions) ([]index.Hit, uint64, error) {
	var out struct {
		Hits  []index.Hit `json:"hits"`
		Total uint64      `json:"total"`
	}
	v := url.Values{"q": {q}, "limit": {strconv.Itoa(o.Limit)}, "offset": {strconv.Itoa(o.Offset)}, "sort": {o.Sort},
		"since": {o.Since}, "until": {o.Until}}
	err := c.call(ctx, "/search", v, &out)
	return out.Hits, out.Total, err
}

// Counts implements index.Reader.
func (c *Client) Counts(ctx context.Context, by, q string, top int) ([]facets.Count, int, error) {
	var out struct {
		Counts  []facets.Count `json:"counts"`
		Records int            `json:"records"`
	}
	err := c.call(ctx, "/counts", url.Values{"by": {by}, "q": {q}, "top": {strconv.Itoa(top)}}, &out)
	return out.Counts, out.Records, err
}

// Get implements index.Reader.
func (c *Client) Get(ctx context.Context, id string) (*record.Record, error) {
	var out struct {
		Record *record.Record `json:"record"`
	}
	err := c.call(ctx, "/get", url.Values{"id": {id}}, &out)
	return out.Record, err
}

// GetPrefix implements index.Reader.
func (c *Client) GetPrefix(ctx context.Context, p string) (*record.Record, error) {
	var out struct {
		Record *record.Record `json:"record"`
	}
	err := c.call(ctx, "/get", url.Values{"prefix": {p}}, &out)
	return out.Record, err
}

// Versions implements index.Reader.
func (c *Client) Versions(ctx context.Context, id string) ([]*record.Record, error) {
	var out struct {
		Versions []*record.Record `json:"versions"`
	}
	err := c.call(ctx, "/versions", url.Values{"id": {id}}, &out)
	return out.Versions, err
}

// Each implements index.Reader: the records stream from the crawl as it reads
// them.
func (c *Client) Each(ctx context.Context, q string, fn func(*record.Record) error) error {
	res, err := c.get(ctx, "/each", url.Values{"q": {q}})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("reading from the crawl: %w", err)
		}
		var probe struct {
			Error *string `json:"error"`
		}
		if json.Unmarshal(raw, &probe) == nil && probe.Error != nil {
			return decodeErr(bytes.NewReader(raw))
		}
		var r record.Record
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
}

// Close implements io.Closer: nothing to release.
func (c *Client) Close() error { return nil }
