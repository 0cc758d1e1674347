package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/versions"
)

// historyOptions are what history needs.
type historyOptions struct {
	IO     IOStreams
	Config config.Config
	Open   openFunc
	Ref    string // a record id (or its start) or a page's URL
	JSON   bool
}

func newHistoryCmd(streams IOStreams, runF func(context.Context, *historyOptions) error) *cobra.Command {
	opts := &historyOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "history [--json] ID|URL",
		Short: "List the versions kept of an article: when each was fetched and what changed",
		Long: `History lists every version kept of one article (by its id, the start of
it, or its page's address), oldest first: the version number, when it was
fetched, its words, and what changed from the version before (headline
changed; +N / -M words; authors; date). A version is kept when a later fetch
finds other words in the title, the text, the authors or the publication
date; whitespace, punctuation and the page around the article do not count.

  presscrawl history https://news-site.example/2024/03/05/story/
  presscrawl diff https://news-site.example/2024/03/05/story/    # the last change, word by word`,
		Args: cobra.ExactArgs(1),
	}
	keyed := readFlags(cmd)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "one JSON object per version")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		opts.Config, opts.Ref = conf, args[0]
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runHistory(cmd.Context(), opts)
	}
	return cmd
}

// historyLine is one version as history --json prints it.
type historyLine struct {
	Version     int              `json:"version"`
	FetchedAt   *time.Time       `json:"fetched_at,omitempty"`
	Words       int              `json:"words"`
	Title       string           `json:"title"`
	ContentHash string           `json:"content_hash"`
	WARCFile    string           `json:"warc_file,omitempty"`
	Change      *versions.Change `json:"change,omitempty"` // from the version before; none for the first
}

func runHistory(ctx context.Context, opts *historyOptions) error {
	vs, err := openVersions(ctx, opts.Open, opts.Config, opts.Ref)
	if err != nil {
		return err
	}
	lines := make([]historyLine, len(vs))
	for i, v := range vs {
		lines[i] = historyLine{Version: max(v.Version, 1), FetchedAt: v.FetchedAt, Words: v.WordCount, Title: v.Title,
			ContentHash: v.ContentHash, WARCFile: v.WARCFile}
		if i > 0 {
			c := versions.Compare(vs[i-1], v)
			lines[i].Change = &c
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return failure(fmt.Errorf("write: %w", err))
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tFETCHED\tWORDS\tCHANGE")
	for _, l := range lines {
		change := "first version seen"
		if l.Change != nil {
			change = l.Change.String()
		}
		fetched := ""
		if l.FetchedAt != nil {
			fetched = l.FetchedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\n", l.Version, fetched, l.Words, change)
	}
	if err := tw.Flush(); err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	opts.IO.Notice("%s: %d versions (%s)", vs[0].ID[:12], len(vs), terminalSafe(vs[len(vs)-1].Title))
	return nil
}

// openVersions finds the record a reference names and reads its versions.
func openVersions(ctx context.Context, open openFunc, conf config.Config, ref string) ([]*record.Record, error) {
	store, r, err := resolve(ctx, open, conf, ref)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	vs, err := store.Versions(ctx, r.ID)
	if err != nil {
		return nil, failure(err)
	}
	if len(vs) == 0 { // removed since
		return nil, failure(fmt.Errorf("no record %s", r.ID))
	}
	return vs, nil
}
