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
	"github.com/presscrawl/presscrawl/urlcanon"
)

// showOptions are what show needs.
type showOptions struct {
	IO     IOStreams
	Config config.Config
	Open   openFunc // the index to read
	Ref    string   // a record id or a page's URL
	JSON   bool
}

func newShowCmd(streams IOStreams, runF func(context.Context, *showOptions) error) *cobra.Command {
	opts := &showOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "show [--json] ID|URL",
		Short: "Print one whole record: its fields, then its text",
		Long: `Show prints one record of the local index (or the archive, with --index
elasticsearch): by its id (as search --json and export give it) or by the
address of its page (any spelling: the canonical URL decides). --json prints
the record as one JSON object.

  presscrawl show https://news-site.example/2024/03/05/story/
  presscrawl show --json 3f9a...`,
		Args: cobra.ExactArgs(1),
	}
	keyed := readFlags(cmd)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the record as JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		opts.Config, opts.Ref = conf, args[0]
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runShow(cmd.Context(), opts)
	}
	return cmd
}

// recordID is the id a reference names: an id as given, or the hash of a
// URL's canonical form.
func recordID(ref string) (string, error) {
	if !strings.Contains(ref, "://") {
		return strings.ToLower(strings.TrimSpace(ref)), nil
	}
	u, err := urlcanon.Parse(ref, nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", urlcanon.Redact(ref), err)
	}
	return record.IDForURL(u.String()), nil
}

// resolve opens the index and finds the record a reference names: an
// id, the start of one (as search shows it), or a page's address.
func resolve(ctx context.Context, open openFunc, conf config.Config, ref string) (index.ReadCloser, *record.Record, error) {
	id, err := recordID(ref)
	if err != nil {
		return nil, nil, usageError(err)
	}
	store, err := open(ctx, conf)
	if err != nil {
		return nil, nil, err
	}
	get := store.Get
	if len(id) < 64 && !strings.Contains(ref, "://") {
		get = store.GetPrefix // the start of an id, as search shows it
	}
	r, err := get(ctx, id)
	if err == nil && r == nil {
		err = fmt.Errorf("no record %s (the id, or the URL's canonical form, is not in the index)", urlcanon.Redact(ref))
	}
	if err != nil {
		store.Close()
		return nil, nil, failure(err)
	}
	return store, r, nil
}

func runShow(ctx context.Context, opts *showOptions) error {
	store, r, err := resolve(ctx, opts.Open, opts.Config, opts.Ref)
	if err != nil {
		return err
	}
	defer store.Close()
	if opts.JSON {
		out := index.NewJSONLines(opts.IO.Out)
		if err := out.Write(r); err != nil {
			return failure(err)
		}
		err = out.Flush()
	} else {
		err = writeRecordText(opts.IO, r)
		if err == nil {
			err = writeStory(ctx, opts.IO, store, r)
		}
	}
	if err != nil {
		return failure(err)
	}
	return nil
}

// maxStoryShown bounds the members of a story show lists.
const maxStoryShown = 50

// writeStory lists the other records of r's story (its near-duplicates:
// the same wire story elsewhere, the article under another address).
func writeStory(ctx context.Context, io IOStreams, store index.Reader, r *record.Record) error {
	if r.StoryID == "" {
		return nil
	}
	hits, total, err := store.SearchWith(ctx, "story_id:"+r.StoryID, index.SearchOptions{Limit: maxStoryShown + 1, Sort: "date"})
	if err != nil {
		return err
	}
	var others []*record.Record
	for _, h := range hits {
		if h.Record.ID != r.ID {
			others = append(others, h.Record)
		}
	}
	if len(others) == 0 {
		return nil
	}
	fmt.Fprintf(io.Out, "\nthe same story: %d other records (story_id %s)\n", total-1, r.StoryID[:min(12, len(r.StoryID))])
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	for _, o := range others[:min(len(others), maxStoryShown)] {
		date := ""
		if o.PublishedAt != nil {
			date = o.PublishedAt.Time.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", o.ID[:min(12, len(o.ID))], date, truncate(oneLine(o.SiteName), 24), truncate(oneLine(o.Title), 60), oneLine(o.URL))
	}
	return tw.Flush()
}

// writeRecordText prints a record's fields, a blank line and its text.
func writeRecordText(io IOStreams, r *record.Record) error {
	tw := tabwriter.NewWriter(io.Out, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", k, oneLine(v))
		}
	}
	row("id", r.ID)
	row("title", r.Title)
	row("url", r.URL)
	if r.CanonicalURL != r.URL {
		row("canonical_url", r.CanonicalURL)
	}
	row("site_name", r.SiteName)
	if r.PublishedAt != nil {
		row("published_at", r.PublishedAt.String()+" ("+string(r.DateSource)+")")
	}
	if r.ModifiedAt != nil {
		row("modified_at", r.ModifiedAt.String())
	}
	row("authors", strings.Join(r.Authors, "; "))
	row("language", r.Language)
	row("section", r.Section)
	row("tags", strings.Join(r.Tags, "; "))
	row("description", r.Description)
	row("word_count", fmt.Sprint(r.WordCount))
	if r.Versions > 1 {
		row("version", fmt.Sprintf("%d of %d (presscrawl history %s)", r.Version, r.Versions, r.ID[:12]))
	}
	if r.FetchedAt != nil {
		row("fetched_at", r.FetchedAt.Format("2006-01-02T15:04:05Z"))
	}
	row("warc", strings.TrimSpace(r.WARCFile+" "+r.WARCRecordID))
	if r.ArchivedAt != nil {
		row("archived_at", r.ArchivedAt.Format("2006-01-02T15:04:05Z"))
	}
	row("archive_url", r.ArchiveURL)
	row("wire", r.Wire)
	if r.StoryID != "" && r.StoryID != r.ID {
		row("story_id", r.StoryID)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	_, err := fmt.Fprintf(io.Out, "\n%s\n", terminalSafe(r.Text))
	return err
}
