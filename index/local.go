package index

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/presscrawl/presscrawl/record"
)

const (
	recordsFile = "records.db"
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
	searchMapping = "3"
)

var recordsBucket = []byte("records")

// PutResult says what Put did with a record.
type PutResult int

// The outcomes of Put.
const (
	Created   PutResult = iota // a new record
	Updated                    // the record's content changed
	Unchanged                  // same content_hash: nothing was written
	// Replaced: the record had been stored from an alias page (an AMP copy
	// standing in for its canonical page) and now comes from the canonical
	// page itself: the same article, so not counted as stored twice.
	Replaced
)

// Local is the embedded index in a data directory. It is safe for
// concurrent use.
type Local struct {
	db     *bolt.DB
	search bleve.Index

	queue   chan *record.Record
	flushed chan struct{}
	changed chan struct{} // the outbox got a record
	// Notice, when set, says what opening had to repair (a damaged search
	// index rebuilt): the command prints it.
	Notice string
	errMu  sync.Mutex
	err    error // the batcher's first error, reported by Close
	once   sync.Once
}

// OpenLocal opens (creating if needed) the local index in dir. A search
// index that lags behind the records (after a crash, or after a crawl that
// kept only the records) is brought up to date.
func OpenLocal(dir string) (*Local, error) { return open(dir, true, false) }

// OpenRecords opens the records of a data dir without its full-text index:
// for a crawl whose search is the archive (--index elasticsearch), which
// then spends nothing on local indexing. The search index is marked stale
// and rebuilt from the records by the next OpenLocal.
func OpenRecords(dir string) (*Local, error) { return open(dir, false, true) }

// OpenOutbox opens the records and the delivery outbox of a data dir for
// delivering or counting them (index push, index status): no search index,
// and Put must not be called (the search index would miss the write).
func OpenOutbox(dir string) (*Local, error) { return open(dir, false, false) }

// metaBucket holds the data dir's own state; staleKey, when present, says
// the search index missed record writes.
var (
	metaBucket = []byte("meta")
	staleKey   = []byte("search_stale")
	mappingKey = []byte("search_mapping")
)

func open(dir string, withSearch, writesRecords bool) (*Local, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	rp := filepath.Join(dir, recordsFile)
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
	if err := guard(rp, func() error {
		return db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{recordsBucket, outboxBucket, rejectedBucket, metaBucket} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			if writesRecords && !withSearch {
				return tx.Bucket(metaBucket).Put(staleKey, []byte("1"))
			}
			return nil
		})
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("init records: %w", err)
	}
	if !withSearch {
		l := &Local{db: db, changed: make(chan struct{}, 1)}
		return l, nil
	}
	sp := filepath.Join(dir, searchDir)
	idx, err := openSearch(sp)
	var notice string
	if err == nil {
		var version string
		_ = db.View(func(tx *bolt.Tx) error { version = string(tx.Bucket(metaBucket).Get(mappingKey)); return nil })
		if version != searchMapping { // made by an earlier presscrawl
			idx.Close()
			aside := fmt.Sprintf("%s.old-%d", sp, time.Now().Unix())
			if rerr := os.Rename(sp, aside); rerr != nil {
				db.Close()
				return nil, fmt.Errorf("set aside the search index %s: %w", sp, rerr)
			}
			notice = fmt.Sprintf("the search index was made by an earlier presscrawl: set aside as %s and rebuilt from the records", filepath.Base(aside))
			err = bleve.ErrorIndexPathDoesNotExist
		}
	}
	if err != nil && !errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		// The search index is derived from the records: a damaged one (a
		// segment cut short) is set aside and made again from them.
		aside := fmt.Sprintf("%s.damaged-%d", sp, time.Now().Unix())
		if rerr := os.Rename(sp, aside); rerr != nil {
			db.Close()
			return nil, fmt.Errorf("open search index %s: %w (and it could not be set aside: %v)", sp, err, rerr)
		}
		notice = fmt.Sprintf("the search index %s was damaged (%v): set aside as %s and rebuilt from the records", sp, err, filepath.Base(aside))
		err = bleve.ErrorIndexPathDoesNotExist
	}
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		idx, err = bleve.NewUsing(sp, newMapping(), scorch.Name, scorch.Name, scorchConfig())
		if err == nil {
			err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(mappingKey, []byte(searchMapping)) })
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open search index %s: %w", sp, err)
	}
	l := &Local{db: db, search: idx, queue: make(chan *record.Record, 1024), flushed: make(chan struct{}), changed: make(chan struct{}, 1), Notice: notice}
	if err := l.reconcile(); err != nil {
		l.search.Close()
		db.Close()
		return nil, err
	}
	go l.batcher()
	return l, nil
}

// Put stores a record durably; it reaches search within a second (the index
// keeps reading r until then: do not change it). A record
// whose content_hash equals the stored one is not rewritten.
func (l *Local) Put(ctx context.Context, r *record.Record) (PutResult, error) {
	return l.put(ctx, r, false)
}

// PutAll stores records in order in one transaction (reextract's batches):
// what Put does for each, without a commit for each.
func (l *Local) PutAll(ctx context.Context, rs []*record.Record) ([]PutResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vals := make([][]byte, len(rs))
	for i, r := range rs {
		if r.ID == "" {
			return nil, fmt.Errorf("record of %s without id", r.URL)
		}
		v, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
		}
		vals[i] = v
	}
	outs := make([]PutResult, len(rs))
	err := l.db.Update(func(tx *bolt.Tx) error {
		for i, r := range rs {
			res, err := putIn(tx, r, vals[i], false)
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
		if outs[i] != Unchanged {
			if l.search != nil {
				l.queue <- r
			}
			l.signal()
		}
	}
	return outs, nil
}

// PutNew stores a record only when none is stored under its id (Created),
// else writes nothing (Unchanged): how an alias page keeps its article
// until the canonical page's record arrives, which then replaces it.
func (l *Local) PutNew(ctx context.Context, r *record.Record) (PutResult, error) {
	return l.put(ctx, r, true)
}

func (l *Local) put(ctx context.Context, r *record.Record, onlyNew bool) (PutResult, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if r.ID == "" {
		return 0, errors.New("record without id")
	}
	val, err := json.Marshal(r)
	if err != nil {
		return 0, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	var res PutResult
	err = l.db.Batch(func(tx *bolt.Tx) error {
		var err error
		res, err = putIn(tx, r, val, onlyNew)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store record %s: %w", r.ID, err)
	}
	if res != Unchanged {
		if l.search != nil {
			l.queue <- r
		}
		l.signal()
	}
	return res, nil
}

// Count returns the number of stored records.
func (l *Local) Count() (uint64, error) {
	var n int
	err := l.view(func(tx *bolt.Tx) error { n = tx.Bucket(recordsBucket).Stats().KeyN; return nil })
	if err != nil {
		return 0, fmt.Errorf("count records: %w", err)
	}
	return uint64(n), nil
}

// GetPrefix returns the record whose id starts with prefix, or nil; an
// error when several do.
func (l *Local) GetPrefix(prefix string) (*record.Record, error) {
	var found []byte
	var n int
	err := l.view(func(tx *bolt.Tx) error {
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
func (l *Local) Get(id string) (*record.Record, error) {
	var r *record.Record
	err := l.view(func(tx *bolt.Tx) error {
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

// Each calls fn for every record in id order: the order of exports.
func (l *Local) Each(ctx context.Context, fn func(*record.Record) error) error {
	return l.view(func(tx *bolt.Tx) error {
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

// Close flushes the search index and closes both stores.
func (l *Local) Close() error {
	var err error
	l.once.Do(func() {
		if l.search == nil {
			err = l.db.Close()
			return
		}
		close(l.queue)
		<-l.flushed
		l.errMu.Lock()
		err = l.err
		l.errMu.Unlock()
		err = errors.Join(err, l.search.Close(), l.db.Close())
	})
	return err
}

// putIn writes a record in a write transaction, queueing it for delivery,
// and says what it did. Unchanged: the same content read from the same
// address (an alias's record is replaced by its canonical page's).
func putIn(tx *bolt.Tx, r *record.Record, val []byte, onlyNew bool) (PutResult, error) {
	b := tx.Bucket(recordsBucket)
	res := Created
	if old := b.Get([]byte(r.ID)); old != nil {
		var prev struct {
			URL          string `json:"url"`
			CanonicalURL string `json:"canonical_url"`
			ContentHash  string `json:"content_hash"`
		}
		ok := json.Unmarshal(old, &prev) == nil
		if onlyNew || ok && prev.ContentHash == r.ContentHash && prev.URL == r.URL {
			return Unchanged, nil
		}
		res = Updated
		if ok && prev.URL != r.URL && prev.URL != prev.CanonicalURL && r.URL == r.CanonicalURL {
			res = Replaced
		}
	}
	if err := b.Put([]byte(r.ID), val); err != nil {
		return 0, err
	}
	return res, queue(tx, r)
}

// view runs a read transaction; a damaged records.db is an error, not a
// panic.
func (l *Local) view(fn func(*bolt.Tx) error) error {
	return guard(l.db.Path(), func() error { return l.db.View(fn) })
}
