package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
)

// exportOptions are what export needs.
type exportOptions struct {
	IO     IOStreams
	Config config.Config
	Open   func(context.Context, config.Config) (reader, error)
	Query  string   // "" for every record
	Format string   // jsonl, csv or tsv
	Fields []string // nil: every field (jsonl: the whole record)
	BOM    bool     // a UTF-8 byte-order mark first (Excel)
}

// exportFields are the record's fields in export order; html is exported
// only when asked for by --fields.
var exportFields = []string{"id", "url", "canonical_url", "title", "published_at", "modified_at", "date_source", "language",
	"site_name", "section", "authors", "tags", "word_count", "description", "text", "image", "fetched_at", "is_article",
	"content_hash", "extractor", "warc_file", "warc_record_id", "html"}

func newExportCmd(streams IOStreams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: streams, Open: openReader}
	var fields string
	cmd := &cobra.Command{
		Use:   "export [--data-dir D] [--index local|elasticsearch] [--format jsonl|csv|tsv] [--fields a,b] [QUERY...]",
		Short: "Print the stored records as JSON Lines, CSV or TSV",
		Long: `Export prints every record of the local index (or the archive, with --index
elasticsearch), or those a query finds (the syntax of search), on stdout, in
id order, so that the same index always exports the same bytes:

  presscrawl export > articles.jsonl
  presscrawl export --format csv --bom language:ar > arabic.csv     # Excel, R, pandas, Stata
  presscrawl export --format tsv --fields id,published_at,title,url > index.tsv

CSV and TSV have a header row; lists (authors, tags) are joined with "; ";
text keeps its newlines inside quoted fields, as RFC 4180 says, which pandas,
R (read.csv, readr) and Excel read. --bom writes a UTF-8 byte-order mark
first, for Excel. The fields, in their default order:
  ` + strings.Join(exportFields[:len(exportFields)-1], ", ") + `
and html when named in --fields.`,
	}
	addDataDirFlag(cmd.Flags())
	archiveKeys := addArchiveFlags(cmd.Flags(), true)
	cmd.Flags().StringVar(&opts.Format, "format", "jsonl", "jsonl, csv or tsv")
	cmd.Flags().StringVar(&fields, "fields", "", "the fields to export, in this order, comma-separated (default: all but html)")
	cmd.Flags().BoolVar(&opts.BOM, "bom", false, "start with a UTF-8 byte-order mark (for Excel)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, merge(map[string]string{"data-dir": keyDataDir}, archiveKeys))
		if err != nil {
			return usageError(err)
		}
		switch opts.Format {
		case "jsonl", "json", "csv", "tsv":
		default:
			return usageError(fmt.Errorf("--format %q: want jsonl, csv or tsv", opts.Format))
		}
		if fields != "" {
			for _, f := range strings.Split(fields, ",") {
				f = strings.TrimSpace(f)
				if !slices.Contains(exportFields, f) {
					return usageError(fmt.Errorf("--fields: no field %q (the fields: %s)", f, strings.Join(exportFields, ", ")))
				}
				opts.Fields = append(opts.Fields, f)
			}
		}
		opts.Config, opts.Query = conf, strings.Join(args, " ")
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runExport(cmd.Context(), opts)
	}
	return cmd
}

// runExport writes the records, streaming: memory does not grow with the
// archive. On a terminal, stderr counts them as they go.
func runExport(ctx context.Context, opts *exportOptions) error {
	store, err := openRead(ctx, opts.Open, opts.Config, opts.IO)
	if err != nil {
		return err
	}
	defer store.Close()
	bw := bufio.NewWriterSize(opts.IO.Out, 256<<10)
	if opts.BOM {
		bw.WriteString("\uFEFF")
	}
	var write func(*record.Record) error
	switch opts.Format {
	case "csv", "tsv":
		cw := csv.NewWriter(bw)
		if opts.Format == "tsv" {
			cw.Comma = '\t'
		}
		fields := opts.Fields
		if fields == nil {
			fields = exportFields[:len(exportFields)-1]
		}
		if err := cw.Write(fields); err != nil {
			return failure(fmt.Errorf("write: %w", err))
		}
		row := make([]string, len(fields))
		write = func(r *record.Record) error {
			for i, f := range fields {
				row[i] = fieldValue(r, f)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}
	default:
		if opts.Fields == nil {
			out := index.NewJSONLines(bw)
			write = out.Write
			break
		}
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r *record.Record) error {
			var full map[string]any
			b, _ := json.Marshal(r)
			if err := json.Unmarshal(b, &full); err != nil {
				return err
			}
			// An ordered object: the fields in the order asked.
			var sb strings.Builder
			sb.WriteByte('{')
			for i, f := range opts.Fields {
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
			_, err := bw.WriteString(sb.String())
			return err
		}
	}
	n := 0
	last := time.Now()
	err = store.Each(ctx, opts.Query, func(r *record.Record) error {
		n++
		if opts.IO.ErrTTY && time.Since(last) > 250*time.Millisecond {
			fmt.Fprintf(opts.IO.ErrOut, "\r\x1b[Kexported %d records", n)
			last = time.Now()
		}
		return write(r)
	})
	if opts.IO.ErrTTY {
		fmt.Fprint(opts.IO.ErrOut, "\r\x1b[K")
	}
	if err != nil {
		return searchError(err)
	}
	if err := bw.Flush(); err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	if opts.Query != "" || opts.IO.ErrTTY {
		fmt.Fprintf(opts.IO.ErrOut, "presscrawl: exported %d records\n", n)
	}
	return nil
}

// fieldValue is one field of a record as a CSV/TSV cell.
func fieldValue(r *record.Record, f string) string {
	ts := func(t *record.Timestamp) string {
		if t == nil {
			return ""
		}
		return t.String()
	}
	switch f {
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
	case "html":
		return r.HTML
	}
	return ""
}

// openExisting opens, with open (index.OpenLocal, index.OpenOutbox), the
// data directory a crawl made, and refuses a directory that holds none.
func openExisting(dir string, open func(string) (*index.Local, error)) (*index.Local, error) {
	if _, err := os.Stat(filepath.Join(dir, "records.db")); err != nil {
		return nil, fmt.Errorf("%s holds no index (run presscrawl crawl first, or give --data-dir)", dir)
	}
	return open(dir)
}
