package main

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // some input failed; the others were processed
	exitUsage = 2 // the command line or the configuration is wrong
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version, or "dev" for a source build.
var version = ""

func cliVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// exitError carries an exit code and whether its message was printed.
type exitError struct {
	code    int
	printed bool
	err     error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is a mistake on the command line or in the configuration:
// exit status 2, the message printed.
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

// failure is a command that could not do its work: exit status 1.
func failure(err error) error { return &exitError{code: exitFail, err: err} }

// errInputsFailed says some inputs failed after each was reported.
var errInputsFailed = &exitError{code: exitFail, printed: true, err: errors.New("some inputs failed")}

func newRootCmd(streams IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "presscrawl",
		Short: "Crawl news sites into clean, searchable article records",
		Long: `presscrawl crawls news and article sites, strips the boilerplate from every
article page and stores clean article records for research.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c.Name() == "search" || c.Name() == "stats" || c.Name() == "export" {
			return fmt.Errorf("%w (a query word that starts with - is read as a flag: put -- before the query, as in presscrawl %s -- -word, or write NOT word)", err, c.Name())
		}
		return err
	})
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.ErrOut)
	root.PersistentFlags().String("config", "", "config file (default ./presscrawl.yaml, then $XDG_CONFIG_HOME/presscrawl/presscrawl.yaml)")
	root.AddCommand(newVersionCmd(streams), newExtractCmd(streams, nil), newCrawlCmd(streams, nil), newSearchCmd(streams, nil), newExportCmd(streams, nil), newStatsCmd(streams, nil), newConfigCmd(streams), newReextractCmd(streams, nil), newIndexCmd(streams), newKibanaCmd(streams, nil), newShowCmd(streams, nil), newHistoryCmd(streams, nil), newDiffCmd(streams, nil), newWaybackCmd(streams, nil), newServeCmd(streams, nil))
	return root
}

// queryWords lets a query begin with a word that starts with -
// (presscrawl search -negotiation, "not negotiation"): for the commands that
// take a query, the first argument that starts with - and is none of the
// command's flags begins the query, as if -- stood before it.
func queryWords(root *cobra.Command, args []string) []string {
	if len(args) == 0 {
		return args
	}
	cmd, _, err := root.Find(args[:1])
	if err != nil || (cmd.Name() != "search" && cmd.Name() != "stats" && cmd.Name() != "export") {
		return args
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		var f *pflag.Flag
		if strings.HasPrefix(a, "--") {
			f = cmd.Flags().Lookup(name)
		} else if len(name) == 1 {
			f = cmd.Flags().ShorthandLookup(name)
		}
		if f == nil && cmd.InheritedFlags().Lookup(name) == nil && root.PersistentFlags().Lookup(name) == nil {
			out := append(append(append([]string{}, args[:i]...), "--"), args[i:]...)
			return out
		}
		if f != nil && f.Value.Type() != "bool" && !hasValue {
			i++ // its value
		}
	}
	return args
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, streams IOStreams) int {
	root := newRootCmd(streams)
	root.SetArgs(queryWords(root, args))
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.printed {
			fmt.Fprintf(streams.ErrOut, "presscrawl: %v\n", ee.err)
		}
		return ee.code
	}
	// cobra's own errors: unknown command or flag, wrong argument count.
	fmt.Fprintf(streams.ErrOut, "presscrawl: %v\n", err)
	return exitUsage
}
