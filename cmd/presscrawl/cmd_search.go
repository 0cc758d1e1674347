package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
)

// searchOptions are what search needs, from its flags and arguments.
type searchOptions struct {
	IO       IOStreams
	Config   config.Config
	Open     openFunc // the index to search
	Query    string
	Search   index.SearchOptions // limit, offset, order, dates
	JSON     bool
	Collapse bool // one hit per story, with its copies
}

func newSearchCmd(streams IOStreams, runF func(context.Context, *searchOptions) error) *cobra.Command {
	opts := &searchOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "search [--data-dir D] [--index local|elasticsearch] [--limit N] [--json] QUERY...",
		Short: "Search the local index or the archive",
		Long: `Search finds records in the local index (or the archive, with --index
elasticsearch), best first. The query may hold
words, "exact phrases", AND / OR / NOT, and fields:

  language:ar   site_name:"Arab Press"   section:Politics   tags:Iran
  published_at:>="2020-10-01" published_at:<"2020-11-01"
  text_en:negotiate (English stemming)   text_ar:مفاوضات (Arabic stemming)

Without OR, every word is required. The ID column is the start of each
record's id: presscrawl show ID prints the whole record.

  presscrawl search --sort -date --since 2024-03-01 --until 2024-03-31 language:ar
  presscrawl search --limit 20 --offset 20 climate      # the second page`,
		Args: cobra.MinimumNArgs(1),
	}
	keyed := readFlags(cmd)
	cmd.Flags().IntVar(&opts.Search.Limit, "limit", 20, "how many records to show")
	cmd.Flags().IntVar(&opts.Search.Offset, "offset", 0, "pass over this many first (the next page: --offset 20)")
	cmd.Flags().StringVar(&opts.Search.Sort, "sort", "relevance", "relevance (best first), date (oldest first) or -date (newest first)")
	cmd.Flags().StringVar(&opts.Search.Since, "since", "", "only records published on or after this day (YYYY-MM-DD)")
	cmd.Flags().StringVar(&opts.Search.Until, "until", "", "only records published on or before this day (YYYY-MM-DD)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the records as JSON Lines")
	cmd.Flags().BoolVar(&opts.Collapse, "collapse", false, "one hit per story (near-duplicates: a wire story run by several outlets), with how many copies match")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		if opts.Search.Limit < 1 {
			return usageError(fmt.Errorf("--limit %d: show at least 1 record", opts.Search.Limit))
		}
		if err := opts.Search.Check(); err != nil {
			return usageError(fmt.Errorf("--sort, --since, --until, --offset: %w", err))
		}
		opts.Config, opts.Query = conf, strings.Join(args, " ")
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runSearch(cmd.Context(), opts)
	}
	return cmd
}

// runSearch prints the best records for the query: a table, or JSON Lines.
func runSearch(ctx context.Context, opts *searchOptions) error {
	store, err := opts.Open(ctx, opts.Config)
	if err != nil {
		return err
	}
	defer store.Close()
	var hits []index.Hit
	var total uint64
	var copies map[string]int
	if opts.Collapse {
		hits, total, copies, err = collapsedSearch(ctx, store, opts.Query, opts.Search)
	} else {
		hits, total, err = store.SearchWith(ctx, opts.Query, opts.Search)
	}
	if err != nil {
		return searchError(err)
	}
	what := "matching records"
	if opts.Collapse {
		what = "stories among the matching records"
	}
	if opts.Search.Offset > 0 {
		defer fmt.Fprintf(opts.IO.ErrOut, "%d of %d %s (from the %d-th)\n", len(hits), total, what, opts.Search.Offset+1)
	} else {
		defer fmt.Fprintf(opts.IO.ErrOut, "%d of %d %s\n", len(hits), total, what)
	}
	if opts.JSON {
		out := index.NewJSONLines(opts.IO.Out)
		for _, h := range hits {
			if copies != nil {
				h.Record.Copies = copies[storyOf(h.Record)]
			}
			if err := out.Write(h.Record); err != nil {
				return failure(err)
			}
		}
		if err := out.Flush(); err != nil {
			return failure(err)
		}
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	if copies != nil {
		fmt.Fprintln(tw, "ID\tCOPIES\tDATE\tSITE\tTITLE\tURL")
	} else {
		fmt.Fprintln(tw, "ID\tDATE\tSITE\tTITLE\tURL")
	}
	for _, h := range hits {
		r := h.Record
		date := ""
		if r.PublishedAt != nil {
			date = r.PublishedAt.Time.Format("2006-01-02")
		}
		n := ""
		if copies != nil {
			n = fmt.Sprintf("%d\t", copies[storyOf(r)])
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\n", r.ID[:min(12, len(r.ID))], n, date, truncate(oneLine(r.SiteName), 24), truncate(oneLine(r.Title), 70), oneLine(r.URL))
	}
	if err := tw.Flush(); err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	return nil
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// maxCollapseScan bounds the hits a collapsed search reads to find its
// page of stories.
const maxCollapseScan = 10000

func storyOf(r *record.Record) string {
	if r.StoryID != "" {
		return r.StoryID
	}
	return r.ID
}

// collapsedSearch is a search with one hit per story: the best (or first,
// by the order asked) of each, in that order, paged by stories; copies
// counts each story's hits among the matching records read (all of them up
// to maxCollapseScan). total is the stories found.
func collapsedSearch(ctx context.Context, store index.Reader, query string, o index.SearchOptions) ([]index.Hit, uint64, map[string]int, error) {
	want := o.Offset + o.Limit
	var firsts []index.Hit
	copies := map[string]int{}
	page := index.SearchOptions{Limit: 500, Sort: o.Sort, Since: o.Since, Until: o.Until}
	for read := 0; read < maxCollapseScan; {
		page.Offset = read
		hits, total, err := store.SearchWith(ctx, query, page)
		if err != nil {
			return nil, 0, nil, err
		}
		for _, h := range hits {
			s := storyOf(h.Record)
			if copies[s] == 0 {
				firsts = append(firsts, h)
			}
			copies[s]++
		}
		read += len(hits)
		if len(hits) == 0 || uint64(read) >= total {
			break
		}
	}
	n := uint64(len(firsts))
	if o.Offset >= len(firsts) {
		return nil, n, copies, nil
	}
	return firsts[o.Offset:min(want, len(firsts))], n, copies, nil
}
