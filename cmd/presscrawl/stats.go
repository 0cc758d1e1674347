package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/facets"
)

func newStatsCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stats [--data-dir D] [--by FIELD] [--top N] [--json] [QUERY...]",
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
	addDataDirFlag(cmd.Flags())
	archiveKeys := addArchiveFlags(cmd.Flags(), true)
	cmd.Flags().String("by", "site", "the field to count by: "+strings.Join(facets.Fields, ", "))
	cmd.Flags().Int("top", 0, "show only the N most frequent values, dates still in time order (0: all)")
	cmd.Flags().Bool("json", false, "print the counts as JSON Lines ({\"value\":...,\"count\":...})")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, merge(map[string]string{"data-dir": keyDataDir}, archiveKeys))
		if err != nil {
			return usageError(err)
		}
		by, _ := cmd.Flags().GetString("by")
		top, _ := cmd.Flags().GetInt("top")
		asJSON, _ := cmd.Flags().GetBool("json")
		if _, err := facets.New(by); err != nil {
			return usageError(fmt.Errorf("--by: %w", err))
		}
		store, err := openReader(cmd, conf)
		if err != nil {
			return err
		}
		defer store.Close()
		counts, records, err := store.Counts(cmd.Context(), by, strings.Join(args, " "), top)
		if err != nil {
			return searchError(err)
		}
		defer fmt.Fprintf(streams.ErrOut, "%d records, %d values of %s shown\n", records, len(counts), by)
		if asJSON {
			enc := json.NewEncoder(streams.Out)
			enc.SetEscapeHTML(false)
			for _, c := range counts {
				if err := enc.Encode(c); err != nil {
					return failure(fmt.Errorf("write: %w", err))
				}
			}
			return nil
		}
		tw := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "RECORDS\t%s\n", strings.ToUpper(by))
		for _, c := range counts {
			fmt.Fprintf(tw, "%d\t%s\n", c.Count, c.Value)
		}
		if err := tw.Flush(); err != nil {
			return failure(fmt.Errorf("write: %w", err))
		}
		return nil
	}
	return cmd
}
