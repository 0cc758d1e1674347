package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/extract"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// extractOptions are what extract needs.
type extractOptions struct {
	IO      IOStreams
	Config  config.Config
	Inputs  []string // file paths or http(s) URLs
	PageURL string   // --url: the address of the one file input
}

func newExtractCmd(streams IOStreams, runF func(context.Context, *extractOptions) error) *cobra.Command {
	opts := &extractOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "extract [--url URL] [--format json|text] INPUT...",
		Short: "Extract the article record of HTML files or URLs",
		Long: `Extract reads each INPUT, a file path or an http(s) URL, and prints its
article record: as JSON, one object per line in input order, or as text
(title, blank line, body). A failing input is reported on stderr as
"presscrawl: INPUT: reason"; the others are still processed and the exit
status is 1.`,
		Args: cobra.MinimumNArgs(1),
	}
	cmd.Flags().StringVar(&opts.PageURL, "url", "", "the page's address when reading one file (for relative links and the record's url)")
	f := config.NewFlags(cmd.Flags())
	f.Bind("format", "extract.format", "output format: json or text")
	f.Bind("rules", "extract.rules", "a YAML file of per-site CSS rules (body, remove, title, date, author by host), applied before the generic rules")
	f.Bind("timeout", "fetch.timeout", "HTTP request timeout for URL inputs")
	f.Bind("user-agent", "user_agent", "User-Agent for URL inputs")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		conf, err := loadConfig(cmd, f)
		if err != nil {
			return usageError(err)
		}
		if opts.PageURL != "" && (len(args) != 1 || isURL(args[0])) {
			return usageError(errors.New("--url goes with exactly one file input"))
		}
		opts.Config, opts.Inputs = conf, args
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runExtract(cmd.Context(), opts)
	}
	return cmd
}

// runExtract extracts each input in order: JSON Lines or text on Out, a
// failing input named on ErrOut, the others still processed.
func runExtract(ctx context.Context, opts *extractOptions) error {
	conf, streams := opts.Config, opts.IO
	format := conf.Extract.Format
	fetcher := crawler.NewFetcher(crawler.FetcherOptions{
		UserAgent: userAgent(conf), Timeout: conf.Fetch.Timeout, MaxBodyBytes: int64(conf.Fetch.MaxBodyBytes),
	})
	rules, err := loadRules(conf)
	if err != nil {
		return usageError(err)
	}
	x := extractor(conf, rules)
	defer printRuleMisses(streams.ErrOut, rules)
	// JSON Lines or text, each through one buffer, flushed before a
	// stderr line so that the two streams stay in input order.
	records := index.NewJSONLines(streams.Out)
	out := bufio.NewWriter(streams.Out)
	flush := out.Flush
	if format == "json" {
		flush = records.Flush
	}
	defer flush()
	failed := false
	for i, input := range opts.Inputs {
		if err := ctx.Err(); err != nil {
			return failure(fmt.Errorf("interrupted before %s", urlcanon.Redact(input)))
		}
		in, err := readInput(ctx, fetcher, input, opts.PageURL, int64(x.MaxBytes))
		var rec *record.Record
		if err == nil {
			rec, err = x.Extract(in)
		}
		if err != nil {
			failed = true
			flush()
			fmt.Fprintf(streams.ErrOut, "presscrawl: %s: %v\n", terminalSafe(urlcanon.Redact(input)), err)
			continue
		}
		if format == "json" {
			err = records.Write(rec)
		} else {
			if i > 0 {
				out.WriteString("\n")
			}
			_, err = fmt.Fprintf(out, "%s\n\n%s\n", terminalSafe(rec.Title), terminalSafe(rec.Text))
		}
		if err != nil {
			return failure(fmt.Errorf("write output: %w", err))
		}
	}
	if failed {
		return errInputsFailed
	}
	return nil
}

func isURL(s string) bool {
	ls := strings.ToLower(s)
	return strings.HasPrefix(ls, "http://") || strings.HasPrefix(ls, "https://")
}

// readInput loads one INPUT: a URL is fetched (its headers go to the
// extractor), a file is read whole, up to the size limit.
func readInput(ctx context.Context, f *crawler.Fetcher, input, pageURL string, limit int64) (extract.Input, error) {
	if isURL(input) {
		p, err := f.Fetch(ctx, input)
		if err != nil {
			return extract.Input{}, err
		}
		return extract.Input{Body: p.Body, URL: p.FinalURL, ContentType: p.ContentType,
			ContentLanguage: p.ContentLanguage, FetchedAt: p.FetchedAt}, nil
	}
	body, err := readFile(input, limit)
	return extract.Input{Body: body, URL: pageURL}, err
}

func readFile(path string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = extract.DefaultMaxBytes
	}
	// Stat before opening: opening a FIFO waits for a writer for ever.
	st, err := os.Stat(path)
	if err != nil {
		return nil, pathReason(err)
	}
	switch {
	case st.IsDir():
		return nil, errors.New("is a directory, not an HTML file")
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("is not a regular file (%s), not an HTML file", fileKind(st.Mode()))
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, pathReason(err)
	}
	defer fh.Close()
	if st.Size() > limit {
		return nil, fmt.Errorf("%w: %d bytes, the limit is %d", extract.ErrTooLarge, st.Size(), limit)
	}
	body, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, pathReason(err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes", extract.ErrTooLarge, limit)
	}
	return body, nil
}

// fileKind names a file mode that is not a regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// pathReason drops the path from an os error: the caller names the input.
func pathReason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if errors.Is(err, fs.ErrNotExist) {
			return errors.New("no such file")
		}
		return pe.Err
	}
	return err
}
