package index

import (
	"bufio"
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
