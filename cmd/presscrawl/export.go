package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
}

func newExportCmd(streams IOStreams, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{IO: streams, Open: openReader}
	cmd := &cobra.Command{
		Use:   "export [--data-dir D] [--index local|elasticsearch]",
		Short: "Print every stored record as JSON Lines",
		Long: `Export prints every record of the local index (or the archive, with --index
elasticsearch) as JSON Lines on stdout, in id order, so that the same index
always exports the same bytes:

  presscrawl export > articles.jsonl`,
		Args: cobra.NoArgs,
	}
	addDataDirFlag(cmd.Flags())
	archiveKeys := addArchiveFlags(cmd.Flags(), true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, merge(map[string]string{"data-dir": keyDataDir}, archiveKeys))
		if err != nil {
			return usageError(err)
		}
		opts.Config = conf
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runExport(cmd.Context(), opts)
	}
	return cmd
}

// runExport writes every record as JSON Lines, in id order.
func runExport(ctx context.Context, opts *exportOptions) error {
	store, err := opts.Open(ctx, opts.Config)
	if err != nil {
		return err
	}
	defer store.Close()
	if msg := store.Repaired(); msg != "" {
		fmt.Fprintf(opts.IO.ErrOut, "presscrawl: %s\n", msg)
	}
	out := index.NewJSONLines(opts.IO.Out)
	if err := store.Each(ctx, "", func(r *record.Record) error { return out.Write(r) }); err != nil {
		return failure(err)
	}
	if err := out.Flush(); err != nil {
		return failure(err)
	}
	return nil
}

// openExisting opens, with open (index.OpenLocal, index.OpenOutbox), the
// data directory a crawl made, and refuses a directory that holds none.
func openExisting(dir string, open func(string) (*index.Local, error)) (*index.Local, error) {
	if _, err := os.Stat(filepath.Join(dir, "records.db")); err != nil {
		return nil, fmt.Errorf("%s holds no index (run presscrawl crawl first, or give --data-dir)", dir)
	}
	return open(dir)
}
