package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
)

func newStatsCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stats [--data-dir D] [--by FIELD] [--top N] [--json] [QUERY...]",
		Short: "Count the local index's records by site, language, author, day, month...",
		Long: `Stats counts the records of the local index, or those a query finds (the
syntax of search), by one field: site, language, author, section, tag, or the
publication day, month or year. Dates come in time order, the others most
frequent first; records without the field are counted as (none):

  presscrawl stats --by month
  presscrawl stats --by site --top 20 language:ar
  presscrawl stats --by day --json '"climate change"'`,
	}
	cmd.Flags().String("data-dir", "", "the data directory of the crawl (default ./presscrawl-data)")
	cmd.Flags().String("by", "site", "the field to count by: "+strings.Join(facets.Fields, ", "))
	cmd.Flags().Int("top", 0, "show only the N most frequent values, dates still in time order (0: all)")
	cmd.Flags().Bool("json", false, "print the counts as JSON Lines ({\"value\":...,\"count\":...})")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		v, err := loadConfig(cmd, map[string]string{"data-dir": keyDataDir})
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		by, _ := cmd.Flags().GetString("by")
		top, _ := cmd.Flags().GetInt("top")
		asJSON, _ := cmd.Flags().GetBool("json")
		counter, err := facets.New(by)
		if err != nil {
			return &exitError{code: exitUsage, err: fmt.Errorf("--by: %w", err)}
		}
		store, err := openExisting(v.GetString(keyDataDir))
		if err != nil {
			return &exitError{code: exitFail, err: err}
		}
		defer store.Close()
		if len(args) == 0 {
			err = store.Each(cmd.Context(), func(r *record.Record) error { counter.Add(r); return nil })
		} else {
			err = countMatches(cmd, store, strings.Join(args, " "), counter)
		}
		if err != nil {
			return err
		}
		counts := counter.Counts(top)
		defer fmt.Fprintf(streams.ErrOut, "%d records, %d values of %s shown\n", counter.Records(), len(counts), by)
		if asJSON {
			enc := json.NewEncoder(streams.Out)
			enc.SetEscapeHTML(false)
			for _, c := range counts {
				if err := enc.Encode(c); err != nil {
					return &exitError{code: exitFail, err: fmt.Errorf("write: %w", err)}
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
			return &exitError{code: exitFail, err: fmt.Errorf("write: %w", err)}
		}
		return nil
	}
	return cmd
}

// countMatches adds every record the query finds.
func countMatches(cmd *cobra.Command, store *index.Local, query string, counter *facets.Counter) error {
	n, err := store.Count()
	if err != nil {
		return &exitError{code: exitFail, err: err}
	}
	hits, _, err := store.Search(cmd.Context(), query, int(n))
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	for _, h := range hits {
		counter.Add(h.Record)
	}
	return nil
}
