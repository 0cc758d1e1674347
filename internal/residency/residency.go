// Package residency keeps the memory-mapped files of a data directory out
// of the process's resident set. bbolt (records.db, crawl-state.db) and
// bleve (its *.zap segments) read their files through mmap: every page
// they touch stays counted in the process's RSS, so RSS grew with the
// size of the archive although those pages are only file cache. Release
// asks the kernel, every few seconds, to page such mappings out
// (madvise MADV_PAGEOUT): what is touched again is read back from the
// file. Contents are never changed by it (unlike MADV_DONTNEED, it is safe
// even if a range was remapped meanwhile). Linux only; elsewhere it does
// nothing.
package residency

import (
	"context"
	"path/filepath"
	"time"
)

// Release pages out, every period until ctx ends, the shared file mappings
// of files under dir. It returns at once; the returned func stops it.
func Release(ctx context.Context, dir string, period time.Duration) (stop func()) {
	abs, err := filepath.Abs(dir)
	if err != nil || !supported() {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				pageOut(abs)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
