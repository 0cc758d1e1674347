package index

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/presscrawl/presscrawl/record"
)

// JSONLines writes records as JSON Lines: one object per line, for pandas,
// R and jq.
type JSONLines struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewJSONLines writes to w; call Flush at the end.
func NewJSONLines(w io.Writer) *JSONLines {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONLines{w: bw, enc: enc}
}

// Write appends one record.
func (j *JSONLines) Write(r *record.Record) error {
	if err := j.enc.Encode(r); err != nil {
		return fmt.Errorf("write record %s: %w", r.ID, err)
	}
	return nil
}

// Flush writes out what is buffered.
func (j *JSONLines) Flush() error {
	if err := j.w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// JSONLinesSink is a record store that writes JSON Lines: each record once
// per content, so a page captured twice unchanged is written once (what
// reextract --index jsonl puts its records in).
type JSONLinesSink struct {
	*JSONLines
	seen map[string]string // id -> content hash
}

// NewJSONLinesSink writes to w; call Flush at the end.
func NewJSONLinesSink(w io.Writer) *JSONLinesSink {
	return &JSONLinesSink{JSONLines: NewJSONLines(w), seen: map[string]string{}}
}

// Put writes r unless the same content was written under its id.
func (j *JSONLinesSink) Put(_ context.Context, r *record.Record) (PutResult, error) {
	if j.seen[r.ID] == r.ContentHash {
		return Unchanged, nil
	}
	j.seen[r.ID] = r.ContentHash
	return Created, j.Write(r)
}
