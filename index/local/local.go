// Package local is the data dir's index, the default (no server needed).
// Every record is kept in a bbolt file, records.db: the durable truth that
// exports read in id order, with a delivery outbox written in the same
// transaction (the archive in index/elastic is fed from it). A bleve
// full-text index derived from the records serves search; it is rebuilt
// from them when it is lost, behind, or was left aside by a crawl whose
// search is the archive.
//
// A data dir opens in one of three modes, each its own type: Open (records
// and search: crawls, reextract and the read commands), OpenRecords (records
// without search, for a crawl whose search is the archive) and OpenOutbox
// (the delivery queue alone, for index push and status: no writes).
package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/datafile"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/stories"
	"github.com/presscrawl/presscrawl/versions"
)

const (
	// RecordsFile is the records' file in the data dir: a data dir without
	// one holds no index.
	RecordsFile = "records.db"
	searchDir   = "search.bleve"
	// foldedAnalyzer tokenizes any language, lower-cases and applies Arabic
	// orthographic normalisation (alef forms, teh marbuta, diacritics,
	// tatweel) without stemming: the default for every text field, so a
	// word found in a page is found by search in any language.
	foldedAnalyzer = "presscrawl_folded"
	// keywordAnalyzer keeps a field whole, lower-cased.
	keywordAnalyzer = "presscrawl_keyword"
	// searchMapping is the search index's mapping version: an index made by
	// another is set aside and rebuilt from the records when opened.
	searchMapping = "8"
)

var recordsBucket = []byte("records")

// store is the records file that every mode opens.
type store struct {
	db      *bolt.DB
	changed chan struct{} // the outbox got a record
	// written, when set, is told of every record written (the search
	// index's queue).
	written func(*record.Record)

	closeOnce sync.Once
	closeErr  error
	// readOnly: the file system is read-only; writes are refused with
	// ErrReadOnly and the search index is read as it is.
	readOnly bool
}

// ReadOnly says the data dir was opened from a read-only file system.
func (l *Outbox) ReadOnly() bool { return l.st.readOnly }

// ErrReadOnly is a write to a data dir opened from a read-only file system.
var ErrReadOnly = errors.New("the data dir is on a read-only file system")

// readOnlyFS tells an open refused because the file system is read-only.
func readOnlyFS(err error) bool {
	return errors.Is(err, syscall.EROFS)
}

// hasBuckets checks that a data dir opened read-only has every bucket
// (one made by an earlier presscrawl may lack the newer ones).
func hasBuckets(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{recordsBucket, outboxBucket, rejectedBucket, metaBucket, versionsBucket, versionOutboxBucket} {
			if tx.Bucket(b) == nil {
				return fmt.Errorf("was made by an earlier presscrawl (no %s bucket)", b)
			}
		}
		return nil
	})
}

// Outbox is a data dir opened for delivering or counting its records
// (OpenOutbox): it writes no record. It is safe for concurrent use.
type Outbox struct{ st *store }

// Records is a data dir's records without its full-text index
// (OpenRecords), and the write side of Index. It is safe for concurrent
// use.
type Records struct{ Outbox }

// Index is the data dir's records and full-text search (Open): an
// index.Reader. It is safe for concurrent use.
type Index struct {
	Records
	search  bleve.Index
	queue   chan *record.Record
	flushed chan struct{}
	// Notice, when set, says what opening had to repair (a damaged search
	// index rebuilt): the command prints it.
	Notice string
	errMu  sync.Mutex
	err    error // the batcher's first error, reported by Close
	once   sync.Once
}

// Open opens (creating if needed) the local index in dir. A search
// index that lags behind the records (after a crash, or after a crawl that
// kept only the records) is brought up to date.
func Open(dir string) (*Index, error) {
	st, err := openStore(dir, false)
	if err != nil {
		return nil, err
	}
	l, err := openSearchOf(dir, st)
	if err != nil {
		st.db.Close()
		return nil, err
	}
	return l, nil
}

// OpenRecords opens the records of a data dir without its full-text index:
// for a crawl whose search is the archive (--index elasticsearch), which
// then spends nothing on local indexing. The search index is marked stale
// and rebuilt from the records by the next Open.
func OpenRecords(dir string) (*Records, error) {
	st, err := openStore(dir, true)
	if err != nil {
		return nil, err
	}
	return &Records{Outbox{st}}, nil
}

// OpenOutbox opens the records and the delivery outbox of a data dir for
// delivering or counting them (index push, index status).
func OpenOutbox(dir string) (*Outbox, error) {
	st, err := openStore(dir, false)
	if err != nil {
		return nil, err
	}
	return &Outbox{st}, nil
}

// metaBucket holds the data dir's own state; staleKey, when present, says
// the search index missed record writes.
var (
	metaBucket = []byte("meta")
	staleKey   = []byte("search_stale")
	mappingKey = []byte("search_mapping")
	// countKey holds the number of records (8 bytes, big-endian), kept
	// by every write that adds one: counting them walks every page of
	// records.db (2.7 s from a cold cache at 100,000 records, before any
	// command could answer).
	countKey = []byte("records_n")
)

// openStore opens records.db in dir, making its buckets; stale marks the
// search index as missing the writes to come.
func openStore(dir string, stale bool) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	rp := filepath.Join(dir, RecordsFile)
	if err := datafile.Check(rp); err != nil {
		return nil, err
	}
	// bbolt writes its first pages when it makes a file: an empty one is a
	// records.db cut short, never a new one. Opening it would make it an
	// empty archive beside a search index that lists what was lost.
	if st, err := os.Stat(rp); err == nil && st.Size() == 0 {
		return nil, fmt.Errorf("%s is empty (0 bytes): the records were lost (a disk full, a copy cut short); restore it from a backup, or rebuild it from the WARC files with presscrawl reextract: %w", rp, ErrDamaged)
	}
	db, err := openBolt(rp)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("data dir %s is %w", dir, ErrInUse)
		}
		return nil, err
	}
	db.MaxBatchDelay = 2 * time.Millisecond // records commit every few ms, not every 10
	if db.IsReadOnly() {
		if err := hasBuckets(db); err != nil {
			db.Close()
			return nil, fmt.Errorf("%s is read-only and %w: open it once where it can be written", rp, err)
		}
		return &store{db: db, changed: make(chan struct{}, 1), readOnly: true}, nil
	}
	if err := guard(rp, func() error {
		return db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{recordsBucket, outboxBucket, rejectedBucket, metaBucket, versionsBucket, versionOutboxBucket, storySigsBucket, storyBandsBucket} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			if tx.Bucket(metaBucket).Get(countKey) == nil { // a new data dir, or one from before the count was kept
				if err := putCount(tx, uint64(tx.Bucket(recordsBucket).Stats().KeyN)); err != nil {
					return err
				}
			}
			if stale {
				return tx.Bucket(metaBucket).Put(staleKey, []byte("1"))
			}
			return nil
		})
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("init records: %w", err)
	}
	return &store{db: db, changed: make(chan struct{}, 1)}, nil
}

// openSearchOf opens the search index beside the records (setting aside
// one made by another mapping version, or damaged, and making it again),
// brings it up to date and starts feeding it.
func openSearchOf(dir string, st *store) (*Index, error) {
	sp := filepath.Join(dir, searchDir)
	if st.readOnly {
		return openSearchReadOnly(sp, st)
	}
	idx, notice, err := openOrSetAside(sp, st)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.NewUsing(sp, newMapping(), scorch.Name, scorch.Name, scorchConfig())
		if err == nil {
			err = st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(mappingKey, []byte(searchMapping)) })
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open search index %s: %w", sp, err)
	}
	l := &Index{Records: Records{Outbox{st}}, search: idx, queue: make(chan *record.Record, 1024), flushed: make(chan struct{}), Notice: notice}
	if err := l.reconcile(); err != nil {
		l.search.Close()
		return nil, err
	}
	st.written = func(r *record.Record) { l.queue <- r }
	go l.batcher()
	return l, nil
}

// openSearchReadOnly opens the search index of a read-only data dir as
// it is: it cannot be rebuilt or brought up to date there, which the
// notice says when it lags behind the records.
func openSearchReadOnly(sp string, st *store) (*Index, error) {
	idx, err := openSearchWith(sp, map[string]any{"read_only": true})
	if err != nil {
		return nil, fmt.Errorf("search index %s on a read-only file system: %w (open the data dir once where it can be written)", sp, err)
	}
	l := &Index{Records: Records{Outbox{st}}, search: idx, flushed: make(chan struct{})}
	close(l.flushed)
	n, _ := l.Count()
	indexed, _ := idx.DocCount()
	l.Notice = "the data dir is on a read-only file system: reading it as it is"
	if indexed != n {
		l.Notice += fmt.Sprintf(" (its search index holds %d of the %d records: search may miss the others; export reads them all)", indexed, n)
	}
	return l, nil
}

// openOrSetAside opens the search index at sp. One made by an earlier
// mapping, or damaged (a segment cut short), is renamed aside and
// bleve.ErrorIndexPathDoesNotExist returned, with a notice saying so: the
// search index is derived from the records and is made again from them.
func openOrSetAside(sp string, st *store) (bleve.Index, string, error) {
	idx, err := openSearch(sp)
	if err == nil {
		var version string
		_ = st.db.View(func(tx *bolt.Tx) error { version = string(tx.Bucket(metaBucket).Get(mappingKey)); return nil })
		if version == searchMapping {
			return idx, "", nil
		}
		idx.Close() // made by an earlier presscrawl
		aside := fmt.Sprintf("%s.old-%d", sp, time.Now().Unix())
		if rerr := os.Rename(sp, aside); rerr != nil {
			return nil, "", fmt.Errorf("set aside the search index %s: %w", sp, rerr)
		}
		return nil, fmt.Sprintf("the search index was made by an earlier presscrawl: set aside as %s and rebuilt from the records", filepath.Base(aside)), bleve.ErrorIndexPathDoesNotExist
	}
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		return nil, "", err
	}
	aside := fmt.Sprintf("%s.damaged-%d", sp, time.Now().Unix())
	if rerr := os.Rename(sp, aside); rerr != nil {
		return nil, "", fmt.Errorf("open search index %s: %w (and it could not be set aside: %v)", sp, err, rerr)
	}
	return nil, fmt.Sprintf("the search index %s was damaged (%v): set aside as %s and rebuilt from the records", sp, err, filepath.Base(aside)), bleve.ErrorIndexPathDoesNotExist
}

// Put stores a record durably; it reaches search within a second (the index
// keeps reading r until then: do not change it). A record
// whose content_hash equals the stored one is not rewritten.
func (l *Records) Put(ctx context.Context, r *record.Record) (index.PutResult, error) {
	return l.put(ctx, r, false)
}

// PutAll stores records in order in one transaction (reextract's batches):
// what Put does for each, without a commit for each.
func (l *Records) PutAll(ctx context.Context, rs []*record.Record) ([]index.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if l.st.readOnly {
		return nil, ErrReadOnly
	}
	sigs := make([]*stories.Signature, len(rs))
	for i, r := range rs {
		if r.ID == "" {
			return nil, fmt.Errorf("record of %s without id", r.URL)
		}
		stampFirst(r)
		sigs[i] = signature(r)
	}
	outs := make([]index.PutResult, len(rs))
	err := l.st.db.Update(func(tx *bolt.Tx) error {
		for i, r := range rs {
			res, err := putIn(tx, r, sigs[i], false)
			if err != nil {
				return fmt.Errorf("store record %s: %w", r.ID, err)
			}
			outs[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, r := range rs {
		if outs[i] != index.Unchanged {
			l.st.wrote(r)
		}
	}
	return outs, nil
}

// PutNew stores a record only when none is stored under its id (Created),
// else writes nothing (Unchanged): how an alias page keeps its article
// until the canonical page's record arrives, which then replaces it.
func (l *Records) PutNew(ctx context.Context, r *record.Record) (index.PutResult, error) {
	return l.put(ctx, r, true)
}

func (l *Records) put(ctx context.Context, r *record.Record, onlyNew bool) (index.PutResult, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if l.st.readOnly {
		return 0, ErrReadOnly
	}
	if r.ID == "" {
		return 0, errors.New("record without id")
	}
	stampFirst(r)
	sig := signature(r) // outside the write transaction: the CPU of grouping is not serialised
	var res index.PutResult
	err := l.st.db.Batch(func(tx *bolt.Tx) error {
		var err error
		res, err = putIn(tx, r, sig, onlyNew)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store record %s: %w", r.ID, err)
	}
	if res != index.Unchanged {
		l.st.wrote(r)
	}
	return res, nil
}

// Count returns the number of stored records.
func (l *Outbox) Count() (uint64, error) {
	var n uint64
	err := l.st.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(metaBucket).Get(countKey); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
			return nil
		}
		n = uint64(tx.Bucket(recordsBucket).Stats().KeyN) // read-only, from before the count was kept
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return n, nil
}

// putCount keeps the number of records.
func putCount(tx *bolt.Tx, n uint64) error {
	return tx.Bucket(metaBucket).Put(countKey, binary.BigEndian.AppendUint64(nil, n))
}

// addCount adds a record to the number kept (openStore keeps one).
func addCount(tx *bolt.Tx) error {
	v := tx.Bucket(metaBucket).Get(countKey)
	if len(v) != 8 {
		return nil
	}
	return putCount(tx, binary.BigEndian.Uint64(v)+1)
}

// GetPrefix returns the record whose id starts with prefix, or nil; an
// error when several do.
func (l *Records) GetPrefix(ctx context.Context, prefix string) (*record.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var found []byte
	var n int
	err := l.st.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(recordsBucket).Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
			n++
			found = v
			if n > 1 {
				break
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case n > 1:
		return nil, fmt.Errorf("id %s… names several records: give more of it", prefix)
	case n == 0:
		return nil, nil
	}
	r := new(record.Record)
	if err := json.Unmarshal(found, r); err != nil {
		return nil, fmt.Errorf("record %s…: %w", prefix, err)
	}
	return r, nil
}

// Get returns the record with id, or nil.
func (l *Records) Get(ctx context.Context, id string) (*record.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.st.get(id)
}

func (s *store) get(id string) (*record.Record, error) {
	var r *record.Record
	err := s.view(func(tx *bolt.Tx) error {
		v := tx.Bucket(recordsBucket).Get([]byte(id))
		if v == nil {
			return nil
		}
		r = new(record.Record)
		return json.Unmarshal(v, r)
	})
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", id, err)
	}
	return r, nil
}

// All calls fn for every record in id order: the order of exports.
func (l *Records) All(ctx context.Context, fn func(*record.Record) error) error {
	return l.st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(recordsBucket).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var r record.Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			return fn(&r)
		})
	})
}

// ErrInUse is a data dir another process holds (a crawl running).
var ErrInUse = errors.New("in use by another presscrawl process")

// ErrDamaged is a data dir file that cannot be read as what it should be.
var ErrDamaged = errors.New("damaged data dir")

// openBolt opens records.db; a file that is not one (garbage, a foreign
// file) is an error naming it, never a panic.
func openBolt(path string) (db *bolt.DB, err error) {
	err = guard(path, func() error {
		var oerr error
		db, oerr = bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
		if readOnlyFS(oerr) {
			// An intact data dir on a read-only medium (a mounted
			// archive, a DVD, a read-only share): read it as it is.
			db, oerr = bolt.Open(path, 0o444, &bolt.Options{Timeout: 2 * time.Second, ReadOnly: true})
		}
		return oerr
	})
	if err != nil && !errors.Is(err, berrors.ErrTimeout) && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%s cannot be read as presscrawl's records (%v): %w", path, err, ErrDamaged)
	}
	return db, err
}

// guard runs fn, turning a panic of bbolt over a damaged file into an
// error naming the file.
func guard(path string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s is damaged (%v); restore it from a backup, or rebuild it from the WARC files with presscrawl reextract: %w", path, p, ErrDamaged)
		}
	}()
	return fn()
}

// Close closes the records file.
func (l *Outbox) Close() error { return l.st.close() }

// close closes the file once; later calls return the first one's error.
func (s *store) close() error {
	s.closeOnce.Do(func() { s.closeErr = s.db.Close() })
	return s.closeErr
}

// Close flushes the search index and closes both stores.
func (l *Index) Close() error {
	var err error
	l.once.Do(func() {
		if l.queue != nil {
			close(l.queue)
		}
		<-l.flushed
		l.errMu.Lock()
		err = l.err
		l.errMu.Unlock()
		err = errors.Join(err, l.search.Close(), l.st.close())
	})
	return err
}

// wrote tells the search index and a waiting deliverer of a record
// written.
func (s *store) wrote(r *record.Record) {
	if s.written != nil {
		s.written(r)
	}
	s.signal()
}

// putIn writes a record in a write transaction, queueing it for delivery,
// and says what it did. val is r encoded with stampFirst's fields, the
// encoding of a new record; a record that replaces one is encoded again
// with the fields it follows from it. Unchanged: the same content read
// from the same address (an alias's record is replaced by its canonical
// page's). Revised: an edit; the record it replaces is kept as a version.
func putIn(tx *bolt.Tx, r *record.Record, sig *stories.Signature, onlyNew bool) (index.PutResult, error) {
	b := tx.Bucket(recordsBucket)
	res := index.Created
	prevStory := ""
	if old := b.Get([]byte(r.ID)); old != nil {
		var head struct { // enough to tell an unchanged record, the common case of a re-crawl
			URL          string            `json:"url"`
			CanonicalURL string            `json:"canonical_url"`
			ContentHash  string            `json:"content_hash"`
			Title        string            `json:"title"`
			Authors      []string          `json:"authors"`
			PublishedAt  *record.Timestamp `json:"published_at"`
			StoryID      string            `json:"story_id"`
		}
		ok := json.Unmarshal(old, &head) == nil
		if onlyNew || ok && head.ContentHash == r.ContentHash && head.URL == r.URL &&
			!versions.EditedMeta(&record.Record{Title: head.Title, Authors: head.Authors, PublishedAt: head.PublishedAt}, r) {
			return index.Unchanged, nil
		}
		res = index.Updated
		if ok && head.URL != r.URL && head.URL != head.CanonicalURL && r.URL == r.CanonicalURL {
			res = index.Replaced
		}
		prevStory = head.StoryID
		if prevStory == "" {
			prevStory = r.ID // stored before stories were kept: its own
		}
		var prev record.Record
		if ok && json.Unmarshal(old, &prev) == nil {
			kept, err := follow(tx, &prev, r, res != index.Replaced)
			if err != nil {
				return 0, err
			}
			if kept {
				res = index.Revised
			}
		}
	}
	if err := groupIn(tx, r, sig, prevStory); err != nil {
		return 0, fmt.Errorf("story of %s: %w", r.ID, err)
	}
	val, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	if err := b.Put([]byte(r.ID), val); err != nil {
		return 0, err
	}
	if res == index.Created {
		if err := addCount(tx); err != nil {
			return 0, err
		}
	}
	return res, queue(tx, r)
}

// signature is a record's story signature, or nil for a text too short
// to group.
func signature(r *record.Record) *stories.Signature {
	s, ok := stories.Of(r.Text)
	if !ok {
		return nil
	}
	return &s
}

// view runs a read transaction; a damaged records.db is an error, not a
// panic.
func (s *store) view(fn func(*bolt.Tx) error) error {
	return guard(s.db.Path(), func() error { return s.db.View(fn) })
}
