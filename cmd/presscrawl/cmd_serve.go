package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/web"
)

// serveOptions are what serve needs.
type serveOptions struct {
	IO     IOStreams
	Config config.Config
	Open   openFunc // the index to serve
	// Ready, when set, is told the address served (tests).
	Ready func(url string)
	// Idle is how long the data dir stays open after the last request
	// (0: idleClose).
	Idle time.Duration
}

func newServeCmd(streams IOStreams, runF func(context.Context, *serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "serve [--addr 127.0.0.1:8080] [--data-dir D | --index elasticsearch]",
		Short: "Browse the local index or the archive in a web browser",
		Long: `Serve is a small read-only web app over the local index (or the archive,
with --index elasticsearch): a search page with facets, a date histogram and
downloads, each record laid out in its language's direction with its
versions and its story, an overview, and a JSON API (/api/search,
/api/stats, /api/records/ID). It prints its address; Ctrl-C stops it.

It listens on loopback. Another address is used only when given, with a
warning, and every request then needs a token (--token, or one generated
and printed). While a crawl holds the data dir, serve reads through it.

  presscrawl serve
  presscrawl serve --addr 127.0.0.1:9000 --data-dir ./study-data
  presscrawl serve --index elasticsearch`,
		Args: cobra.NoArgs,
	}
	keyed := readFlags(cmd)
	keyed.Bind("addr", "serve.addr", "the address to listen on (host:port); off loopback only when given, and then with a token")
	keyed.Bind("token", "serve.token", "the token every request needs (generated when --addr is not loopback and none is given)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		if _, _, err := net.SplitHostPort(conf.Serve.Addr); err != nil {
			return usageError(fmt.Errorf("--addr %q: want host:port (127.0.0.1:8080): %v", conf.Serve.Addr, err))
		}
		opts.Config = conf
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runServe(cmd.Context(), opts)
	}
	return cmd
}

// idleClose is how long serve keeps the data dir open after its last
// request: a crawl started later can then take it (serve then reads
// through the crawl).
const idleClose = 10 * time.Second

// runServe serves the web face until ctx ends.
func runServe(ctx context.Context, opts *serveOptions) error {
	conf := opts.Config
	idle := cmp.Or(opts.Idle, idleClose)
	if toArchive(conf) {
		idle = 0 // nothing to give back
	}
	rd := &reopening{open: func(ctx context.Context) (index.ReadCloser, error) { return opts.Open(ctx, conf) }, idle: idle}
	defer rd.Close()
	if _, err := use(ctx, rd, func(r index.Reader) (int, error) { return 0, nil }); err != nil {
		return err // no index to serve: said before listening
	}
	name := "data dir " + conf.DataDir
	if toArchive(conf) {
		name = "archive " + conf.ES.Index + " at " + conf.ES.URL
		if conf.ES.CloudID != "" {
			name = "archive " + conf.ES.Index + " on Elastic Cloud"
		}
	}
	token := conf.Serve.Token
	if !web.Loopback(conf.Serve.Addr) {
		opts.IO.Notice("warning: %s is not loopback: anyone who can reach it and has the token can read %s", conf.Serve.Addr, name)
		if token == "" {
			b := make([]byte, 16)
			if _, err := rand.Read(b); err != nil {
				return failure(err)
			}
			token = hex.EncodeToString(b)
		}
	}
	ln, err := net.Listen("tcp", conf.Serve.Addr)
	if err != nil {
		return failure(fmt.Errorf("--addr %s: %w", conf.Serve.Addr, err))
	}
	addr := ln.Addr().String()
	if h, _, _ := net.SplitHostPort(conf.Serve.Addr); h == "localhost" {
		_, port, _ := net.SplitHostPort(addr)
		addr = net.JoinHostPort("localhost", port)
	}
	h, err := web.New(web.Options{Reader: rd, Name: name, Addr: addr, Token: token,
		LastCrawl: func() ([]byte, error) { return os.ReadFile(filepath.Join(conf.DataDir, lastCrawlFile)) }})
	if err != nil {
		ln.Close()
		return failure(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	url := "http://" + addr + "/"
	if token != "" {
		url += "?token=" + token
	}
	opts.IO.Notice("serving %s at %s (Ctrl-C to stop)", name, url)
	if opts.Ready != nil {
		opts.Ready(url)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return failure(fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		srv.Close()
	}
	return nil
}

// reopening is an index.Reader that opens its index when asked and gives
// it back after idle without a request (a crawl may then take the data
// dir), and opens it again when the crawl it read through has ended.
type reopening struct {
	open  func(context.Context) (index.ReadCloser, error)
	idle  time.Duration // 0: kept open
	mu    sync.Mutex
	cur   index.ReadCloser
	users int
	timer *time.Timer
}

// acquire is the open index, opened if need be.
func (r *reopening) acquire(ctx context.Context) (index.Reader, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.cur == nil {
		cur, err := r.open(ctx)
		if err != nil {
			return nil, err
		}
		r.cur = cur
	}
	r.users++
	return r.cur, nil
}

// release gives the index back; a connection that failed (the crawl
// read through has ended) is dropped, to be opened again.
func (r *reopening) release(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.users--
	var op *net.OpError
	if errors.As(err, &op) && r.users == 0 && r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	if r.users == 0 && r.cur != nil && r.idle > 0 {
		r.timer = time.AfterFunc(r.idle, r.closeIdle)
	}
}

func (r *reopening) closeIdle() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.users == 0 && r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
}

// Close closes the index.
func (r *reopening) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.cur != nil {
		err := r.cur.Close()
		r.cur = nil
		return err
	}
	return nil
}

// use runs fn on the index; a read whose connection failed is tried once
// more on the index opened again.
func use[T any](ctx context.Context, r *reopening, fn func(index.Reader) (T, error)) (T, error) {
	var v T
	var err error
	for try := 0; try < 2; try++ {
		var rd index.Reader
		if rd, err = r.acquire(ctx); err != nil {
			return v, err
		}
		v, err = fn(rd)
		r.release(err)
		var op *net.OpError
		if !errors.As(err, &op) {
			break
		}
	}
	return v, err
}

func (r *reopening) Get(ctx context.Context, id string) (*record.Record, error) {
	return use(ctx, r, func(rd index.Reader) (*record.Record, error) { return rd.Get(ctx, id) })
}

func (r *reopening) GetPrefix(ctx context.Context, p string) (*record.Record, error) {
	return use(ctx, r, func(rd index.Reader) (*record.Record, error) { return rd.GetPrefix(ctx, p) })
}

func (r *reopening) SearchWith(ctx context.Context, q string, o index.SearchOptions) ([]index.Hit, uint64, error) {
	type res struct {
		hits  []index.Hit
		total uint64
	}
	out, err := use(ctx, r, func(rd index.Reader) (res, error) {
		h, n, err := rd.SearchWith(ctx, q, o)
		return res{h, n}, err
	})
	return out.hits, out.total, err
}

func (r *reopening) Counts(ctx context.Context, by, q string, top int) ([]facets.Count, int, error) {
	type res struct {
		counts []facets.Count
		n      int
	}
	out, err := use(ctx, r, func(rd index.Reader) (res, error) {
		c, n, err := rd.Counts(ctx, by, q, top)
		return res{c, n}, err
	})
	return out.counts, out.n, err
}

// CountsEach counts by several fields in one pass when the index can (the
// local one), else field by field (web.CountEach).
func (r *reopening) CountsEach(ctx context.Context, tops map[string]int, q string) (map[string][]facets.Count, int, error) {
	type res struct {
		counts map[string][]facets.Count
		n      int
	}
	out, err := use(ctx, r, func(rd index.Reader) (res, error) {
		c, n, err := web.CountEach(ctx, rd, tops, q)
		return res{c, n}, err
	})
	return out.counts, out.n, err
}

func (r *reopening) Versions(ctx context.Context, id string) ([]*record.Record, error) {
	return use(ctx, r, func(rd index.Reader) ([]*record.Record, error) { return rd.Versions(ctx, id) })
}

// Each is not tried again: fn may have been called.
func (r *reopening) Each(ctx context.Context, q string, fn func(*record.Record) error) error {
	rd, err := r.acquire(ctx)
	if err != nil {
		return err
	}
	err = rd.Each(ctx, q, fn)
	r.release(err)
	return err
}
