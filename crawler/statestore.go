package crawler

import (
	"context"
	"time"
)

// StateStore keeps a crawl's state outside the process, so that memory stays
// flat however large the crawl grows and an interrupted crawl resumes where
// it stopped: the URLs known (queued or done, by dedup key), each site's
// frontier of queued URLs, and each URL's last fetch. OpenState keeps it in
// the data dir (one process); OpenRedisState in Redis, where several
// processes on several machines share one crawl.
type StateStore interface {
	// Begin starts a crawl, or resumes (joins, in Redis) one that is still
	// running. It reports which, and how many URLs are queued.
	Begin(ctx context.Context) (resumed bool, queued int64, err error)
	// Known reports whether a dedup key is queued or done.
	Known(ctx context.Context, key string) (bool, error)
	// Settle records in one atomic step that the entry done (nil for none)
	// needs no more work, under the dedup keys given (with its visit, when
	// fetched), and queues the entries of add whose keys are not yet known.
	// It returns those: a page is never done without the links found on it.
	Settle(ctx context.Context, done *Entry, keys []string, visit *Visit, add []Entry) ([]Entry, error)
	// Next hands this process the next queued entry of a site, which no
	// other process gets; false when the site has none.
	Next(ctx context.Context, site string) (Entry, bool, error)
	// Return gives back an entry handed out but not done (the crawl was
	// interrupted or reached its page limit): it stays queued.
	Return(ctx context.Context, e Entry) error
	// Remaining counts the entries queued and those handed out but not
	// settled, by every process.
	Remaining(ctx context.Context) (queued, inFlight int64, err error)
	// LastVisit is the key's previous fetch, from this crawl or an earlier.
	LastVisit(ctx context.Context, key string) (Visit, bool, error)
	// End closes a run: an interrupted one leaves its entries queued for
	// the next; a complete one makes the next start afresh.
	End(ctx context.Context, interrupted bool) error
	Close() error
}

// Entry is a queued URL.
type Entry struct {
	URL   string
	Key   string // dedup key
	Site  string
	Depth int
	// LastMod is when a sitemap or feed said the page last changed (Unix
	// seconds; 0 when none did).
	LastMod int64
	ref     []byte // the store's own handle on the entry
}

// Visit is what a fetch of a URL leaves for the next crawl: when, and the
// validators for a conditional request.
type Visit struct {
	At           time.Time
	ETag         string
	LastModified string
	// Leaf: the page was stored as a record (an article), not a page that
	// leads to others (home, listing, sitemap, feed).
	Leaf bool
}
