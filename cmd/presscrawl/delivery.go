package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/presscrawl/presscrawl/index"
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
	c, err := connectArchive(ctx, conf)
	if errors.Is(err, elastic.ErrUnreachable) {
		fmt.Fprintf(streams.ErrOut, "presscrawl: %v: crawling into the data dir all the same; records are delivered when the archive answers\n", err)
		return nil, nil
	}
	if err != nil {
		return nil, failure(err)
	}
	if err := c.Setup(ctx); err != nil {
		return nil, failure(err)
	}
	fmt.Fprintf(streams.ErrOut, "presscrawl: archive: %s at %s, alias %s\n", c.Server, c.URL(), c.Index())
	return c, nil
}

// delivery runs a crawl's deliverer beside the crawl.
type delivery struct {
	conf    config.Config
	d       *elastic.Deliverer
	store   *index.Local
	dir     string
	streams IOStreams
	start   time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	runErr  error
}

// startDelivery starts delivering the data dir's outbox while the crawl
// runs (nothing when the crawl does not go to the archive). The archive
// refreshes every 30 s during the crawl instead of every second.
func startDelivery(ctx context.Context, conf config.Config, c *elastic.Client, store *index.Local, dir string, streams IOStreams) *delivery {
	if backend(conf) != "elasticsearch" || !conf.Crawl.Extract {
		return nil
	}
	notify := func(msg string) { fmt.Fprintf(streams.ErrOut, "presscrawl: %s\n", msg) }
	d := newDeliverer(conf, c, store, dir, notify)
	cfg := esConfig(conf)
	d.Connect = func(ctx context.Context) (*elastic.Client, error) {
		c, err := elastic.Connect(ctx, cfg)
		if err == nil {
			err = c.Setup(ctx)
		}
		if err == nil {
			notify(fmt.Sprintf("archive: %s at %s, alias %s", c.Server, c.URL(), c.Index()))
		}
		return c, err
	}
	d.Target = urlcanon.Redact(cfg.URL)
	if c != nil {
		_ = c.SetRefresh(ctx, "30s")
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	dl := &delivery{conf: conf, d: d, store: store, dir: dir, streams: streams, start: time.Now(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(dl.done)
		dl.runErr = d.Run(runCtx)
	}()
	return dl
}

// finish delivers what is left while the archive takes it (giving up after
// es.wait without progress; 15 s at most after an interruption: the next
// run delivers the rest), restores the refresh
// interval and prints what was delivered. Records left undelivered after a
// complete crawl fail it (exit 1), safe in the data dir.
func (dl *delivery) finish(interrupted bool, summary io.Writer) error {
	if dl == nil {
		return nil
	}
	dl.cancel()
	<-dl.done
	if dl.runErr != nil {
		return failure(fmt.Errorf("delivery to the archive: %w", dl.runErr))
	}
	// As long as the archive takes records, the crawl waits for it;
	// es.wait without progress ends the wait (Deliverer.Patience). After an
	// interruption, 15 s at most: the next run delivers the rest.
	ctx, cancel := context.WithCancel(context.Background())
	if interrupted {
		ctx, cancel = context.WithTimeout(context.Background(), min(dl.conf.ES.Wait, 15*time.Second))
	}
	defer cancel()
	drainErr := dl.d.Drain(ctx)
	if c := dl.d.Client; c != nil {
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		_ = c.SetRefresh(rctx, "")
		_ = c.Refresh(rctx)
		rcancel()
	}
	err := deliverySummary(summary, dl.d, dl.store, dl.dir, time.Since(dl.start), drainErr)
	if err != nil && interrupted {
		fmt.Fprintf(summary, "  %v\n", err)
		return nil
	}
	return err
}
