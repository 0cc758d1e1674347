package crawler

import (
	"sync"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// SeedOutcome is what became of one seed in a run: fetched (any answer
// that was read: a page, a 304, a redirect within the site) or why not.
type SeedOutcome struct {
	URL     string `json:"url"` // as given, without userinfo
	Fetched bool   `json:"fetched"`
	// Reason says why it was not fetched: "HTTP 404", "connection
	// refused", "filtered out by the allow or deny patterns"...; empty when
	// fetched, or when an earlier run of the same crawl had done it.
	Reason string `json:"reason,omitempty"`
}

// seedBook follows the seeds of a run by their dedup keys.
type seedBook struct {
	mu    sync.Mutex
	order []string
	byKey map[string]*SeedOutcome
}

func (b *seedBook) add(raw, key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.byKey == nil {
		b.byKey = map[string]*SeedOutcome{}
	}
	if _, ok := b.byKey[key]; !ok {
		b.order = append(b.order, key)
		b.byKey[key] = &SeedOutcome{URL: urlcanon.Redact(raw)}
	}
}

// mark records a seed's outcome (reason "" for fetched); other keys are
// not seeds and are ignored.
func (b *seedBook) mark(key, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.byKey[key]; ok {
		s.Fetched, s.Reason = reason == "", reason
	}
}

func (b *seedBook) outcomes() []SeedOutcome {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]SeedOutcome, 0, len(b.order))
	for _, k := range b.order {
		out = append(out, *b.byKey[k])
	}
	return out
}
