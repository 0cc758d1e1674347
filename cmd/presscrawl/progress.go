package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/presscrawl/presscrawl/crawler"
)

// startProgress shows a crawl's counters on w: a line redrawn in place when
// w is a terminal (live), else a plain line every interval (0: none). The
// returned function stops it and clears the live line.
func startProgress(ctx context.Context, w io.Writer, live bool, interval time.Duration, snap func() crawler.Snapshot) func() {
	if live {
		interval = 250 * time.Millisecond
	}
	if interval <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		said := false
		for {
			select {
			case <-done:
				if live {
					fmt.Fprint(w, "\r\x1b[K")
				}
				return
			case <-t.C:
				s := snap()
				line := fmt.Sprintf("fetched %d  stored %d  queued %d  skipped %d  errors %d  %.1f pages/s",
					s.Fetched, s.Stored, s.Queued, crawler.Total(s.Skipped), crawler.Total(s.Errors), s.PagesPerSecond())
				if ctx.Err() != nil && !said {
					fmt.Fprint(w, "\r\x1b[K")
					fmt.Fprintln(w, "presscrawl: interrupted: finishing the pages in flight (Ctrl-C again to quit at once)")
					said = true
				}
				if live {
					fmt.Fprint(w, "\r\x1b[K"+line)
				} else {
					fmt.Fprintln(w, "presscrawl: "+line)
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
