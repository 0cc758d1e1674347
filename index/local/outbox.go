package local

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

// The delivery outbox: every record written (created or changed) is queued
// for the archive in the same transaction that stores it, so a record is
// delivered at least once whatever stops the process, and the archive's
// document id (the record id) makes a second delivery a no-op. A record
// the archive refuses for good is moved to the rejected bucket with the
// reason.
var (
	outboxBucket   = []byte("outbox")   // id -> content_hash queued
	rejectedBucket = []byte("rejected") // id -> index.Rejection (JSON)
)

// queue puts a written record in the outbox (inside Put's transaction).
func queue(tx *bolt.Tx, r *record.Record) error {
	if err := tx.Bucket(rejectedBucket).Delete([]byte(r.ID)); err != nil {
		return err
	}
	return tx.Bucket(outboxBucket).Put([]byte(r.ID), []byte(index.DeliveryTag(r)))
}

// Changed is signalled (without blocking, coalesced) after a record joins
// the outbox, for a deliverer waiting on an empty one.
func (l *Outbox) Changed() <-chan struct{} { return l.st.changed }

// Pending returns up to max documents waiting for delivery: records in
// id order, then earlier versions in id and version order.
func (l *Outbox) Pending(ctx context.Context, max int) ([]index.Outgoing, error) {
	var out []index.Outgoing
	err := l.st.view(func(tx *bolt.Tx) error {
		recs := tx.Bucket(recordsBucket)
		c := tx.Bucket(outboxBucket).Cursor()
		for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			v := recs.Get(k)
			if v == nil {
				continue // removed since; Delivered drops the entry
			}
			r := new(record.Record)
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			out = append(out, index.Outgoing{Record: r})
		}
		vers := tx.Bucket(versionsBucket)
		c = tx.Bucket(versionOutboxBucket).Cursor()
		for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			id, n, ok := splitVersionID(string(k))
			if !ok {
				continue
			}
			v := vers.Get(versionKey(id, n))
			if v == nil {
				continue
			}
			r, err := decodeVersion(k, v)
			if err != nil {
				return err
			}
			out = append(out, index.Outgoing{Record: r, Version: true})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

// splitVersionID reads "<id>-v<n>".
func splitVersionID(key string) (id string, n int, ok bool) {
	i := strings.LastIndex(key, "-v")
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(key[i+2:])
	return key[:i], n, err == nil
}

// outboxOf is the outbox bucket a document's key is queued in.
func outboxOf(tx *bolt.Tx, key string) *bolt.Bucket {
	if _, _, ok := splitVersionID(key); ok {
		return tx.Bucket(versionOutboxBucket)
	}
	return tx.Bucket(outboxBucket)
}

// Delivered removes from the outbox the records the archive acknowledged
// (id -> content hash delivered); an entry re-queued since with other
// content stays.
func (l *Outbox) Delivered(acks map[string]string) error {
	if len(acks) == 0 {
		return nil
	}
	err := l.st.db.Update(func(tx *bolt.Tx) error {
		for id, hash := range acks {
			b := outboxOf(tx, id)
			if v := b.Get([]byte(id)); v != nil && string(v) == hash {
				if err := b.Delete([]byte(id)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// Reject moves refused records from the outbox to the rejected bucket.
func (l *Outbox) Reject(rs []index.Rejection) error {
	if len(rs) == 0 {
		return nil
	}
	err := l.st.db.Update(func(tx *bolt.Tx) error {
		rej := tx.Bucket(rejectedBucket)
		for _, r := range rs {
			out := outboxOf(tx, r.ID)
			if v := out.Get([]byte(r.ID)); v == nil || string(v) != r.ContentHash {
				continue // changed since: the new content gets its own try
			}
			if err := out.Delete([]byte(r.ID)); err != nil {
				return err
			}
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := rej.Put([]byte(r.ID), b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// DeliveryCounts says how many records wait for delivery and how many the
// archive refused.
func (l *Outbox) DeliveryCounts() (pending, rejected int, err error) {
	err = l.st.view(func(tx *bolt.Tx) error {
		pending = tx.Bucket(outboxBucket).Stats().KeyN + tx.Bucket(versionOutboxBucket).Stats().KeyN
		rejected = tx.Bucket(rejectedBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: %w", err)
	}
	return pending, rejected, nil
}

// QueueAll queues every record for delivery again (a new archive, or one
// that lost its data), rejected ones included; it returns how many.
func (l *Outbox) QueueAll(ctx context.Context) (int, error) {
	n := 0
	err := l.st.db.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(outboxBucket)
		if err := tx.DeleteBucket(rejectedBucket); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(rejectedBucket); err != nil {
			return err
		}
		err := tx.Bucket(recordsBucket).ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var h record.Record
			if err := json.Unmarshal(v, &h); err != nil {
				return fmt.Errorf("record %s: %w", k, err)
			}
			n++
			return out.Put(k, []byte(index.DeliveryTag(&h)))
		})
		if err != nil {
			return err
		}
		vout := tx.Bucket(versionOutboxBucket)
		return tx.Bucket(versionsBucket).ForEach(func(k, v []byte) error {
			r, err := decodeVersion(k, v)
			if err != nil {
				return err
			}
			n++
			return vout.Put([]byte(index.VersionID(r.ID, r.Version)), []byte(index.DeliveryTag(r)))
		})
	})
	if err != nil {
		return 0, fmt.Errorf("queue every record: %w", err)
	}
	l.st.signal()
	return n, nil
}

// Rejections calls fn for every refused record.
func (l *Outbox) Rejections(fn func(index.Rejection) error) error {
	return l.st.view(func(tx *bolt.Tx) error {
		return tx.Bucket(rejectedBucket).ForEach(func(_, v []byte) error {
			var r index.Rejection
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			return fn(r)
		})
	})
}

func (s *store) signal() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}
