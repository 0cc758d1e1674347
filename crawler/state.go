package crawler

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// State is a crawl's progress on disk, so that an interrupted crawl resumes
// where it stopped: the URLs finished (by dedup key) and the frontier of
// URLs queued but not finished (with their depth).
type State struct {
	db *bolt.DB
}

var (
	doneBucket     = []byte("done")
	frontierBucket = []byte("frontier")
	metaBucket     = []byte("meta")
	statusKey      = []byte("status")
)

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
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("data dir %s is in use by another presscrawl process", dir)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.MaxBatchDelay = 2 * time.Millisecond // pages settle every few ms, not every 10
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{doneBucket, frontierBucket, metaBucket} {
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
	return &State{db: db}, nil
}

// Close closes the state file.
func (s *State) Close() error { return s.db.Close() }

// begin starts a run. After an interrupted run it returns the finished keys
// and the frontier to resume from; after a complete one (or none) it clears
// both, so that a new crawl of the same site revisits every page.
func (s *State) begin() (resumed bool, done map[string]bool, frontier []pending, err error) {
	done = map[string]bool{}
	err = s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(metaBucket)
		if string(meta.Get(statusKey)) == statusRunning {
			resumed = true
			if err := tx.Bucket(doneBucket).ForEach(func(k, _ []byte) error { done[string(k)] = true; return nil }); err != nil {
				return err
			}
			if err := tx.Bucket(frontierBucket).ForEach(func(k, v []byte) error {
				depth, _ := binary.Uvarint(v)
				frontier = append(frontier, pending{url: string(k), depth: int(depth)})
				return nil
			}); err != nil {
				return err
			}
		} else {
			for _, b := range [][]byte{doneBucket, frontierBucket} {
				if err := tx.DeleteBucket(b); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
		}
		return meta.Put(statusKey, []byte(statusRunning))
	})
	if err != nil {
		return false, nil, nil, fmt.Errorf("crawl state: %w", err)
	}
	return resumed, done, frontier, nil
}

// settle records, in one transaction, that a URL needs no more work (under
// its dedup keys; url "" for none) and the new URLs it led to: a page is
// never marked done without the links found on it.
func (s *State) settle(url string, keys []string, add []pending) error {
	if url == "" && len(add) == 0 {
		return nil
	}
	return s.db.Batch(func(tx *bolt.Tx) error {
		front, done := tx.Bucket(frontierBucket), tx.Bucket(doneBucket)
		for _, p := range add {
			if err := front.Put([]byte(p.url), binary.AppendUvarint(nil, uint64(p.depth))); err != nil {
				return err
			}
		}
		if url == "" {
			return nil
		}
		if err := front.Delete([]byte(url)); err != nil {
			return err
		}
		for _, k := range keys {
			if err := done.Put([]byte(k), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// end marks the run complete (the next one starts afresh) unless it was
// interrupted (the next one resumes).
func (s *State) end(interrupted bool) error {
	if interrupted {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(metaBucket).Put(statusKey, []byte(statusComplete)) })
}
