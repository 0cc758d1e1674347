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
	Skipped                  map[string]int // by reason
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
// order (index.Local).
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
	sum := ReplaySummary{Skipped: map[string]int{}}
	var mu sync.Mutex
	read := func(path string, first bool, fn func(*warc.Response) error) error {
		return warc.ReadResponsesWith(ctx, path, warc.ReadOptions{
			MaxBytes: o.MaxBytes,
			Skipped: func(string) {
				if !first {
					mu.Lock()
					sum.Skipped[SkipTooLarge]++
					mu.Unlock()
				}
			},
			Damaged: func(err error) {
				if !first {
					mu.Lock()
					sum.Damaged = append(sum.Damaged, err.Error())
					mu.Unlock()
				}
			},
		}, fn)
	}
	// First pass: the pages the archive holds, so that an alias (AMP copy)
	// is left to its canonical page when that was captured too.
	have := archived{}
	for _, f := range files {
		err := read(f, true, func(resp *warc.Response) error {
			if resp.StatusCode == 200 && crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				if k, err := urlcanon.PageKey(resp.URL); err == nil {
					have[k] = true
				}
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
	}
	type job struct {
		seq  int
		page *crawler.Page
	}
	type result struct {
		Decision
	}
	jobs := make(chan job)
	results := map[int]result{}
	cond := sync.NewCond(&mu)
	next := 0 // the next sequence number to store
	var storeErr error
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				d := p.Decide(j.page, have)
				mu.Lock()
				results[j.seq] = result{d}
				cond.Broadcast()
				mu.Unlock()
			}
		}()
	}
	// The committer stores in sequence order, the records ready in a run
	// together (one transaction each run, when the store takes batches):
	// a replay is not held to one commit per record.
	done := make(chan struct{})
	total := -1
	go func() {
		defer close(done)
		mu.Lock()
		defer mu.Unlock()
		for {
			for {
				if _, ok := results[next]; ok || (total >= 0 && next >= total) {
					break
				}
				cond.Wait()
			}
			if total >= 0 && next >= total {
				return
			}
			var recs []*record.Record
			for len(recs) < 500 {
				res, ok := results[next]
				if !ok {
					break
				}
				delete(results, next)
				next++
				switch {
				case storeErr != nil:
				case res.Record == nil:
					sum.Skipped[res.Skip]++
				case res.Alias:
					// Its canonical page is in the archive (the frontier of
					// a replay says so only then): stored from there.
					sum.Skipped[res.Skip]++
				default:
					recs = append(recs, res.Record)
				}
			}
			if len(recs) == 0 {
				continue
			}
			mu.Unlock()
			outs, err := putAll(ctx, p.Store, recs)
			mu.Lock()
			if err != nil {
				storeErr = err
				continue
			}
			for _, out := range outs {
				switch out {
				case index.Unchanged:
					sum.Unchanged++
				case index.Replaced:
					sum.Skipped[SkipReplacedAlias]++
				default:
					sum.Stored++
				}
			}
		}
	}()
	seq := 0
	var readErr error
	for _, f := range files {
		readErr = read(f, false, func(resp *warc.Response) error {
			if resp.StatusCode != 200 || !crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body) {
				return nil
			}
			mu.Lock()
			failed := storeErr != nil
			mu.Unlock()
			if failed {
				return warc.ErrStop
			}
			pg := &crawler.Page{URL: resp.URL, FinalURL: resp.URL, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
				ContentLanguage: resp.Header.Get("Content-Language"), Body: resp.Body, FetchedAt: resp.Date,
				WARCFile: resp.File, WARCRecordID: resp.RecordID}
			jobs <- job{seq, pg}
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
	mu.Lock()
	total = seq
	cond.Broadcast()
	mu.Unlock()
	<-done
	sum.Pages = seq
	return sum, errors.Join(readErr, storeErr)
}
