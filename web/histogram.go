package web

import (
	"fmt"
	"time"

	"github.com/presscrawl/presscrawl/facets"
)

// bucket is one bar of the date histogram: the records published from
// Since to Until (both included).
type bucket struct {
	Label        string
	Since, Until string
	Count        int
	// the bar's drawing, in the SVG's units
	X, Y, W, H int
	Link       string
}

// histogram is the date histogram of a search.
type histogram struct {
	Interval string // day, week or month
	Buckets  []bucket
	Max      int
	Width    int
	Height   int
	Undated  int
	Total    int // dated records
}

const (
	histWidth  = 720
	histHeight = 120
	maxBars    = 400
)

// newHistogram folds the counts by day into bars by interval ("": day
// for up to 92 days, week up to two years, month beyond), every bar of the
// span drawn, empty ones too; link gives each bar's address.
func newHistogram(days []facets.Count, interval string, link func(since, until string) string) *histogram {
	h := &histogram{Width: histWidth, Height: histHeight}
	var first, last time.Time
	byDay := map[time.Time]int{}
	for _, c := range days {
		if c.Value == facets.NoValue {
			h.Undated = c.Count
			continue
		}
		d, err := time.Parse("2006-01-02", c.Value)
		if err != nil {
			continue
		}
		byDay[d] += c.Count
		h.Total += c.Count
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	if len(byDay) == 0 {
		return h
	}
	span := last.Sub(first).Hours() / 24
	if interval == "" {
		switch {
		case span <= 92:
			interval = "day"
		case span <= 731:
			interval = "week"
		default:
			interval = "month"
		}
	}
	// too many bars for the width: the next coarser interval
	if interval == "day" && span > maxBars {
		interval = "week"
	}
	if interval == "week" && span/7 > maxBars {
		interval = "month"
	}
	h.Interval = interval
	start := func(d time.Time) time.Time {
		switch interval {
		case "week": // ISO weeks, from Monday
			return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
		case "month":
			return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
		return d
	}
	next := func(d time.Time) time.Time {
		switch interval {
		case "week":
			return d.AddDate(0, 0, 7)
		case "month":
			return d.AddDate(0, 1, 0)
		}
		return d.AddDate(0, 0, 1)
	}
	counts := map[time.Time]int{}
	for d, n := range byDay {
		counts[start(d)] += n
	}
	for b := start(first); !b.After(last); b = next(b) {
		until := next(b).AddDate(0, 0, -1)
		label := b.Format("2006-01-02")
		switch interval {
		case "week":
			y, w := b.ISOWeek()
			label = fmt.Sprintf("%d-W%02d (from %s)", y, w, b.Format("2 Jan"))
		case "month":
			label = b.Format("January 2006")
		}
		s, u := b.Format("2006-01-02"), until.Format("2006-01-02")
		h.Buckets = append(h.Buckets, bucket{Label: label, Since: s, Until: u, Count: counts[b], Link: link(s, u)})
		h.Max = max(h.Max, counts[b])
	}
	bw := max(h.Width/len(h.Buckets), 1)
	h.Width = bw * len(h.Buckets)
	for i := range h.Buckets {
		b := &h.Buckets[i]
		b.X, b.W = i*bw, max(bw-1, 1)
		if h.Max > 0 {
			b.H = b.Count * (h.Height - 2) / h.Max
			if b.Count > 0 {
				b.H = max(b.H, 2)
			}
		}
		b.Y = h.Height - b.H
	}
	return h
}
