package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/record"
)

// Reader is the read side of an index: the local one, the archive, or a
// data dir read through the crawl holding it. Every method gives up when
// ctx ends.
type Reader interface {
	// Get is the record with id, or nil.
	Get(ctx context.Context, id string) (*record.Record, error)
	// GetPrefix is the one record whose id starts with prefix, or nil; an
	// error when several do.
	GetPrefix(ctx context.Context, prefix string) (*record.Record, error)
	// SearchWith runs a query (words, "phrases", AND, OR, NOT, +must,
	// -not, field:value, ranges) and returns a page of hits, best first or
	// in the order asked, with the number of matches.
	SearchWith(ctx context.Context, query string, o SearchOptions) ([]Hit, uint64, error)
	// Each calls fn for every record the query finds ("": every record),
	// in id order, streaming: memory does not grow with the matches.
	Each(ctx context.Context, query string, fn func(*record.Record) error) error
	// Counts counts the records a query finds by a field (facets.Fields),
	// the top values first, with the number of records counted.
	Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error)
	// Versions are every version kept of the record with id, oldest first,
	// the current one last; nil when there is no such record.
	Versions(ctx context.Context, id string) ([]*record.Record, error)
}

// ReadCloser is a Reader to close after use.
type ReadCloser interface {
	Reader
	io.Closer
}

// ErrBadQuery is a query the index cannot read (a syntax error, a field
// of the wrong type).
var ErrBadQuery = errors.New("bad query")

// Hit is one search result.
type Hit struct {
	Record *record.Record
	Score  float64
}

// SearchOptions page, order and bound a search.
type SearchOptions struct {
	Limit  int    // records to return
	Offset int    // records to pass over first
	Sort   string // "" or "relevance" (best first), "date" (oldest first), "-date" (newest first)
	// Since and Until bound the publication day (YYYY-MM-DD, both
	// included); records without a date are then left out.
	Since, Until string
}

const dayLayout = "2006-01-02"

// Check refuses an order, a date or a page that cannot be.
func (o SearchOptions) Check() error {
	switch o.Sort {
	case "", "relevance", "date", "-date":
	default:
		return fmt.Errorf("%w: sort %q: want relevance, date or -date", ErrBadQuery, o.Sort)
	}
	for _, d := range []string{o.Since, o.Until} {
		if _, err := time.Parse(dayLayout, d); d != "" && err != nil {
			return fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrBadQuery, d)
		}
	}
	if o.Limit < 1 || o.Offset < 0 {
		return fmt.Errorf("%w: limit %d, offset %d", ErrBadQuery, o.Limit, o.Offset)
	}
	return nil
}

// Query is the query with the date range added as required clauses (the
// syntax both the local index and the archive read).
func (o SearchOptions) Query(q string) string {
	if o.Since != "" {
		q += ` +published_at:>="` + o.Since + `"`
	}
	if o.Until != "" {
		next, _ := time.Parse(dayLayout, o.Until)
		q += ` +published_at:<"` + next.AddDate(0, 0, 1).Format(dayLayout) + `"`
	}
	return strings.TrimSpace(q)
}

// PutResult says what a store did with a record.
type PutResult int

// The outcomes of a Put.
const (
	Created   PutResult = iota // a new record
	Updated                    // the record's content changed
	Unchanged                  // same content_hash: nothing was written
	// Replaced: the record had been stored from an alias page (an AMP copy
	// standing in for its canonical page) and now comes from the canonical
	// page itself: the same article, so not counted as stored twice.
	Replaced
	// Revised: the words of the record changed (title, text, authors or
	// publication date): the record is its new version and the earlier one
	// is kept.
	Revised
)

// Outgoing is a document waiting for the archive: a record, or an earlier
// version of one (for the archive's companion index of versions).
type Outgoing struct {
	Record *record.Record
	// Version: Record is an earlier version (Record.Version says which),
	// delivered under VersionID.
	Version bool
}

// Key is the outbox's and the archive's id of the document.
func (o Outgoing) Key() string {
	if o.Version {
		return VersionID(o.Record.ID, o.Record.Version)
	}
	return o.Record.ID
}

// Tag is what the outbox holds for the document and what the archive's
// acknowledgement must match to take it off: its content hash, with the
// version number after an edit (a headline edit keeps the text's hash).
func (o Outgoing) Tag() string { return DeliveryTag(o.Record) }

// DeliveryTag is a record's Tag.
func DeliveryTag(r *record.Record) string {
	if r.Version > 1 {
		return fmt.Sprintf("%s/v%d", r.ContentHash, r.Version)
	}
	return r.ContentHash
}

// VersionID is the id of version n of record id: "<id>-v<n>".
func VersionID(id string, n int) string { return fmt.Sprintf("%s-v%d", id, n) }

// Rejection is why the archive refused a record for good.
type Rejection struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	ContentHash string    `json:"content_hash"`
	Status      int       `json:"status"`
	Reason      string    `json:"reason"`
	At          time.Time `json:"at"`
}

// Bounds of a query: a researcher's queries are far below them; a query
// past them (pasted text, a generated monster, a hostile caller of a live
// crawl's socket) would cost seconds and hundreds of MB of the process
// that runs it.
const (
	MaxQueryBytes = 4096
	MaxQueryTerms = 128
	// MaxWildcards bounds the * and ? of a query outside quotes: each is
	// an automaton walked over the whole term dictionary
	// (text:*a*a*a... took 16 s and 264 MB).
	MaxWildcards = 4
)

// CheckQuery refuses a query past the bounds, saying which; the caller
// wraps it in ErrBadQuery.
func CheckQuery(q string) error {
	if len(q) > MaxQueryBytes {
		return fmt.Errorf("%d bytes: a query holds at most %d", len(q), MaxQueryBytes)
	}
	terms, wild, quoted, inTerm := 0, 0, false, false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == '*' || r == '?'):
			wild++
		}
		space := r == ' ' || r == '\t' || r == '\n'
		if !space && !inTerm && !quoted {
			terms++
		}
		inTerm = !space || quoted
	}
	if terms > MaxQueryTerms {
		return fmt.Errorf("%d terms: a query holds at most %d", terms, MaxQueryTerms)
	}
	if wild > MaxWildcards {
		return fmt.Errorf("%d wildcards (* or ?): a query holds at most %d, each costs a walk of every word indexed", wild, MaxWildcards)
	}
	return nil
}

// ShowQuery is a query as an error message quotes it: at most 200 bytes.
func ShowQuery(q string) string {
	if len(q) <= 200 {
		return fmt.Sprintf("%q", q)
	}
	cut := 200
	for cut > 0 && !utf8.RuneStart(q[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", q[:cut], len(q))
}

// SplitTerms splits a query on spaces outside double quotes: its terms,
// phrases whole.
func SplitTerms(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
