package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/urlcanon"
)

func newConfigCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the effective configuration and where each value comes from",
		Long: `Config prints every configuration key with its effective value and its
source: env (a PRESSCRAWL_* variable), file (the config file, named on the
first line) or default.`,
		Args: cobra.NoArgs,
	}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		path, _ := cmd.Flags().GetString("config")
		v, err := config.Sources(nil, path)
		if err != nil {
			return usageError(err)
		}
		file := v.ConfigFileUsed()
		fromFile := viper.New()
		if file != "" {
			fromFile.SetConfigFile(file)
			if err := fromFile.ReadInConfig(); err != nil {
				return usageError(fmt.Errorf("config file %s: %w", file, err))
			}
			fmt.Fprintf(streams.Out, "# config file: %s\n", file)
		} else {
			fmt.Fprintln(streams.Out, "# config file: none")
		}
		if _, err := config.Decode(v); err != nil {
			return usageError(fmt.Errorf("configuration: %w", err))
		}
		keys, _ := config.Keys(config.Default())
		sort.Strings(keys)
		tw := tabwriter.NewWriter(streams.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
		for _, k := range keys {
			src := "default"
			if _, ok := os.LookupEnv(config.EnvName(k)); ok {
				src = "env " + config.EnvName(k)
			} else if fromFile.IsSet(k) {
				src = "file"
			}
			fmt.Fprintf(tw, "%s\t%v\t%s\n", k, shown(k, v.Get(k)), src)
		}
		return tw.Flush()
	}
	return cmd
}

// shown is a value as it may be displayed: secrets masked.
func shown(key string, val any) any {
	s, _ := val.(string)
	switch {
	case config.Secret[key] && s != "":
		return "*****"
	case config.URLKey[key]:
		return urlcanon.MaskPassword(s)
	case key == "fetch.headers":
		var lines []string
		switch v := val.(type) {
		case []string:
			lines = v
		case []any:
			for _, e := range v {
				lines = append(lines, fmt.Sprint(e))
			}
		case string:
			lines = strings.Split(v, ",")
		}
		masked := make([]string, len(lines))
		for i, l := range lines {
			masked[i] = crawler.MaskHeader(l)
		}
		return masked
	}
	return val
}
