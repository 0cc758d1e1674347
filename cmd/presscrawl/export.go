package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

func newExportCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export [--data-dir D]",
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
		store, err := openReader(cmd, conf)
		if err != nil {
			return err
		}
		defer store.Close()
		out := index.NewJSONLines(streams.Out)
		if err := store.Each(cmd.Context(), "", func(r *record.Record) error { return out.Write(r) }); err != nil {
			return failure(err)
		}
		if err := out.Flush(); err != nil {
			return failure(err)
		}
		return nil
	}
	return cmd
}

// openExisting opens the local index of a data directory that a crawl made.
func openExisting(dir string) (*index.Local, error) {
	if _, err := os.Stat(filepath.Join(dir, "records.db")); err != nil {
		return nil, fmt.Errorf("%s holds no index (run presscrawl crawl first, or give --data-dir)", dir)
	}
	return index.OpenLocal(dir)
}
