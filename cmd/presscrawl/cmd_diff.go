package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/versions"
)

// diffOptions are what diff needs.
type diffOptions struct {
	IO       IOStreams
	Config   config.Config
	Open     openFunc
	Ref      string
	From, To int    // version numbers; 0: the last two
	Format   string // text, json or html
}

func newDiffCmd(streams IOStreams, runF func(context.Context, *diffOptions) error) *cobra.Command {
	opts := &diffOptions{IO: streams, Open: readerOpener(streams)}
	cmd := &cobra.Command{
		Use:   "diff [--from N] [--to M] [--format text|json|html] ID|URL",
		Short: "Show word by word what changed between two versions of an article",
		Long: `Diff compares two versions of one article (presscrawl history lists them),
the last two unless --from and --to say which: the headline, the text word
by word, the authors and the publication date.

--format text marks deletions [-like this-] and insertions {+like this+}
(in red and green on a terminal); json gives the pieces of each diff;
html a page with <del> and <ins> that lays Arabic out right to left.

  presscrawl diff https://news-site.example/2024/03/05/story/
  presscrawl diff --from 1 --to 3 --format html 3f9a2c > changes.html`,
		Args: cobra.ExactArgs(1),
	}
	keyed := readFlags(cmd)
	cmd.Flags().IntVar(&opts.From, "from", 0, "the earlier version (default: the one before --to)")
	cmd.Flags().IntVar(&opts.To, "to", 0, "the later version (default: the current one)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text, json or html")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		switch opts.Format {
		case "text", "json", "html":
		default:
			return usageError(fmt.Errorf("--format %q: want text, json or html", opts.Format))
		}
		if opts.From < 0 || opts.To < 0 {
			return usageError(fmt.Errorf("--from %d --to %d: version numbers start at 1", opts.From, opts.To))
		}
		opts.Config, opts.Ref = conf, args[0]
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runDiff(cmd.Context(), opts)
	}
	return cmd
}

// versionDiff is what changed between two versions, as diff --format json
// prints it.
type versionDiff struct {
	ID          string           `json:"id"`
	URL         string           `json:"url"`
	From        int              `json:"from"`
	To          int              `json:"to"`
	FromFetched *time.Time       `json:"from_fetched_at,omitempty"`
	ToFetched   *time.Time       `json:"to_fetched_at,omitempty"`
	Change      versions.Change  `json:"change"`
	Title       []versions.Piece `json:"title"`
	Text        []versions.Piece `json:"text"`
	Authors     [2][]string      `json:"authors"`      // from, to
	Published   [2]string        `json:"published_at"` // from, to
}

func runDiff(ctx context.Context, opts *diffOptions) error {
	vs, err := openVersions(ctx, opts.Open, opts.Config, opts.Ref)
	if err != nil {
		return err
	}
	a, b, err := pickVersions(vs, opts.From, opts.To)
	if err != nil {
		return usageError(err)
	}
	if a == nil {
		opts.IO.Notice("%s has one version: nothing to compare", vs[0].ID[:12])
		return nil
	}
	d := versionDiff{ID: b.ID, URL: b.URL, From: max(a.Version, 1), To: max(b.Version, 1), FromFetched: a.FetchedAt, ToFetched: b.FetchedAt,
		Change: versions.Compare(a, b), Title: versions.Diff(a.Title, b.Title), Text: versions.Diff(a.Text, b.Text),
		Authors: [2][]string{a.Authors, b.Authors}, Published: [2]string{stampOf(a.PublishedAt), stampOf(b.PublishedAt)}}
	switch opts.Format {
	case "json":
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetEscapeHTML(false)
		err = enc.Encode(d)
	case "html":
		_, err = io.WriteString(opts.IO.Out, diffPage(d, b.Language))
	default:
		err = writeDiffText(opts.IO, d)
	}
	if err != nil {
		return failure(fmt.Errorf("write: %w", err))
	}
	return nil
}

// pickVersions are the two versions to compare: from and to by number, the
// last two by default; a nil a when there is only one.
func pickVersions(vs []*record.Record, from, to int) (a, b *record.Record, err error) {
	n := len(vs)
	if to == 0 {
		to = n
	}
	if from == 0 {
		from = to - 1
	}
	if to > n || from > n {
		return nil, nil, fmt.Errorf("--from %d --to %d: the article has %d versions", from, to, n)
	}
	if from >= to && n > 1 {
		return nil, nil, fmt.Errorf("--from %d --to %d: --from is the earlier version", from, to)
	}
	if from < 1 {
		return nil, vs[to-1], nil
	}
	return vs[from-1], vs[to-1], nil
}

func stampOf(t *record.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.String()
}

// writeDiffText prints a diff for a terminal or a pipe: a header, the
// headline's and the text's word diffs, then authors and date when they
// changed.
func writeDiffText(streams IOStreams, d versionDiff) error {
	w, color := streams.Out, streams.OutTTY
	when := func(t *time.Time) string {
		if t == nil {
			return "fetch time unknown"
		}
		return "fetched " + t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "version %d (%s) -> version %d (%s): %s\n%s\n\n", d.From, when(d.FromFetched), d.To, when(d.ToFetched), d.Change, d.URL)
	if err := versions.WriteText(w, safePieces(d.Title), color); err != nil {
		return err
	}
	fmt.Fprint(w, "\n\n")
	if err := versions.WriteText(w, safePieces(d.Text), color); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if d.Change.Authors {
		fmt.Fprintf(w, "\nauthors: %s -> %s\n", terminalSafe(strings.Join(d.Authors[0], "; ")), terminalSafe(strings.Join(d.Authors[1], "; ")))
	}
	if d.Change.Date {
		fmt.Fprintf(w, "\npublished_at: %s -> %s\n", d.Published[0], d.Published[1])
	}
	return nil
}

func safePieces(ps []versions.Piece) []versions.Piece {
	out := make([]versions.Piece, len(ps))
	for i, p := range ps {
		out[i] = versions.Piece{Op: p.Op, Text: terminalSafe(p.Text)}
	}
	return out
}

// diffPage is a diff as a small HTML page, every site-written string
// escaped, laid out by the article's language (right to left for Arabic).
func diffPage(d versionDiff, lang string) string {
	dir := "auto"
	switch lang {
	case "ar", "fa", "ur", "he", "ps", "ckb", "yi":
		dir = "rtl"
	}
	var sb strings.Builder
	sb.WriteString("<!doctype html>\n<html lang=\"" + html.EscapeString(lang) + "\" dir=\"" + dir + "\"><head><meta charset=\"utf-8\">\n")
	sb.WriteString("<title>" + html.EscapeString(fmt.Sprintf("version %d -> %d: ", d.From, d.To)) + versionsTitle(d) + "</title>\n")
	sb.WriteString("<style>body{font-family:system-ui,'Noto Naskh Arabic','Noto Sans Arabic',sans-serif;max-width:46em;margin:2em auto;line-height:1.6}" +
		"del{background:#fdd;color:#600}ins{background:#dfd;color:#060;text-decoration:none}.meta{color:#555;font-size:.9em}</style></head><body>\n")
	fmt.Fprintf(&sb, "<p class=\"meta\" dir=\"ltr\">version %d &rarr; %d: %s<br><a href=\"%s\">%s</a></p>\n", d.From, d.To,
		html.EscapeString(d.Change.String()), html.EscapeString(d.URL), html.EscapeString(d.URL))
	sb.WriteString("<h1>" + strings.TrimSuffix(strings.TrimPrefix(versions.HTML(d.Title), `<div class="diff" dir="auto"><p dir="auto">`), "</p></div>\n") + "</h1>\n")
	sb.WriteString(versions.HTML(d.Text))
	if d.Change.Authors {
		fmt.Fprintf(&sb, "<p class=\"meta\">authors: <del>%s</del> <ins>%s</ins></p>\n", html.EscapeString(strings.Join(d.Authors[0], "; ")), html.EscapeString(strings.Join(d.Authors[1], "; ")))
	}
	if d.Change.Date {
		fmt.Fprintf(&sb, "<p class=\"meta\">published_at: <del>%s</del> <ins>%s</ins></p>\n", html.EscapeString(d.Published[0]), html.EscapeString(d.Published[1]))
	}
	sb.WriteString("</body></html>\n")
	return sb.String()
}

func versionsTitle(d versionDiff) string {
	var sb strings.Builder
	for _, p := range d.Title {
		if p.Op != versions.Delete {
			sb.WriteString(p.Text)
		}
	}
	return html.EscapeString(sb.String())
}
