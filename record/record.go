// Package record holds the article record presscrawl stores: the data type
// every stage shares (extract builds it, index and the archive keep it,
// facets and export read it), with no dependency beyond the standard library.
package record

import (
	"encoding/json"
	"fmt"
	"time"
)

// Record is one page as presscrawl stores it. docs/record.md documents every field.
type Record struct {
	ID           string     `json:"id"`
	URL          string     `json:"url"`
	CanonicalURL string     `json:"canonical_url"`
	Title        string     `json:"title"`
	Text         string     `json:"text"`
	HTML         string     `json:"html,omitempty"`
	Description  string     `json:"description,omitempty"`
	Authors      []string   `json:"authors"`
	PublishedAt  *Timestamp `json:"published_at,omitempty"`
	ModifiedAt   *Timestamp `json:"modified_at,omitempty"`
	Language     string     `json:"language,omitempty"`
	SiteName     string     `json:"site_name,omitempty"`
	Section      string     `json:"section,omitempty"`
	Tags         []string   `json:"tags"`
	Image        string     `json:"image,omitempty"`
	WordCount    int        `json:"word_count"`
	ContentHash  string     `json:"content_hash"`
	IsArticle    bool       `json:"is_article"`
	DateSource   DateSource `json:"date_source,omitempty"`
	// TextSource says where the text came from when not from the page's
	// visible HTML: the page shipped its article as data (TextFromJSONLD...).
	TextSource TextSource `json:"text_source,omitempty"`
	// Access says whether a reader can read the article without paying
	// (AccessFree, AccessPaywall, AccessUnknown).
	Access Access `json:"access,omitempty"`
	// Images are the article's own images, in order; Links the links
	// inside its text. Absent when it has none (and in records stored
	// before they were kept).
	Images    []Image    `json:"images,omitempty"`
	Links     []Link     `json:"links,omitempty"`
	Extractor string     `json:"extractor"`
	FetchedAt *time.Time `json:"fetched_at,omitempty"`
	// Version is which version of the article this is: 1 for the first
	// text seen, then 2, 3... for each edit (a change of the words of the
	// title, the text, the authors or the publication date). Versions is
	// how many are kept, FirstFetchedAt when the first was fetched. Zero in
	// records stored before versions were kept (read as version 1).
	Version        int        `json:"version,omitempty"`
	Versions       int        `json:"versions,omitempty"`
	FirstFetchedAt *time.Time `json:"first_fetched_at,omitempty"`
	// WARCFile and WARCRecordID name the capture the record was extracted
	// from, when the crawl kept one (--warc) or it was re-extracted.
	WARCFile     string `json:"warc_file,omitempty"`
	WARCRecordID string `json:"warc_record_id,omitempty"`
	// ArchivedAt is when a web archive captured the page (the WARC-Date of
	// the record read, the Wayback Machine's capture time): set for records
	// from WARC files (reextract) and from the Wayback Machine (wayback);
	// FetchedAt is then the same instant. ArchiveURL is the capture's
	// address in the archive it came from (wayback).
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	ArchiveURL string     `json:"archive_url,omitempty"`
	// StoryID is the id of the first record stored of the record's story:
	// the group of near-duplicates it belongs to (a wire story republished
	// by several outlets, one article under several addresses); its own id
	// when it is the first, or alone. Set by the data dir when the record
	// is stored.
	StoryID string `json:"story_id,omitempty"`
	// Wire is the news agency the text credits as its source (reuters, ap,
	// afp, dpa, spa ...: stories.Agencies), read from a dateline or a
	// credit line; "" when it credits none.
	Wire string `json:"wire,omitempty"`
	// Copies is how many records of its story a collapsed search found
	// (search --collapse --json); never stored.
	Copies int `json:"copies,omitempty"`
}

// DateSource says where a record's published_at came from.
type DateSource string

// The places a publication date is read from, most trusted first.
const (
	DateFromJSONLD  DateSource = "jsonld"
	DateFromMeta    DateSource = "meta"
	DateFromTime    DateSource = "time"
	DateFromVisible DateSource = "visible"
	DateFromURL     DateSource = "url"
	// DateFromSearch is the last resort: the first date written in the
	// article's text, for an article none of the sources above dates.
	DateFromSearch DateSource = "search"
	// DateFromRule is a date a per-site rule (--rules) selected.
	DateFromRule DateSource = "rule"
)

// TextSource says where a record's text came from, when not from the
// page's visible body ("": the HTML the reader sees).
type TextSource string

// The data a page may carry its article in, looked at when the visible
// body is empty or a stub.
const (
	TextFromJSONLD   TextSource = "jsonld"    // JSON-LD articleBody
	TextFromNextData TextSource = "next_data" // Next.js's __NEXT_DATA__
	TextFromNuxt     TextSource = "nuxt"      // Nuxt's __NUXT_DATA__ or window.__NUXT__
	TextFromApollo   TextSource = "apollo"    // window.__APOLLO_STATE__
	TextFromState    TextSource = "state"     // window.__PRELOADED_STATE__ or __INITIAL_STATE__ (Redux and others)
)

// Image is one of the article's images: its largest source, absolute; its
// alt text, its caption and the photo credit taken out of the caption.
type Image struct {
	Src     string `json:"src"`
	Alt     string `json:"alt,omitempty"`
	Caption string `json:"caption,omitempty"`
	Credit  string `json:"credit,omitempty"`
}

// Link is a link inside the article's text: its absolute address, its
// anchor text, and whether it stays on the article's own site.
type Link struct {
	Href     string `json:"href"`
	Text     string `json:"text,omitempty"`
	Internal bool   `json:"internal"`
}

// Access is whether a reader can read the article without paying.
type Access string

// What a page says or shows of its access.
const (
	AccessFree    Access = "free"    // isAccessibleForFree true, or a full article and no paywall
	AccessPaywall Access = "paywall" // isAccessibleForFree false, or a paywall beside a truncated body
	AccessUnknown Access = "unknown" // neither: a short text, a page that is no article
)

// Timestamp is a point in time as precise as the page states it: a full time
// with the page's UTC offset, or only a calendar day.
type Timestamp struct {
	Time    time.Time
	DayOnly bool
}

// DayLayout is how a day-only timestamp is written.
const DayLayout = "2006-01-02"

// String renders RFC 3339 with the original offset, or YYYY-MM-DD for a day.
func (t Timestamp) String() string {
	if t.DayOnly {
		return t.Time.Format(DayLayout)
	}
	return t.Time.Format(time.RFC3339)
}

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON implements json.Unmarshaler for both renderings.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		*t = Timestamp{Time: v}
		return nil
	}
	v, err := time.Parse(DayLayout, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: neither RFC 3339 nor YYYY-MM-DD", s)
	}
	*t = Timestamp{Time: v, DayOnly: true}
	return nil
}

// After reports whether t lies after ref, allowing for a day-only value
// written in a time zone ahead of ref's (up to UTC+14) and an hour of clock
// skew.
func (t Timestamp) After(ref time.Time) bool {
	if t.DayOnly {
		return t.Time.Format(DayLayout) > ref.UTC().Add(14*time.Hour).Format(DayLayout)
	}
	return t.Time.After(ref.Add(time.Hour)) // an hour of clock skew
}
