package main

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
)

// exportOptions are what export needs.
type exportOptions struct {
	IO     IOStreams
	Config config.Config
	Open   openFunc // the index to read
	Query  string   // "" for every record
	Format string   // jsonl, csv or tsv
	Fields []string // nil: every field (jsonl: the whole record)
	BOM    bool     // a UTF-8 byte-order mark first (Excel)
	// Formulas: "escape" puts a ' before a cell a spreadsheet would run as
	// a formula (=, +, -, @ first, after any spaces; a tab or carriage
	// return first), "keep" leaves every cell exact; "" escapes with --bom
	// (a file for Excel) and keeps otherwise.
	Formulas string
	// Versions: every version kept, one line each: the current records,
	// then the earlier versions of the edited ones, by id and version.
	Versions bool
}

func newExportCmd(streams IOStreams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: streams, Open: readerOpener(streams)}
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
  ` + strings.Join(record.DefaultColumns(), ", ") + `
and html when named in --fields.`,
	}
	f := readFlags(cmd)
	cmd.Flags().StringVar(&opts.Format, "format", "jsonl", "jsonl, csv or tsv")
	cmd.Flags().StringVar(&fields, "fields", "", "the fields to export, in this order, comma-separated (default: all but html)")
	cmd.Flags().BoolVar(&opts.BOM, "bom", false, "start with a UTF-8 byte-order mark (for Excel); formulas are then escaped unless --formulas keep")
	cmd.Flags().StringVar(&opts.Formulas, "formulas", "", "CSV/TSV cells that a spreadsheet would run as a formula (=, +, -, @ first): escape (a ' before them) or keep (exact); default: escape with --bom, else keep")
	cmd.Flags().BoolVar(&opts.Versions, "versions", false, "every version kept, one line (or row) each with its version: the current records, then the earlier versions by id and version")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, f)
		if err != nil {
			return usageError(err)
		}
		switch opts.Format {
		case "jsonl", "json", "csv", "tsv":
		default:
			return usageError(fmt.Errorf("--format %q: want jsonl, csv or tsv", opts.Format))
		}
		switch opts.Formulas {
		case "":
			opts.Formulas = "keep"
			if opts.BOM {
				opts.Formulas = "escape"
			}
		case "keep", "escape":
		default:
			return usageError(fmt.Errorf("--formulas %q: want escape or keep", opts.Formulas))
		}
		if fields != "" {
			for _, f := range strings.Split(fields, ",") {
				f = strings.TrimSpace(f)
				if !slices.Contains(record.Columns, f) {
					return usageError(fmt.Errorf("--fields: no field %q (the fields: %s)", f, strings.Join(record.Columns, ", ")))
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
	store, err := opts.Open(ctx, opts.Config)
	if err != nil {
		return err
	}
	defer store.Close()
	bw := bufio.NewWriterSize(opts.IO.Out, 256<<10)
	if opts.BOM {
		bw.WriteString("\uFEFF")
	}
	write, err := index.RecordWriter(bw, opts.Format, opts.Fields, opts.Formulas == "escape")
	if err != nil {
		return failure(err)
	}
	var n atomic.Int64
	stop := opts.IO.startProgress(ctx, progress{Live: opts.IO.ErrTTY, Line: func() string { return fmt.Sprintf("exported %d records", n.Load()) }})
	each := func(r *record.Record) error {
		n.Add(1)
		return write(r)
	}
	rest := func() error { return nil }
	if opts.Versions {
		each, rest = everyVersion(ctx, store, each)
	}
	err = store.Each(ctx, opts.Query, each)
	if err == nil {
		err = rest()
	}
	stop()
	if err != nil {
		return searchError(err)
	}
	if err := bw.Flush(); err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	if opts.Query != "" || opts.IO.ErrTTY {
		opts.IO.Notice("exported %d records", n.Load())
	}
	return nil
}

// everyVersion writes the current records as they come and notes the
// edited ones; rest then writes their earlier versions, by id and version
// (no read inside the records' pass: a store may hold its read open).
func everyVersion(ctx context.Context, store index.Reader, fn func(*record.Record) error) (each func(*record.Record) error, rest func() error) {
	var edited []string
	each = func(r *record.Record) error {
		if r.Versions > 1 {
			edited = append(edited, r.ID)
		}
		return fn(r)
	}
	rest = func() error {
		for _, id := range edited {
			vs, err := store.Versions(ctx, id)
			if err != nil {
				return err
			}
			for _, v := range vs[:max(len(vs)-1, 0)] { // the current one is written
				if err := fn(v); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return each, rest
}
