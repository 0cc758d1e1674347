package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// openArchiveForCrawl connects to the archive and sets it up before a
// crawl. An archive that does not answer is no reason not to crawl: the
// records wait in the data dir and the deliverer connects when it answers.
// A wrong address, refused credentials or a server too old stop the crawl
// before it starts.
func openArchiveForCrawl(ctx context.Context, conf config.Config, streams IOStreams) (*elastic.Client, error) {
	c, err := openArchive(ctx, conf)
	if errors.Is(err, elastic.ErrUnreachable) {
		streams.Notice("%v: crawling into the data dir all the same; records are delivered when the archive answers", err)
		return nil, nil
	}
	if err != nil {
		return nil, failure(err)
	}
	streams.Notice("archive: %s", archiveName(c))
	return c, nil
}

// delivery runs a crawl's deliverer beside the crawl.
type delivery struct {
	conf    config.Config
	d       *elastic.Deliverer
	outbox  deliveryCounter
	streams IOStreams
	start   time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	runErr  error
}

// deliveryCounter counts what waits for delivery and what was refused.
type deliveryCounter interface {
	DeliveryCounts() (pending, rejected int, err error)
}

// startDelivery starts delivering the data dir's outbox while the crawl
// runs (nothing when the crawl does not go to the archive). The archive
// refreshes every 30 s during the crawl instead of every second.
func startDelivery(ctx context.Context, conf config.Config, c *elastic.Client, outbox elastic.Outbox, streams IOStreams) *delivery {
	if !toArchive(conf) || !conf.Crawl.Extract {
		return nil
	}
	d := newDeliverer(conf, c, outbox, streams)
	d.Connect = func(ctx context.Context) (*elastic.Client, error) {
		c, err := openArchive(ctx, conf)
		if err == nil {
			streams.Notice("archive: %s", archiveName(c))
		}
		return c, err
	}
	d.Target = urlcanon.Redact(conf.ES.URL)
	// The indices' refresh_interval is the user's: a crawl no more sets it
	// (a killed crawl left 30s behind, and two crawls reset each other's);
	// idle shards skip refreshes on their own ("search idle").
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	dl := &delivery{conf: conf, d: d, outbox: outbox, streams: streams, start: time.Now(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(dl.done)
		dl.runErr = d.Run(runCtx)
	}()
	return dl
}

// finish delivers what is left while the archive takes it (giving up after
// es.wait without progress; 15 s at most after an interruption: the next
// run delivers the rest), refreshes the archive and prints what was
// delivered. Records left undelivered after a complete crawl fail it
// (exit 1), safe in the data dir.
func (dl *delivery) finish(interrupted bool, summary io.Writer) error {
	if dl == nil {
		return nil
	}
	dl.cancel()
	<-dl.done
	if dl.runErr != nil {
		return failure(fmt.Errorf("delivery to the archive: %w", dl.runErr))
	}
	ctx, cancel := context.WithCancel(context.Background())
	if interrupted {
		ctx, cancel = context.WithTimeout(context.Background(), min(dl.conf.ES.Wait, 15*time.Second))
	}
	defer cancel()
	drainErr := dl.d.Drain(ctx)
	if c := dl.d.Client; c != nil {
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		_ = c.Refresh(rctx)
		rcancel()
	}
	err := deliverySummary(summary, dl.d, dl.outbox, dl.conf.DataDir, time.Since(dl.start), drainErr)
	if err != nil && interrupted {
		fmt.Fprintf(summary, "  %v\n", err)
		return nil
	}
	return err
}

// deliveryProgress is the progress line of a delivery: every 10 s.
func deliveryProgress(d *elastic.Deliverer, outbox deliveryCounter) progress {
	return progress{Interval: 10 * time.Second, Line: func() string {
		pending, _, _ := outbox.DeliveryCounts()
		s := d.Stats()
		return fmt.Sprintf("delivered %d, rejected %d, pending %d", s.Delivered, s.Rejected, pending)
	}}
}

// deliverySummary prints what a delivery did, and fails when records are
// left waiting.
func deliverySummary(w io.Writer, d *elastic.Deliverer, outbox deliveryCounter, dir string, took time.Duration, drainErr error) error {
	pending, rejected, err := outbox.DeliveryCounts()
	if err != nil {
		return failure(err)
	}
	s := d.Stats()
	rate := float64(s.Delivered) / max(took.Seconds(), 1e-3)
	fmt.Fprintf(w, "presscrawl: archive: delivered %d, rejected %d, pending %d (%.0f records/s)\n", s.Delivered, s.Rejected, pending, rate)
	if rejected > 0 {
		fmt.Fprintf(w, "  %d records refused by the archive in all: reasons in %s\n", rejected, filepath.Join(dir, deadLetterFile))
	}
	if pending > 0 {
		why := "the archive did not take them in time"
		if drainErr != nil {
			why = drainErr.Error()
		}
		return failure(fmt.Errorf("%d records not delivered (%s); they are safe in %s: run 'presscrawl index push' to deliver them", pending, why, dir))
	}
	return nil
}
