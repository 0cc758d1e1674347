package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/internal/config"
)

// statsOptions are what stats needs.
type statsOptions struct {
	IO     IOStreams
	Config config.Config
	Open   openFunc // the index to read
	By     string
	Top    int
	JSON   bool
	Query  string
}

func newStatsCmd(streams IOStreams, runF func(context.Context, *statsOptions) error) *cobra.Command {
	opts := &statsOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "stats [--data-dir D] [--index local|elasticsearch] [--by FIELD] [--top N] [--json] [QUERY...]",
		Short: "Count the records by site, language, author, day, month...",
		Long: `Stats counts the records of the local index (or the archive, with --index
elasticsearch), or those a query finds (the
syntax of search), by one field: site, language, author, section, tag, or the
publication day, month or year. Dates come in time order, the others most
frequent first; records without the field are counted as (none):

  presscrawl stats --by month
  presscrawl stats --by site --top 20 language:ar
  presscrawl stats --by day --json '"climate change"'`,
	}
	keyed := readFlags(cmd)
	cmd.Flags().StringVar(&opts.By, "by", "site", "the field to count by: "+strings.Join(facets.Fields, ", "))
	cmd.Flags().IntVar(&opts.Top, "top", 0, "show only the N most frequent values, dates still in time order (0: all)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the counts as JSON Lines ({\"value\":...,\"count\":...})")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		if _, err := facets.New(opts.By); err != nil {
			return usageError(fmt.Errorf("--by: %w", err))
		}
		if opts.Top < 0 {
			return usageError(fmt.Errorf("--top %d: 0 (all) or more", opts.Top))
		}
		opts.Config, opts.Query = conf, strings.Join(args, " ")
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runStats(cmd.Context(), opts)
	}
	return cmd
}

// runStats prints the counts: a table, or JSON Lines.
func runStats(ctx context.Context, opts *statsOptions) error {
	store, err := opts.Open(ctx, opts.Config)
	if err != nil {
		return err
	}
	defer store.Close()
	counts, records, err := store.Counts(ctx, opts.By, opts.Query, opts.Top)
	if err != nil {
		return searchError(err)
	}
	defer fmt.Fprintf(opts.IO.ErrOut, "%d records, %d values of %s shown\n", records, len(counts), opts.By)
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		for _, c := range counts {
			if err := enc.Encode(c); err != nil {
				return failure(fmt.Errorf("write: %w", err))
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	if opts.By == "story" {
		// the largest stories first: how many records and sites, the first title
		fmt.Fprintf(tw, "RECORDS\tSITES\tSTORY\tFIRST TITLE\n")
		for _, c := range counts {
			id := c.Value
			if len(id) > 12 && id != facets.NoValue {
				id = id[:12] // enough for show, search story_id:ID... and their id prefixes
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", c.Count, c.Sites, id, oneLine(c.Title))
		}
	} else {
		fmt.Fprintf(tw, "RECORDS\t%s\n", strings.ToUpper(opts.By))
		for _, c := range counts {
			fmt.Fprintf(tw, "%d\t%s\n", c.Count, oneLine(c.Value))
		}
	}
	if err := tw.Flush(); err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	return nil
}
