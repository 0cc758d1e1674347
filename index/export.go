package index

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/presscrawl/presscrawl/record"
)

// RecordWriter writes records to w in a format: CSV or TSV rows of the
// fields (a header row first, now), or JSON Lines (the whole record, or an
// object of the fields in their order).
func RecordWriter(w *bufio.Writer, format string, fields []string, escape bool) (func(*record.Record) error, error) {
	switch format {
	case "csv", "tsv":
		cw := csv.NewWriter(w)
		if format == "tsv" {
			cw.Comma = '\t'
		}
		if fields == nil {
			fields = record.DefaultColumns()
		}
		if err := cw.Write(fields); err != nil {
			return nil, fmt.Errorf("write: %w", err)
		}
		row := make([]string, len(fields))
		return func(r *record.Record) error {
			for i, f := range fields {
				row[i] = r.Column(f)
				if escape {
					row[i] = Neutralise(row[i])
				}
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}, nil
	}
	if fields == nil {
		return NewJSONLines(w).Write, nil
	}
	return func(r *record.Record) error {
		var full map[string]any
		b, _ := json.Marshal(r)
		if err := json.Unmarshal(b, &full); err != nil {
			return err
		}
		// An ordered object: the fields in the order asked.
		var sb strings.Builder
		sb.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				sb.WriteByte(',')
			}
			k, _ := json.Marshal(f)
			v, _ := json.Marshal(full[f])
			sb.Write(k)
			sb.WriteByte(':')
			sb.Write(v)
		}
		sb.WriteString("}\n")
		_, err := w.WriteString(sb.String())
		return err
	}, nil
}

// Neutralise puts a ' before a cell that a spreadsheet would read as a
// formula (OWASP's CSV injection advice): one whose first character, after
// any spaces, is =, +, - or @, or whose first is a tab or a carriage
// return; also before such a cell that already starts with 's, so that
// Unneutralise gives every cell back exactly. Reading the file back, a
// cell that starts with ' and, past its leading 's, is formula-like loses
// one ' (pandas: .str.replace(r"^'(?='*( *[=+\-@]|[\t\r]))", "",
// regex=True); R: sub("^'(?='*( *[=+@-]|[\t\r]))", "", x, perl = TRUE)).
func Neutralise(cell string) string {
	if FormulaLike(strings.TrimLeft(cell, "'")) {
		return "'" + cell
	}
	return cell
}

// FormulaLike is a cell a spreadsheet runs as a formula.
func FormulaLike(cell string) bool {
	if cell == "" {
		return false
	}
	if cell[0] == '\t' || cell[0] == '\r' {
		return true
	}
	rest := strings.TrimLeft(cell, " ")
	return rest != "" && strings.ContainsRune("=+-@", rune(rest[0]))
}

// Unneutralise is the cell Neutralise was given.
func Unneutralise(cell string) string {
	if strings.HasPrefix(cell, "'") && FormulaLike(strings.TrimLeft(cell, "'")) {
		return cell[1:]
	}
	return cell
}
