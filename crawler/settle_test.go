package crawler

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A feed of many items is queued in one Settle: each new key once, in
// discovery order, duplicates dropped (run with -v for the time: a feed of
// 185,000 items took 87 s before the keys went in sorted).
func TestSettleManyLinks(t *testing.T) {
	s, err := OpenState(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const n = 150_000
	add := make([]Entry, 0, n+2)
	for i := 0; i < n; i++ {
		k := fmt.Sprintf("news.example/%x/item-%d", (i*7919)%n, i)
		add = append(add, Entry{Key: k, URL: "https://" + k, Site: "news.example"})
	}
	add = append(add, add[0], add[1]) // listed twice
	start := time.Now()
	added, err := s.Settle(ctx, nil, nil, nil, add)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("queued %d links in one Settle in %v", len(added), time.Since(start))
	if len(added) != n {
		t.Fatalf("%d queued, want %d", len(added), n)
	}
	for i := 0; i < 100; i++ {
		if added[i].Key != add[i].Key {
			t.Fatalf("queue order: %d is %s, want %s", i, added[i].Key, add[i].Key)
		}
	}
	again, err := s.Settle(ctx, nil, nil, nil, add[:1000])
	if err != nil || len(again) != 0 {
		t.Errorf("known links queued again: %d %v", len(again), err)
	}
}
