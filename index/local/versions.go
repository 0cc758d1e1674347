package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/versions"
)

// Versions: when the words of a stored record change (versions.Edited),
// the record it replaces is kept in the versions bucket, in the same
// transaction that stores the new one (so a kill between the two cannot
// lose one or keep one twice), and queued for the archive's companion
// index in the version outbox. A version is kept without its html
// (the text, title, authors, dates and provenance are what researchers
// compare), compressed with zstd.
var (
	versionsBucket      = []byte("versions")       // <id>/<n, 8 digits> -> zstd(JSON record)
	versionOutboxBucket = []byte("version_outbox") // <id>-v<n> -> content_hash
)

func versionKey(id string, n int) []byte { return fmt.Appendf(nil, "%s/%08d", id, n) }

var (
	zenc = sync.OnceValue(func() *zstd.Encoder {
		e, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
		return e
	})
	zdec = sync.OnceValue(func() *zstd.Decoder {
		d, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		return d
	})
)

// stampFirst gives a record seen for the first time its version fields.
func stampFirst(r *record.Record) {
	if r.Version == 0 {
		r.Version, r.Versions = 1, 1
	}
	if r.FirstFetchedAt == nil {
		r.FirstFetchedAt = r.FetchedAt
	}
}

// follow gives r, which replaces prev under the same id, its version
// fields, and keeps prev as a version when r is an edit of it. It says
// whether prev was kept.
func follow(tx *bolt.Tx, prev, r *record.Record, mayVersion bool) (bool, error) {
	pv, pvs := max(prev.Version, 1), max(prev.Versions, 1)
	first := prev.FirstFetchedAt
	if first == nil {
		first = prev.FetchedAt
	}
	r.FirstFetchedAt = first
	if !mayVersion || !versions.Edited(prev, r) {
		r.Version, r.Versions = pv, pvs
		return false, nil
	}
	kept := *prev
	kept.HTML = ""
	kept.Version, kept.Versions = pv, pv
	kept.FirstFetchedAt = first
	b, err := json.Marshal(&kept)
	if err != nil {
		return false, fmt.Errorf("encode version %d of %s: %w", pv, prev.ID, err)
	}
	if err := tx.Bucket(versionsBucket).Put(versionKey(prev.ID, pv), zenc().EncodeAll(b, nil)); err != nil {
		return false, err
	}
	if err := tx.Bucket(versionOutboxBucket).Put([]byte(index.VersionID(prev.ID, pv)), []byte(index.DeliveryTag(&kept))); err != nil {
		return false, err
	}
	r.Version, r.Versions = pv+1, pvs+1
	return true, nil
}

// decodeVersion reads a kept version.
func decodeVersion(k, v []byte) (*record.Record, error) {
	b, err := zdec().DecodeAll(v, nil)
	if err != nil {
		return nil, fmt.Errorf("version %s: %w", k, err)
	}
	r := new(record.Record)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("version %s: %w", k, err)
	}
	return r, nil
}

// Versions implements index.Reader: the versions kept of record id,
// oldest first, the current record last; nil when there is none.
func (l *Records) Versions(ctx context.Context, id string) ([]*record.Record, error) {
	cur, err := l.Get(ctx, id)
	if err != nil || cur == nil {
		return nil, err
	}
	var out []*record.Record
	err = l.st.view(func(tx *bolt.Tx) error {
		prefix := []byte(id + "/")
		c := tx.Bucket(versionsBucket).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := decodeVersion(k, v)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", id, err)
	}
	return append(out, cur), nil
}

// EachVersion calls fn for every version kept (not the current records),
// in id and version order: export --versions.
func (l *Records) EachVersion(ctx context.Context, fn func(*record.Record) error) error {
	return l.st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(versionsBucket).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			r, err := decodeVersion(k, v)
			if err != nil {
				return err
			}
			return fn(r)
		})
	})
}

// VersionStats says how many versions are kept and their bytes on disk
// (compressed, keys included).
func (l *Outbox) VersionStats() (n int, bytes int64, err error) {
	err = l.st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(versionsBucket).ForEach(func(k, v []byte) error {
			n++
			bytes += int64(len(k) + len(v))
			return nil
		})
	})
	return n, bytes, err
}
