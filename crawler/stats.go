package crawler

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The reasons of the crawler's own that a summary counts and that name a
// setting: the command says them in its flags' words.
const (
	// SeedFilteredOut: the seed is outside the allow and deny patterns,
	// or past the page limit.
	SeedFilteredOut = "filtered out by the allow or deny patterns or the page limit"
	// SkipDatedBeforeSince: a sitemap or feed dates the page before the
	// crawl's since day.
	SkipDatedBeforeSince = "dated before the since day by its sitemap or feed"
	// SkipNotChanged: unchanged since the last crawl by its sitemap or feed
	// date, or fetched within the recrawl interval.
	SkipNotChanged = "not fetched: no change since the last crawl by its sitemap or feed date, or fetched within the recrawl interval"
)

// Stats counts a crawl's progress; safe for concurrent use.
type Stats struct {
	started     time.Time
	fetched     atomic.Int64
	stored      atomic.Int64
	revised     atomic.Int64 // stored as new versions of edited articles
	rendered    atomic.Int64 // rendered in a browser
	unchanged   atomic.Int64
	notModified atomic.Int64 // 304 answers to conditional requests
	queued      atomic.Int64 // in the frontier now

	mu      sync.Mutex
	skipped map[string]int64
	errors  map[string]int64
}

func newStats() *Stats {
	return &Stats{started: time.Now(), skipped: map[string]int64{}, errors: map[string]int64{}}
}

func (s *Stats) skip(reason string) {
	s.mu.Lock()
	s.skipped[reason]++
	s.mu.Unlock()
}

func (s *Stats) fail(reason string) {
	s.mu.Lock()
	s.errors[reason]++
	s.mu.Unlock()
}

// Count is one reason and how often it occurred.
type Count struct {
	Reason string `json:"reason"`
	N      int64  `json:"n"`
}

// Snapshot is the state of a crawl at one moment.
type Snapshot struct {
	Fetched     int64         `json:"fetched"`
	Stored      int64         `json:"stored"`
	NewVersions int64         `json:"new_versions"` // of the stored, edits kept as new versions
	Rendered    int64         `json:"rendered"`     // pages rendered in a browser (--render)
	Unchanged   int64         `json:"unchanged"`
	NotModified int64         `json:"not_modified"`
	Queued      int64         `json:"queued"`
	Skipped     []Count       `json:"skipped"`
	Errors      []Count       `json:"errors"`
	Elapsed     time.Duration `json:"elapsed_ns"`
	// Seeds says, seed by seed, whether it was fetched this run.
	Seeds []SeedOutcome `json:"seeds"`
}

// Total sums counts.
func Total(cs []Count) int64 {
	var n int64
	for _, c := range cs {
		n += c.N
	}
	return n
}

// PagesPerSecond is the fetch rate over the whole run.
func (s Snapshot) PagesPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Fetched) / s.Elapsed.Seconds()
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{
		Fetched: s.fetched.Load(), Stored: s.stored.Load(), NewVersions: s.revised.Load(), Rendered: s.rendered.Load(), Unchanged: s.unchanged.Load(), NotModified: s.notModified.Load(), Queued: s.queued.Load(),
		Skipped: sorted(s.skipped), Errors: sorted(s.errors), Elapsed: time.Since(s.started),
	}
}

func sorted(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}
