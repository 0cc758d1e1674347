package crawler

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/presscrawl/presscrawl/internal/datafile"
)

// State is the crawl state of one process, in the data dir (bbolt): only
// what a page in flight needs is in memory, so a crawl of millions of pages
// runs in flat memory.
type State struct {
	db *bolt.DB

	mu       sync.Mutex
	cursors  map[string][]byte // per site: the last queue key handed out
	queued   int64
	inFlight int64
}

var (
	knownBucket = []byte("known")  // dedup key -> nothing: queued or done
	queueBucket = []byte("queue")  // site 0x00 seq(8, big endian) -> entry
	visitBucket = []byte("visits") // dedup key -> last fetch (kept across crawls)
	metaBucket  = []byte("meta")
	statusKey   = []byte("status")
	versionKey  = []byte("version")
	present     = []byte{1} // bbolt's Get cannot tell an empty value from none
)

// stateVersion changes when the layout does: a running crawl of another
// layout cannot be resumed.
const stateVersion = "3"

// Crawl statuses kept in the state.
const (
	statusRunning  = "running"
	statusComplete = "complete"
)

// OpenState opens the crawl state in dir (created if needed).
func OpenState(dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, "crawl-state.db")
	if err := datafile.Check(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("data dir %s is in use by another presscrawl process", dir)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.MaxBatchDelay = 2 * time.Millisecond // pages settle every few ms, not every 10
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{knownBucket, queueBucket, visitBucket, metaBucket} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	return &State{db: db, cursors: map[string][]byte{}}, nil
}

// Close closes the state file.
func (s *State) Close() error { return s.db.Close() }

// Begin resumes an interrupted crawl; after a complete one (or none) it
// clears the known set and the queue (not the visits), so that a new crawl
// of the same site revisits every page.
func (s *State) Begin(ctx context.Context) (resumed bool, queued int64, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		if string(meta.Get(statusKey)) == statusRunning {
			if v := string(meta.Get(versionKey)); v != stateVersion {
				return fmt.Errorf("an interrupted crawl of an older presscrawl (state layout %q, this one reads %q) cannot be resumed: delete %s to start afresh",
					v, stateVersion, s.db.Path())
			}
			resumed = true
			queued = int64(tx.Bucket(queueBucket).Stats().KeyN)
		} else {
			for _, b := range [][]byte{knownBucket, queueBucket} {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
		}
		if err := meta.Put(versionKey, []byte(stateVersion)); err != nil {
			return err
		}
		return meta.Put(statusKey, []byte(statusRunning))
	})
	if err != nil {
		return false, 0, fmt.Errorf("crawl state: %w", err)
	}
	s.mu.Lock()
	s.cursors, s.queued, s.inFlight = map[string][]byte{}, queued, 0
	s.mu.Unlock()
	return resumed, queued, nil
}

// Known reports whether the key is queued or done.
func (s *State) Known(_ context.Context, key string) (bool, error) {
	var known bool
	err := s.db.View(func(tx *bolt.Tx) error {
		known = tx.Bucket(knownBucket).Get([]byte(key)) != nil
		return nil
	})
	return known, err
}

// Settle records a finished entry and queues the new ones, in one
// transaction.
func (s *State) Settle(_ context.Context, done *Entry, keys []string, visit *Visit, add []Entry) ([]Entry, error) {
	if done == nil && len(add) == 0 {
		return nil, nil
	}
	var added []Entry
	err := s.db.Batch(func(tx *bolt.Tx) error {
		added = added[:0] // Batch may run this again
		known, queue := tx.Bucket(knownBucket), tx.Bucket(queueBucket)
		// The new keys go into known in sorted order: bbolt inserts into a
		// node's sorted slice within a transaction, so keys in discovery
		// order (a feed of 185,000 items) cost a copy of the node each,
		// quadratic; sorted they are appended. The queue keeps discovery
		// order (its keys are sequence numbers).
		fresh := make(map[string]bool, len(add))
		newKeys := make([]string, 0, len(add))
		for _, e := range add {
			if fresh[e.Key] || known.Get([]byte(e.Key)) != nil {
				continue
			}
			fresh[e.Key] = true
			newKeys = append(newKeys, e.Key)
		}
		slices.Sort(newKeys)
		for _, k := range newKeys {
			if err := known.Put([]byte(k), present); err != nil {
				return err
			}
		}
		for _, e := range add {
			if !fresh[e.Key] {
				continue
			}
			delete(fresh, e.Key) // the first of several entries with one key is queued
			seq, err := queue.NextSequence()
			if err != nil {
				return err
			}
			ref := binary.BigEndian.AppendUint64(append([]byte(e.Site), 0), seq)
			if err := queue.Put(ref, encodeEntry(e)); err != nil {
				return err
			}
			e.ref = ref
			added = append(added, e)
		}
		if done == nil {
			return nil
		}
		if done.ref != nil {
			if err := queue.Delete(done.ref); err != nil {
				return err
			}
		}
		for _, k := range keys {
			if err := known.Put([]byte(k), present); err != nil {
				return err
			}
		}
		if visit != nil { // under every key: a redirect's target is the same page
			for _, k := range keys {
				if err := tx.Bucket(visitBucket).Put([]byte(k), encodeVisit(*visit)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.queued += int64(len(added))
	if done != nil && done.ref != nil {
		s.queued--
		s.inFlight--
	}
	s.mu.Unlock()
	return added, nil
}

// Next hands out the site's next queued entry; it stays in the queue until
// settled.
func (s *State) Next(_ context.Context, site string) (Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := append([]byte(site), 0)
	var e Entry
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(queueBucket).Cursor()
		var k, v []byte
		if last := s.cursors[site]; last != nil {
			k, v = c.Seek(last)
			if bytes.Equal(k, last) {
				k, v = c.Next()
			}
		} else {
			k, v = c.Seek(prefix)
		}
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return nil
		}
		var err error
		if e, err = decodeEntry(v); err != nil {
			return fmt.Errorf("queue entry %q: %w", k, err)
		}
		e.Site, e.ref, ok = site, bytes.Clone(k), true
		return nil
	})
	if err != nil || !ok {
		return Entry{}, false, err
	}
	s.cursors[site] = e.ref
	s.inFlight++
	return e, true, nil
}

// Return gives back an entry handed out: it stays queued for the next run.
func (s *State) Return(context.Context, Entry) error {
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
	return nil
}

// Remaining counts the queued entries and those handed out.
func (s *State) Remaining(context.Context) (int64, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued - s.inFlight, s.inFlight, nil
}

// LastVisit reads the key's last fetch.
func (s *State) LastVisit(_ context.Context, key string) (Visit, bool, error) {
	var v Visit
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(visitBucket).Get([]byte(key)); b != nil {
			v, ok = decodeVisit(b), true
		}
		return nil
	})
	return v, ok, err
}

// End marks the run complete (the next one starts afresh) unless it was
// interrupted (the next one resumes).
func (s *State) End(_ context.Context, interrupted bool) error {
	if interrupted {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(statusKey, []byte(statusComplete)) })
}

// An entry is stored as depth, key and URL; the site is in the queue key.
func encodeEntry(e Entry) []byte {
	b := binary.AppendUvarint(nil, uint64(e.Depth))
	b = binary.AppendVarint(b, e.LastMod)
	b = binary.AppendUvarint(b, uint64(len(e.Key)))
	b = append(b, e.Key...)
	return append(b, e.URL...)
}

func decodeEntry(b []byte) (Entry, error) {
	depth, n := binary.Uvarint(b)
	if n <= 0 {
		return Entry{}, errors.New("bad depth")
	}
	b = b[n:]
	mod, n := binary.Varint(b)
	if n <= 0 {
		return Entry{}, errors.New("bad lastmod")
	}
	b = b[n:]
	kl, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < kl {
		return Entry{}, errors.New("bad key")
	}
	b = b[n:]
	return Entry{Depth: int(depth), LastMod: mod, Key: string(b[:kl]), URL: string(b[kl:])}, nil
}

// A visit is stored as "unix-seconds\tetag\tlast-modified\tleaf".
func encodeVisit(v Visit) []byte {
	clean := strings.NewReplacer("\t", " ", "\n", " ")
	leaf := 0
	if v.Leaf {
		leaf = 1
	}
	return fmt.Appendf(nil, "%d\t%s\t%s\t%d", v.At.Unix(), clean.Replace(v.ETag), clean.Replace(v.LastModified), leaf)
}

func decodeVisit(b []byte) Visit {
	parts := bytes.SplitN(b, []byte{'\t'}, 4)
	var v Visit
	var sec int64
	fmt.Sscan(string(parts[0]), &sec)
	v.At = time.Unix(sec, 0).UTC()
	if len(parts) == 4 {
		v.ETag, v.LastModified, v.Leaf = string(parts[1]), string(parts[2]), string(parts[3]) == "1"
	}
	return v
}
