package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/urlcanon"
	"github.com/presscrawl/presscrawl/warc"
)

// ReplaySummary counts what Replay did.
type ReplaySummary struct {
	// Pages is the HTML responses handed to extraction.
	Pages, Stored, Unchanged int
	// NewVersions: of the stored, edits kept as new versions (a page
	// captured again with other words).
	NewVersions int
	Skipped     map[string]int // by reason, before and after extraction
	// Files is the files read whole; FilesDone those a resumed replay found
	// finished by an earlier run and passed over.
	Files, FilesDone int
	// Records counts the records read by WARC-Type (response, request,
	// revisit, metadata ...); Bytes the files' bytes read.
	Records map[string]int
	Bytes   int64
	// Revisits: revisit records whose original (by payload digest, or the
	// page it refers to) was read in this replay, and those whose was not.
	RevisitsResolved, RevisitsUnresolved int
	// DamagedRecords counts the damaged records, each costing only itself;
	// Damaged lists the first MaxDamageNotes of them.
	DamagedRecords int
	Damaged        []string
}

// MaxDamageNotes bounds the damage a summary lists (all are counted).
const MaxDamageNotes = 50

// The reasons a response is passed over before extraction.
const (
	SkipNotOK          = "HTTP status other than 200"
	SkipNotHTMLPayload = "not HTML (PDF, image, feed ...)"
	SkipURLFilter      = "URL left out by --allow/--deny"
	SkipCapturedBefore = "captured before --since"
	SkipCapturedAfter  = "captured after --until"
	SkipAfterUntil     = "published after --until"
	SkipLanguage       = "language not in --language"
	SkipUndecodable    = "HTTP message or Content-Encoding unreadable"
)

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

// RecordsLine lists the records read by type, in a stable order.
func (s *ReplaySummary) RecordsLine() string {
	var parts []string
	for t, n := range s.Records {
		parts = append(parts, fmt.Sprintf("%d %s", n, t))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// archived is the frontier of a replay: a canonical page "can be fetched"
// when the archive holds it.
type archived map[string]bool

// Allowed: an archive's page asks for nothing live.
func (a archived) Allowed(*url.URL) bool { return false }

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

// Source is one WARC file of a replay.
type Source struct {
	// Name is the file as the user named it, a path or a URL: what the
	// records' warc_file says and the resume state is keyed by.
	Name string
	// Open streams the file from offset on (a download, resumed with a
	// Range request when a connection drops); nil for a local path, read
	// with seeks (and .open files read up to their last whole record).
	Open func(ctx context.Context, offset int64) (io.ReadCloser, error)
}

// label is the file as the records name it (warc_file): a remote file's
// URL, a local file's base name (as a crawl's own records name the files
// it writes, so that records and versions re-extracted name them alike).
func (s Source) label() string {
	if s.Open != nil {
		return s.Name
	}
	return strings.TrimSuffix(filepath.Base(s.Name), ".open")
}

// LocalSources are local WARC files as sources.
func LocalSources(paths []string) []Source {
	out := make([]Source, len(paths))
	for i, p := range paths {
		out[i] = Source{Name: p}
	}
	return out
}

// Filters pass over responses before extraction (URL, capture date) and
// articles after it (publication day, language). Zero fields filter
// nothing.
type Filters struct {
	// Allow, when set, keeps only target URLs matching one of them; Deny
	// drops those matching one.
	Allow, Deny []*regexp.Regexp
	// Since and Until bound the capture's day first (WARC-Date, before
	// extraction), then the publication day (after it; records without a
	// date are kept). Both days are included.
	Since, Until time.Time
	// Languages, when set, keeps only records of those languages.
	Languages []string
}

// urlOK applies Allow and Deny.
func (f Filters) urlOK(u string) bool {
	for _, re := range f.Deny {
		if re.MatchString(u) {
			return false
		}
	}
	if len(f.Allow) == 0 {
		return true
	}
	for _, re := range f.Allow {
		if re.MatchString(u) {
			return true
		}
	}
	return false
}

// captured says why a capture date is out of range, or "".
func (f Filters) captured(t time.Time) string {
	day := t.UTC().Format(record.DayLayout)
	switch {
	case !f.Since.IsZero() && !t.IsZero() && day < f.Since.UTC().Format(record.DayLayout):
		return SkipCapturedBefore
	case !f.Until.IsZero() && !t.IsZero() && day > f.Until.UTC().Format(record.DayLayout):
		return SkipCapturedAfter
	}
	return ""
}

// article says why an extracted article is left out, or "".
func (f Filters) article(r *record.Record) string {
	if !f.Until.IsZero() && r.PublishedAt != nil && r.PublishedAt.Time.Format(record.DayLayout) > f.Until.UTC().Format(record.DayLayout) {
		return SkipAfterUntil
	}
	if len(f.Languages) > 0 && !slices.Contains(f.Languages, r.Language) {
		return SkipLanguage
	}
	return ""
}

// ReplayOptions tune Replay.
type ReplayOptions struct {
	// MaxBytes passes over responses larger than this (counted as too
	// large), streamed past, never held: the extractor's own limit.
	MaxBytes int64
	// Read, when set, counts the HTML responses read so far, Bytes the
	// files' bytes, Stored the records stored and FilesDone the files
	// finished (for a progress display).
	Read, Bytes, Stored, FilesDone *atomic.Int64
	// Parallel is how many files are read at once (default 1: in order,
	// so that a later capture of a page wins).
	Parallel int
	// Filters pass over responses and articles.
	Filters Filters
	// State, when set, is where the replay remembers the files it finished
	// and how far it got in the others: a replay given the same state goes
	// on where an interrupted one stopped, without extracting again what
	// was stored.
	State *ReplayState
}

// Replay runs the pipeline over the HTML responses of local WARC files.
func Replay(ctx context.Context, p Pipeline, files []string, o ReplayOptions) (ReplaySummary, error) {
	return ReplaySources(ctx, p, LocalSources(files), o)
}

// job is one response handed to extraction, or (marker) the end of a
// source: when it is committed, the source is done.
type job struct {
	seq    int
	page   *crawler.Page
	src    int
	off    int64
	skip   int
	marker bool
}

// ReplaySources runs the pipeline over the HTML responses of WARC files,
// local or remote: extraction on every core, storage in the order the
// responses were read (a later capture of a page wins). A damaged record
// costs only itself (the summary counts and lists them). Replay stops at
// the first store error, or at the first file that cannot be read at all.
func ReplaySources(ctx context.Context, p Pipeline, srcs []Source, o ReplayOptions) (ReplaySummary, error) {
	sum := &ReplaySummary{Skipped: map[string]int{}, Records: map[string]int{}}
	c := newCommitter(ctx, p.Store, sum)
	c.state, c.srcs, c.stored, c.filesDone = o.State, srcs, o.Stored, o.FilesDone
	if !o.Filters.Since.IsZero() {
		p.Since = o.Filters.Since
	}
	rd := &reader{ctx: ctx, o: o, c: c, seen: map[string]bool{}}
	// First pass, over local files only: the pages the archive holds, so
	// that an alias (AMP copy) is left to its canonical page when that was
	// captured too. Remote files are read once.
	var have crawler.Frontier
	if allLocal(srcs) {
		h, err := rd.holdings(srcs)
		if err != nil {
			return *sum, err
		}
		have = h
	} else {
		have = archived{}
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				d := p.Decide(j.page, have)
				if d.Record != nil && !d.Alias {
					if why := o.Filters.article(d.Record); why != "" {
						d = Decision{Skip: why}
					}
				}
				c.add(j.seq, item{d: d, src: j.src, off: j.off, skip: j.skip})
			}
		}()
	}
	go c.run()
	parallel := max(o.Parallel, 1)
	work := make(chan int)
	var readers sync.WaitGroup
	var errMu sync.Mutex
	var readErr error
	for i := 0; i < parallel; i++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for si := range work {
				if err := rd.replaySource(si, srcs[si], jobs); err != nil {
					errMu.Lock()
					readErr = errors.Join(readErr, err)
					errMu.Unlock()
				}
			}
		}()
	}
feed:
	for si := range srcs {
		errMu.Lock()
		failed := readErr != nil
		errMu.Unlock()
		if failed || c.failed() || ctx.Err() != nil {
			break
		}
		if o.State != nil && o.State.Done(srcs[si].Name) {
			c.note(func(s *ReplaySummary) { s.FilesDone++ })
			continue
		}
		select {
		case work <- si:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	readers.Wait()
	close(jobs)
	wg.Wait()
	storeErr := c.finish(rd.total())
	sum.Pages = rd.pages()
	if o.State != nil {
		// A run that read every file to its end and stored it all forgets
		// its progress: the next run (a newer extractor) reads them again.
		// An interrupted one keeps it, to go on from there.
		var err error
		if readErr == nil && storeErr == nil && ctx.Err() == nil {
			err = o.State.Clear()
		} else {
			err = o.State.Save()
		}
		if err != nil && storeErr == nil {
			storeErr = err
		}
	}
	if readErr == nil && ctx.Err() != nil {
		readErr = ctx.Err()
	}
	return *sum, errors.Join(readErr, storeErr)
}

func allLocal(srcs []Source) bool {
	for _, s := range srcs {
		if s.Open != nil {
			return false
		}
	}
	return true
}

// pageOf is a captured response as the pipeline takes a fetched page.
func pageOf(resp *warc.Response, name string) *crawler.Page {
	return &crawler.Page{URL: resp.URL, FinalURL: resp.URL, StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
		ContentLanguage: resp.Header.Get("Content-Language"), Body: resp.Body, FetchedAt: resp.Date,
		WARCFile: name, WARCRecordID: resp.RecordID, ArchivedAt: resp.Date}
}

// reader reads the responses of a replay's files, counting in the
// committer's summary what it passes over or finds damaged.
type reader struct {
	ctx  context.Context
	o    ReplayOptions
	c    *committer
	mu   sync.Mutex
	seq  int
	n    int             // HTML responses handed to extraction
	seen map[string]bool // payload digests and page keys of the responses read (revisits are resolved against them)
}

func (rd *reader) total() int { rd.mu.Lock(); defer rd.mu.Unlock(); return rd.seq }
func (rd *reader) pages() int { rd.mu.Lock(); defer rd.mu.Unlock(); return rd.n }

// next hands out the next sequence number.
func (rd *reader) next(page bool) int {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	rd.seq++
	if page {
		rd.n++
	}
	return rd.seq - 1
}

// read reads one source's responses; first: the holdings pass, which
// counts nothing.
func (rd *reader) read(src Source, first bool, from position, fn func(*warc.Response) error) error {
	var stats warc.ReadStats
	o := warc.ReadOptions{
		MaxBytes: rd.o.MaxBytes, Revisits: !first, Name: src.Name, Offset: from.Offset, Skip: from.Skip, Stats: &stats,
		Skipped: func(string) {
			if !first {
				rd.c.note(func(s *ReplaySummary) { s.Skipped[SkipTooLarge]++ })
			}
		},
		Damaged: func(err error) {
			if !first {
				rd.c.note(func(s *ReplaySummary) {
					s.DamagedRecords++
					if len(s.Damaged) < MaxDamageNotes {
						s.Damaged = append(s.Damaged, err.Error())
					}
				})
			}
		},
	}
	var err error
	if src.Open == nil {
		err = warc.ReadResponsesWith(rd.ctx, src.Name, o, fn)
	} else {
		var body io.ReadCloser
		body, err = src.Open(rd.ctx, from.Offset)
		if err == nil {
			counted := &countingBody{r: body, n: rd.o.Bytes}
			err = warc.ReadStream(rd.ctx, src.Name, counted, o, fn)
			body.Close()
		}
	}
	if !first {
		rd.c.note(func(s *ReplaySummary) {
			for t, n := range stats.ByType {
				s.Records[t] += n
			}
			s.Records["response"] += stats.Responses
			s.Bytes += stats.Bytes - from.Offset
			s.Skipped[SkipUndecodable] += stats.Undecodable
			if s.Skipped[SkipUndecodable] == 0 {
				delete(s.Skipped, SkipUndecodable)
			}
		})
		if src.Open == nil && rd.o.Bytes != nil {
			rd.o.Bytes.Add(stats.Bytes - from.Offset)
		}
	}
	return err
}

// countingBody counts a download's bytes as they are read.
type countingBody struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// replaySource reads one source into jobs, from where an earlier run got,
// then hands in its end marker.
func (rd *reader) replaySource(si int, src Source, jobs chan<- job) error {
	var from position
	if rd.o.State != nil {
		from = rd.o.State.Position(src.Name)
	}
	f := rd.o.Filters
	err := rd.read(src, false, from, func(resp *warc.Response) error {
		if rd.c.failed() {
			return warc.ErrStop
		}
		skip := func(why string) error {
			rd.c.note(func(s *ReplaySummary) { s.Skipped[why]++ })
			return nil
		}
		if resp.Revisit {
			rd.mu.Lock()
			resolved := rd.seen[resp.PayloadDigest] && resp.PayloadDigest != "" || rd.seen[pageKey(resp.RefersTo)]
			rd.mu.Unlock()
			rd.c.note(func(s *ReplaySummary) {
				if resolved {
					s.RevisitsResolved++
				} else {
					s.RevisitsUnresolved++
				}
			})
			return nil
		}
		rd.mu.Lock()
		if resp.PayloadDigest != "" {
			rd.seen[resp.PayloadDigest] = true
		}
		rd.seen[pageKey(resp.URL)] = true
		rd.mu.Unlock()
		switch {
		case resp.StatusCode != 200:
			return skip(SkipNotOK)
		case !crawler.IsHTML(resp.Header.Get("Content-Type"), resp.Body):
			return skip(SkipNotHTMLPayload)
		case !f.urlOK(resp.URL):
			return skip(SkipURLFilter)
		}
		if why := f.captured(resp.Date); why != "" {
			return skip(why)
		}
		j := job{seq: rd.next(true), page: pageOf(resp, src.label()), src: si, off: resp.Offset, skip: resp.Skip}
		select {
		case jobs <- j:
		case <-rd.ctx.Done():
			// the sequence number is handed out: its place must be filled
			rd.c.add(j.seq, item{d: Decision{Skip: "interrupted"}, src: -1})
			return rd.ctx.Err()
		}
		if rd.o.Read != nil {
			rd.o.Read.Add(1)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rd.c.add(rd.next(false), item{src: si, marker: true})
	return nil
}

func pageKey(u string) string {
	if u == "" {
		return ""
	}
	k, err := urlcanon.PageKey(u)
	if err != nil {
		return ""
	}
	return "page:" + k
}

// holdings are the pages the files hold (HTML answered 200), by page key.
func (rd *reader) holdings(srcs []Source) (archived, error) {
	have := archived{}
	for _, src := range srcs {
		if rd.o.State != nil && rd.o.State.Done(src.Name) {
			continue
		}
		err := rd.read(src, true, position{}, func(resp *warc.Response) error {
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
// With a resume state, it moves each source's position past what it
// stored, and marks a source done when its end marker is stored.
type committer struct {
	ctx     context.Context
	store   Store
	mu      sync.Mutex
	cond    *sync.Cond
	results map[int]item
	next    int // the next sequence number to store
	total   int // -1 until every page was handed out
	sum     *ReplaySummary
	err     error // the first store error: nothing is stored after it
	done    chan struct{}
	state   *ReplayState
	srcs    []Source
	saved   time.Time // when the state was last written
	// stored and filesDone, when set, follow the summary's counts (for a
	// progress display).
	stored, filesDone *atomic.Int64
}

// item is a decision with where its response was read (src -1: none), or
// a source's end marker.
type item struct {
	d      Decision
	src    int
	off    int64
	skip   int
	marker bool
}

func newCommitter(ctx context.Context, store Store, sum *ReplaySummary) *committer {
	c := &committer{ctx: ctx, store: store, results: map[int]item{}, total: -1, sum: sum, done: make(chan struct{})}
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
func (c *committer) add(seq int, it item) {
	c.mu.Lock()
	c.results[seq] = it
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
		recs, moves := c.takeRun(500)
		if len(recs) > 0 {
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
			if c.stored != nil {
				c.stored.Store(int64(c.sum.Stored))
			}
		}
		c.advance(moves)
	}
}

// advance applies the positions of what was stored to the resume state,
// written at most once a second (and by Replay at the end).
func (c *committer) advance(moves []item) {
	if c.state == nil || len(moves) == 0 || c.err != nil {
		return
	}
	finished := false
	for _, m := range moves {
		name := c.srcs[m.src].Name
		if m.marker {
			c.state.Finish(name)
			c.sum.Files++
			finished = true
		} else {
			c.state.Advance(name, position{Offset: m.off, Skip: m.skip + 1})
		}
	}
	if finished || time.Since(c.saved) >= time.Second {
		c.saved = time.Now()
		if err := c.state.Save(); err != nil {
			c.err = err
		}
	}
}

// takeRun takes the decisions ready in sequence, up to max records, and
// returns the records to store and the positions they move their sources
// to (called with the lock held).
func (c *committer) takeRun(max int) ([]*record.Record, []item) {
	var recs []*record.Record
	var moves []item
	for len(recs) < max {
		it, ok := c.results[c.next]
		if !ok {
			break
		}
		delete(c.results, c.next)
		c.next++
		if it.marker {
			if c.state == nil {
				c.sum.Files++
			}
			if c.filesDone != nil {
				c.filesDone.Add(1)
			}
			moves = append(moves, it)
			continue
		}
		d := it.d
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
		if it.src >= 0 {
			moves = append(moves, it)
		}
	}
	return recs, moves
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
