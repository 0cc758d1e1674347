package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esutil"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

// Outbox is the durable queue of records waiting for the archive: the
// local index (local.Records), where every written record is queued in the
// transaction that stores it.
type Outbox interface {
	Pending(ctx context.Context, max int) ([]index.Outgoing, error)
	Delivered(acks map[string]string) error
	Reject(rs []index.Rejection) error
	DeliveryCounts() (pending, rejected int, err error)
	Changed() <-chan struct{}
}

// Deliverer feeds the archive from the outbox with the bulk API: the
// records are safe in the data dir whatever the archive does, and each
// leaves the outbox only when the archive acknowledged it (document _id =
// record id, so a record delivered twice is stored once). A record the
// archive refuses for good (a mapping error) goes to the dead-letter file,
// with the reason; throttling (429) and outages are waited out.
type Deliverer struct {
	// Client is the archive; when nil, Connect makes it at the first pass
	// that needs it (an archive that did not answer when the crawl began).
	Client  *Client
	Connect func(ctx context.Context) (*Client, error)
	// Target names the archive in messages while there is no Client.
	Target string
	Outbox Outbox
	// DeadLetter is the JSON Lines file refused records are appended to.
	DeadLetter string
	// Batch is how many records one pass reads from the outbox (default
	// 2,000); the bulk indexer sends them in requests of FlushBytes.
	Batch      int
	Workers    int // bulk requests in flight (default 2)
	FlushBytes int // bytes per bulk request (default 5 MB)
	// MaxBackoff bounds the pause between tries while the archive is
	// unreachable or throttling (default 30s; the first pause is 500 ms).
	MaxBackoff time.Duration
	// Notify receives one line when the archive goes away and one when it
	// is back (nil: silent).
	Notify func(msg string)
	// Patience bounds how long Drain goes on without delivering anything
	// (the archive down or refusing): then it gives up, records left in the
	// outbox. 0: until the context ends. A slow archive that makes progress
	// is waited for however long the queue takes.
	Patience time.Duration

	delivered, rejected atomic.Int64
	mu                  sync.Mutex
	down                bool
}

// Stats counts what this Deliverer did.
type Stats struct {
	Delivered, Rejected int64
}

// Stats reports the counts so far.
func (d *Deliverer) Stats() Stats {
	return Stats{Delivered: d.delivered.Load(), Rejected: d.rejected.Load()}
}

func (d *Deliverer) defaults() {
	if d.Batch <= 0 {
		d.Batch = 2000
	}
	if d.Workers <= 0 {
		d.Workers = 2
	}
	if d.FlushBytes <= 0 {
		d.FlushBytes = 5 << 20
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = 30 * time.Second
	}
}

// Run delivers until ctx ends, waiting for the outbox when it is empty.
func (d *Deliverer) Run(ctx context.Context) error {
	return d.loop(ctx, false)
}

// Drain delivers until the outbox is empty or ctx ends; it returns the
// last failure when records are left.
func (d *Deliverer) Drain(ctx context.Context) error {
	return d.loop(ctx, true)
}

func (d *Deliverer) loop(ctx context.Context, untilEmpty bool) error {
	d.defaults()
	backoff := 500 * time.Millisecond
	var last error
	progress := time.Now()
	for {
		before := d.delivered.Load() + d.rejected.Load()
		n, retry, err := d.pass(ctx)
		if d.delivered.Load()+d.rejected.Load() > before {
			progress = time.Now()
		}
		if untilEmpty && d.Patience > 0 && (err != nil || retry > 0) && time.Since(progress) > d.Patience {
			if err == nil {
				err = fmt.Errorf("%d records throttled or refused for now by %s", retry, d.target())
			}
			return fmt.Errorf("nothing delivered for %v: %w", d.Patience.Round(time.Second), err)
		}
		switch {
		case ctx.Err() != nil:
			if untilEmpty && last != nil {
				return last
			}
			if untilEmpty {
				return ctx.Err()
			}
			return nil
		case err != nil && !errors.Is(err, ErrUnreachable) && statusOf(err) == 0:
			return err // the outbox itself failed: the data dir
		case err != nil || retry > 0:
			if err == nil {
				err = fmt.Errorf("%d records throttled or refused for now by %s", retry, d.target())
			}
			last = err
			d.setDown(true, err)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
			}
			backoff = min(backoff*2, d.MaxBackoff)
			continue
		}
		backoff = 500 * time.Millisecond
		last = nil
		d.setDown(false, nil)
		if n > 0 {
			continue
		}
		if untilEmpty {
			return nil
		}
		select {
		case <-d.Outbox.Changed():
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
	}
}

func (d *Deliverer) setDown(down bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if down == d.down {
		return
	}
	d.down = down
	if d.Notify == nil {
		return
	}
	if down {
		d.Notify(fmt.Sprintf("archive %s: %v; records are kept in the data dir and delivered when it answers", d.target(), err))
	} else {
		d.Notify(fmt.Sprintf("archive %s answers again: delivering", d.target()))
	}
}

func (d *Deliverer) target() string {
	if d.Client != nil {
		return d.Client.URL()
	}
	return d.Target
}

// pass delivers one batch from the outbox: how many records it read, how
// many are to be tried again, and a failure to reach the archive.
func (d *Deliverer) pass(ctx context.Context) (n, retry int, err error) {
	recs, err := d.Outbox.Pending(ctx, d.Batch)
	if err != nil || len(recs) == 0 {
		return 0, 0, err
	}
	if d.Client == nil {
		if d.Connect == nil {
			return 0, 0, errors.New("deliverer without a client")
		}
		c, err := d.Connect(ctx)
		if err != nil {
			return 0, 0, err
		}
		d.Client = c
	}
	var mu sync.Mutex
	acks := make(map[string]string, len(recs))
	var rejects []index.Rejection
	var transportErr error
	bi, err := esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		Client: d.Client.Transport(), Index: d.Client.Index(), NumWorkers: d.Workers, FlushBytes: d.FlushBytes,
		FlushInterval: time.Hour, // Close flushes
		OnError: func(_ context.Context, err error) {
			mu.Lock()
			transportErr = err
			mu.Unlock()
		},
	})
	if err != nil {
		return 0, 0, fmt.Errorf("bulk indexer: %w", err)
	}
	// After a rollover (by the user, ILM or ISM) the alias spans several
	// indices and _id is unique per index only: a record delivered again
	// goes to the index that already holds it, never a second copy in the
	// new write index.
	homes, err := d.Client.homes(ctx, recs)
	if err != nil {
		return 0, 0, fmt.Errorf("bulk request to %s: %w: %s", d.Client.URL(), ErrUnreachable, cleanErr(err))
	}
	for _, o := range recs {
		r := o.Record
		body, err := json.Marshal(DocumentOf(r))
		if err != nil {
			return 0, 0, fmt.Errorf("encode record %s: %w", r.ID, err)
		}
		id, hash, url := o.Key(), o.Tag(), r.URL
		target := d.Client.Index()
		if o.Version {
			target = d.Client.VersionsIndex()
		}
		if home, ok := homes[target+"/"+id]; ok {
			target = home
		}
		err = bi.Add(ctx, esutil.BulkIndexerItem{
			Index: target, Action: "index", DocumentID: id, Body: bytes.NewReader(body),
			OnSuccess: func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem) {
				mu.Lock()
				acks[id] = hash
				mu.Unlock()
			},
			OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					transportErr = err
				case res.Status == http.StatusTooManyRequests || res.Status >= 500:
					retry++
				default:
					reason := res.Error.Type + ": " + res.Error.Reason
					if res.Error.Cause.Reason != "" {
						reason += " (" + res.Error.Cause.Reason + ")"
					}
					rejects = append(rejects, index.Rejection{ID: id, URL: url, ContentHash: hash, Status: res.Status, Reason: reason, At: time.Now().UTC()})
				}
			},
		})
		if err != nil {
			break // the context ended: what was added is still flushed
		}
	}
	if err := bi.Close(context.WithoutCancel(ctx)); err != nil && transportErr == nil {
		transportErr = err
	}
	if err := d.deadLetter(rejects); err != nil {
		return 0, 0, err
	}
	if err := d.Outbox.Reject(rejects); err != nil {
		return 0, 0, err
	}
	if err := d.Outbox.Delivered(acks); err != nil {
		return 0, 0, err
	}
	d.delivered.Add(int64(len(acks)))
	d.rejected.Add(int64(len(rejects)))
	if transportErr != nil {
		return len(recs), retry, fmt.Errorf("bulk request to %s: %w: %s", d.Client.URL(), ErrUnreachable, cleanErr(transportErr))
	}
	return len(recs), retry, nil
}

// deadLetter appends the refused records to the dead-letter file.
func (d *Deliverer) deadLetter(rs []index.Rejection) error {
	if len(rs) == 0 || d.DeadLetter == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(d.DeadLetter), 0o755); err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	f, err := os.OpenFile(d.DeadLetter, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("dead-letter file: %w", err)
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, r := range rs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return fmt.Errorf("dead-letter file %s: %w", d.DeadLetter, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dead-letter file %s: %w", d.DeadLetter, err)
	}
	return nil
}

// Document is what the archive indexes for a record: the record's own
// fields, plus title and text again in text_en or text_ar for records in
// English or Arabic (analysed by that language's analyzer), and the
// publication day.
type Document struct {
	*record.Record
	TextEN string `json:"text_en,omitempty"`
	TextAR string `json:"text_ar,omitempty"`
	// PublishedDay is the publication day as the page gives it (its own
	// time zone), for counts by day, month and year.
	PublishedDay string `json:"published_day,omitempty"`
}

// DocumentOf builds the archive's document of a record.
func DocumentOf(r *record.Record) Document {
	d := Document{Record: r}
	if r.PublishedAt != nil {
		d.PublishedDay = r.PublishedAt.Time.Format(record.DayLayout)
	}
	switch r.Language {
	case "en":
		d.TextEN = r.Title + "\n\n" + r.Text
	case "ar":
		d.TextAR = r.Title + "\n\n" + r.Text
	}
	return d
}
