package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/extract"
)

func newVersionCmd(streams IOStreams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of presscrawl and of its extractors",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(streams.Out, "presscrawl %s\nextractor presscrawl-extract %s\ngo-readability %s\n%s %s/%s\n",
				cliVersion(), extract.Version, extract.ReadabilityVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
