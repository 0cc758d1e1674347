package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/urlcanon"
	"github.com/presscrawl/presscrawl/warc"
)

// ReplaySummary counts what Replay did.
type ReplaySummary struct {
	Pages, Stored, Unchanged int
	// NewVersions: of the stored, edits kept as new versions (a page
	// captured again with other words).
	NewVersions int
	Skipped     map[string]int // by reason
	// Damaged lists the damage found in the files, each read up to it.
	Damaged []string
}

// SkippedTotal is the number of pages that yielded no record.
func (s *ReplaySummary) SkippedTotal() int {
	n := 0
	for _, c := range s.Skipped {
		n += c
	}
	return n
}

// SkippedLine lists the skip reasons with their counts, in a stable order.
func (s *ReplaySummary) SkippedLine() string {
	var parts []string
	for r, n := range s.Skipped {
		parts = append(parts, fmt.Sprintf("%d %s", n, r))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// archived is the frontier of a replay: a canonical page "can be fetched"
// when the archive holds it.
type archived map[string]bool

func (a archived) Follow(raw string) bool {
	k, err := urlcanon.PageKey(raw)
	return err == nil && a[k]
}

// BatchStore is a Store that writes many records in one transaction, in
// order (local.Records).
type BatchStore interface {
	PutAll(ctx context.Context, rs []*record.Record) ([]index.PutResult, error)
}

// putAll stores records in order: in one transaction when the store can.
func putAll(ctx context.Context, s Store, rs []*record.Record) ([]index.PutResult, error) {
	if bs, ok := s.(BatchStore); ok {
		return bs.PutAll(ctx, rs)
	}
	outs := make([]index.PutResult, 0, len(rs))
	for _, r := range rs {
		out, err := s.Put(ctx, r)
		if err != nil {
			return outs, fmt.Errorf("store %s: %w", r.URL, err)
		}
		outs = append(outs, out)
	}
	return outs, nil
}

// ReplayOptions tune Replay.
type ReplayOptions struct {
	// MaxBytes passes over responses larger than this (counted as too
	// large), streamed past, never held: the extractor's own limit.
	MaxBytes int64
	// Read, when set, counts the HTML responses read so far (for a
	// progress display).
	Read *atomic.Int64
}

// Replay runs the pipeline over the HTML responses of WARC files: extraction
// on every core, storage in capture order (a later capture of a page wins).
// A damaged file (cut short by a full disk, a bad digest) is read up to its
// damage, which the summary lists; the records before it are kept. Replay
// stops at the first store error.
func Replay(ctx context.Context, p Pipeline, files []string, o ReplayOptions) (ReplaySummary, error) {
	sum := &ReplaySummary{Skipped: map[string]int{}}
	c := newCommitter(ctx, p.Store, sum)
	rd := reader{ctx: ctx, o: o, c: c}
	// First pass: the pages the archive holds, so that an alias (AMP copy)
	// is left to its canonical page when that was captured too.
	have, err := rd.holdings(files)
	if err != nil {
		return *sum, err
	}
	type job struct {
		seq  int
		page *crawler.Page
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				c.add(j.seq, p.Decide(j.page, have))
			}
		}()
	}
	go c.run()
	seq := 0
	var readErr error
	for _, f := range files {
		readErr = rd.read(f, false, func(resp *warc.Response) error {
			if resp.StatusCode != 200 || !crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				return nil
			}
			if c.failed() {
				return warc.ErrStop
			}
			jobs <- job{seq, pageOf(resp)}
			seq++
			if o.Read != nil {
				o.Read.Add(1)
			}
			return nil
		})
		if readErr != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	storeErr := c.finish(seq)
	sum.Pages = seq
	return *sum, errors.Join(readErr, storeErr)
}

// pageOf is a captured response as the pipeline takes a fetched page.
func pageOf(resp *warc.Response) *crawler.Page {
	return &crawler.Page{URL: resp.URL, FinalURL: resp.URL, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ContentLanguage: resp.Header.Get("Content-Language"), Body: resp.Body, FetchedAt: resp.Date,
		WARCFile: resp.File, WARCRecordID: resp.RecordID}
}

// reader reads the responses of a replay's files, counting in the
// committer's summary what the second pass passes over or finds damaged.
type reader struct {
	ctx context.Context
	o   ReplayOptions
	c   *committer
}

func (rd reader) read(path string, first bool, fn func(*warc.Response) error) error {
	return warc.ReadResponsesWith(rd.ctx, path, warc.ReadOptions{
		MaxBytes: rd.o.MaxBytes,
		Skipped: func(string) {
			if !first {
				rd.c.note(func(s *ReplaySummary) { s.Skipped[SkipTooLarge]++ })
			}
		},
		Damaged: func(err error) {
			if !first {
				rd.c.note(func(s *ReplaySummary) { s.Damaged = append(s.Damaged, err.Error()) })
			}
		},
	}, fn)
}

// holdings are the pages the files hold (HTML answered 200), by page key.
func (rd reader) holdings(files []string) (archived, error) {
	have := archived{}
	for _, f := range files {
		err := rd.read(f, true, func(resp *warc.Response) error {
			if resp.StatusCode == 200 && crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				if k, err := urlcanon.PageKey(resp.URL); err == nil {
					have[k] = true
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return have, nil
}

// committer stores the decisions of a replay's workers in sequence order,
// the records ready in a run together (one transaction each run, when the
// store takes batches): a replay is not held to one commit per record.
type committer struct {
	ctx     context.Context
	store   Store
	mu      sync.Mutex
	cond    *sync.Cond
	results map[int]Decision
	next    int // the next sequence number to store
	total   int // -1 until every page was handed out
	sum     *ReplaySummary
	err     error // the first store error: nothing is stored after it
	done    chan struct{}
}

func newCommitter(ctx context.Context, store Store, sum *ReplaySummary) *committer {
	c := &committer{ctx: ctx, store: store, results: map[int]Decision{}, total: -1, sum: sum, done: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	return c
}

// note changes the summary under the committer's lock.
func (c *committer) note(fn func(*ReplaySummary)) {
	c.mu.Lock()
	fn(c.sum)
	c.mu.Unlock()
}

// add hands in the decision on page seq.
func (c *committer) add(seq int, d Decision) {
	c.mu.Lock()
	c.results[seq] = d
	c.cond.Broadcast()
	c.mu.Unlock()
}

// failed says whether a store error stopped the committer.
func (c *committer) failed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err != nil
}

// finish says that total pages were handed in, waits for them to be
// stored and returns the first store error.
func (c *committer) finish(total int) error {
	c.mu.Lock()
	c.total = total
	c.cond.Broadcast()
	c.mu.Unlock()
	<-c.done
	return c.err
}

// run stores until every page handed in is.
func (c *committer) run() {
	defer close(c.done)
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for {
			if _, ok := c.results[c.next]; ok || (c.total >= 0 && c.next >= c.total) {
				break
			}
			c.cond.Wait()
		}
		if c.total >= 0 && c.next >= c.total {
			return
		}
		recs := c.takeRun(500)
		if len(recs) == 0 {
			continue
		}
		c.mu.Unlock()
		outs, err := putAll(c.ctx, c.store, recs)
		c.mu.Lock()
		if err != nil {
			c.err = err
			continue
		}
		for _, out := range outs {
			c.sum.count(outcomeOf(out))
		}
	}
}

// takeRun takes the decisions ready in sequence, up to max records, and
// returns the records to store (called with the lock held).
func (c *committer) takeRun(max int) []*record.Record {
	var recs []*record.Record
	for len(recs) < max {
		d, ok := c.results[c.next]
		if !ok {
			break
		}
		delete(c.results, c.next)
		c.next++
		switch {
		case c.err != nil:
		case d.Record == nil:
			c.sum.Skipped[d.Skip]++
		case d.Alias:
			// Its canonical page is in the archive (the frontier of a
			// replay says so only then): stored from there.
			c.sum.Skipped[d.Skip]++
		default:
			recs = append(recs, d.Record)
		}
	}
	return recs
}

// count adds a stored record's outcome to the summary.
func (s *ReplaySummary) count(o crawler.Outcome) {
	switch {
	case o.Unchanged:
		s.Unchanged++
	case o.Skip != "":
		s.Skipped[o.Skip]++
	default:
		s.Stored++
		if o.Revised {
			s.NewVersions++
		}
	}
}
