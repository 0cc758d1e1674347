package record

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// IDForURL is the id of the record of the page at a canonical URL: the
// SHA-256 of the URL, hex. Whatever address a page was fetched from, its
// record is filed under its canonical page's id.
func IDForURL(canonicalURL string) string {
	sum := sha256.Sum256([]byte(canonicalURL))
	return hex.EncodeToString(sum[:])
}

// Columns are the record's fields as the columns of an export, in order;
// html is exported only when asked for by name.
var Columns = []string{"id", "url", "canonical_url", "title", "published_at", "modified_at", "date_source", "language",
	"site_name", "section", "authors", "tags", "word_count", "description", "text", "image", "fetched_at", "is_article",
	"content_hash", "extractor", "warc_file", "warc_record_id", "archived_at", "archive_url", "story_id", "wire", "version", "versions", "first_fetched_at", "text_source", "access", "images", "links", "html"}

// DefaultColumns are the columns of an export that names none: all but
// html.
func DefaultColumns() []string { return Columns[:len(Columns)-1] }

// Column is one field of a record as a CSV/TSV cell: lists joined with
// "; ", times as in the JSON record, "" for a field that is not one.
func (r *Record) Column(name string) string {
	ts := func(t *Timestamp) string {
		if t == nil {
			return ""
		}
		return t.String()
	}
	switch name {
	case "id":
		return r.ID
	case "url":
		return r.URL
	case "canonical_url":
		return r.CanonicalURL
	case "title":
		return r.Title
	case "published_at":
		return ts(r.PublishedAt)
	case "modified_at":
		return ts(r.ModifiedAt)
	case "date_source":
		return string(r.DateSource)
	case "text_source":
		return string(r.TextSource)
	case "access":
		return string(r.Access)
	case "images": // their addresses, in order
		srcs := make([]string, len(r.Images))
		for i, im := range r.Images {
			srcs[i] = im.Src
		}
		return strings.Join(srcs, "; ")
	case "links": // their addresses, in order
		hrefs := make([]string, len(r.Links))
		for i, l := range r.Links {
			hrefs[i] = l.Href
		}
		return strings.Join(hrefs, "; ")
	case "language":
		return r.Language
	case "site_name":
		return r.SiteName
	case "section":
		return r.Section
	case "authors":
		return strings.Join(r.Authors, "; ")
	case "tags":
		return strings.Join(r.Tags, "; ")
	case "word_count":
		return strconv.Itoa(r.WordCount)
	case "description":
		return r.Description
	case "text":
		return r.Text
	case "image":
		return r.Image
	case "fetched_at":
		if r.FetchedAt == nil {
			return ""
		}
		return r.FetchedAt.Format(time.RFC3339Nano) // as in the JSON record
	case "is_article":
		return strconv.FormatBool(r.IsArticle)
	case "content_hash":
		return r.ContentHash
	case "extractor":
		return r.Extractor
	case "warc_file":
		return r.WARCFile
	case "warc_record_id":
		return r.WARCRecordID
	case "archived_at":
		if r.ArchivedAt == nil {
			return ""
		}
		return r.ArchivedAt.Format(time.RFC3339Nano)
	case "archive_url":
		return r.ArchiveURL
	case "story_id":
		return r.StoryID
	case "wire":
		return r.Wire
	case "version":
		return strconv.Itoa(max(r.Version, 1))
	case "versions":
		return strconv.Itoa(max(r.Versions, 1))
	case "first_fetched_at":
		if r.FirstFetchedAt == nil {
			return r.Column("fetched_at")
		}
		return r.FirstFetchedAt.Format(time.RFC3339Nano)
	case "html":
		return r.HTML
	}
	return ""
}
