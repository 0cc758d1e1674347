package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
)

func newSearchCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search [--data-dir D] [--limit N] [--json] QUERY...",
		Short: "Search the local index or the archive",
		Long: `Search finds records in the local index (or the archive, with --index
elasticsearch), best first. The query may hold
words, "exact phrases", AND / OR / NOT, and fields:

  language:ar   site_name:"Arab Press"   section:Politics   tags:Iran
  published_at:>="2020-10-01" published_at:<"2020-11-01"
  text_en:negotiate (English stemming)   text_ar:مفاوضات (Arabic stemming)

Without OR, every word is required.`,
		Args: cobra.MinimumNArgs(1),
	}
	addDataDirFlag(cmd.Flags())
	archiveKeys := addArchiveFlags(cmd.Flags(), true)
	cmd.Flags().Int("limit", 20, "how many records to show")
	cmd.Flags().Bool("json", false, "print the records as JSON Lines")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, merge(map[string]string{"data-dir": keyDataDir}, archiveKeys))
		if err != nil {
			return usageError(err)
		}
		limit, _ := cmd.Flags().GetInt("limit")
		asJSON, _ := cmd.Flags().GetBool("json")
		store, err := openReader(cmd, conf)
		if err != nil {
			return err
		}
		defer store.Close()
		hits, total, err := store.Search(cmd.Context(), strings.Join(args, " "), limit)
		if err != nil {
			return searchError(err)
		}
		defer fmt.Fprintf(streams.ErrOut, "%d of %d matching records\n", len(hits), total)
		if asJSON {
			out := index.NewJSONLines(streams.Out)
			for _, h := range hits {
				if err := out.Write(h.Record); err != nil {
					return failure(err)
				}
			}
			if err := out.Flush(); err != nil {
				return failure(err)
			}
			return nil
		}
		tw := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "DATE\tSITE\tTITLE\tURL")
		for _, h := range hits {
			r := h.Record
			date := ""
			if r.PublishedAt != nil {
				date = r.PublishedAt.Time.Format("2006-01-02")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", date, truncate(r.SiteName, 24), truncate(r.Title, 70), r.URL)
		}
		if err := tw.Flush(); err != nil {
			return failure(fmt.Errorf("write: %w", err))
		}
		return nil
	}
	return cmd
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
