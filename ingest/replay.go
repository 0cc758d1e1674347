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
	// The committer stores in sequence order.
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
			res := results[next]
			delete(results, next)
			next++
			if storeErr != nil {
				continue
			}
			if res.Record == nil {
				sum.Skipped[res.Skip]++
				continue
			}
			if res.Alias {
				// Its canonical page is in the archive (the frontier of a
				// replay says so only then): stored from there.
				sum.Skipped[res.Skip]++
				continue
			}
			mu.Unlock()
			out, err := p.Store.Put(ctx, res.Record)
			mu.Lock()
			switch {
			case err != nil:
				storeErr = fmt.Errorf("store %s: %w", res.Record.URL, err)
			case out == index.Unchanged:
				sum.Unchanged++
			case out == index.Replaced:
				sum.Skipped[SkipReplacedAlias]++
			default:
				sum.Stored++
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
