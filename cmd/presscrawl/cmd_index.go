package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/config"
)

func newIndexCmd(streams IOStreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "index setup|push|status",
		Short: "Set up the archive (Elasticsearch or OpenSearch) and deliver a data dir's records to it",
		Long: `The archive is an Elasticsearch (7.17, 8) or OpenSearch (2.x) index that
several crawls feed and Kibana or OpenSearch Dashboards chart. A crawl with
--index elasticsearch delivers its records as it goes; these commands manage
the archive and the delivery of a data dir crawled offline.

The data dir stays the durable truth: every record written is queued for
delivery in the same transaction that stores it, and leaves the queue only
when the archive acknowledged it (document _id = record id, so nothing is
indexed twice). Refused records go to dead-letter.jsonl in the data dir.

The archive's address: --es-url or ELASTICSEARCH_URL (default
http://localhost:9200); credentials from PRESSCRAWL_ES_USERNAME and
PRESSCRAWL_ES_PASSWORD, or PRESSCRAWL_ES_API_KEY, or the config file.`,
	}
	cmd.AddCommand(newIndexSetupCmd(streams), newIndexPushCmd(streams), newIndexStatusCmd(streams))
	return cmd
}

// indexOptions are what the index commands need.
type indexOptions struct {
	IO     IOStreams
	Config config.Config
	All    bool // push: every record again
}

// indexCmd makes one index subcommand: flags, then run with the options.
func indexCmd(streams IOStreams, cmd *cobra.Command, withDataDir bool, run func(context.Context, *indexOptions) error) *cobra.Command {
	opts := &indexOptions{IO: streams}
	f := config.NewFlags(cmd.Flags())
	addArchiveFlags(f, false)
	if withDataDir {
		addDataDirFlag(f)
	}
	if cmd.Name() == "push" {
		cmd.Flags().BoolVar(&opts.All, "all", false, "deliver every record again, not only those waiting")
	}
	cmd.Args = cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, f)
		if err != nil {
			return usageError(err)
		}
		opts.Config = conf
		return run(cmd.Context(), opts)
	}
	return cmd
}

func newIndexSetupCmd(streams IOStreams) *cobra.Command {
	return indexCmd(streams, &cobra.Command{
		Use:   "setup",
		Short: "Install the index template and create the first index behind the alias (idempotent)",
	}, false, runIndexSetup)
}

func runIndexSetup(ctx context.Context, opts *indexOptions) error {
	c, err := openArchive(ctx, opts.Config)
	if err != nil {
		return failure(err)
	}
	opts.IO.Notice("%s at %s: template presscrawl-%s, alias %s -> %s ready", c.Server, c.URL(), c.Index(), c.Index(), c.FirstIndex())
	return nil
}

func newIndexPushCmd(streams IOStreams) *cobra.Command {
	return indexCmd(streams, &cobra.Command{
		Use:   "push [--data-dir D] [--all]",
		Short: "Deliver the records a data dir has not delivered yet to the archive",
		Long: `Push delivers the records of the data dir that wait for delivery (all of a
crawl made with the local index, or what a crawl could not deliver) to the
archive, as long as the archive takes them, and exits 1 when some are left
(the archive took nothing for es.wait, 2m by default). --all queues every
record again first: for a new or emptied archive.`,
	}, true, runIndexPush)
}

func runIndexPush(ctx context.Context, opts *indexOptions) error {
	conf, streams := opts.Config, opts.IO
	dir := conf.DataDir
	c, err := openArchive(ctx, conf)
	if err != nil {
		return failure(err)
	}
	store, err := openExisting(dir, local.OpenOutbox)
	if err != nil {
		return failure(err)
	}
	defer store.Close()
	if opts.All {
		n, err := store.QueueAll(ctx)
		if err != nil {
			return failure(err)
		}
		streams.Notice("%d documents (records and their earlier versions) queued for delivery", n)
	}
	d := newDeliverer(conf, c, store, streams)
	streams.Notice("delivering %s to %s", dir, archiveName(c))
	start := time.Now()
	stop := streams.startProgress(ctx, deliveryProgress(d, store))
	drainErr := d.Drain(ctx)
	stop()
	_ = c.Refresh(context.WithoutCancel(ctx))
	return deliverySummary(streams.ErrOut, d, store, dir, time.Since(start), drainErr)
}

func newIndexStatusCmd(streams IOStreams) *cobra.Command {
	return indexCmd(streams, &cobra.Command{
		Use:   "status [--data-dir D]",
		Short: "Show how many of a data dir's records are delivered, pending and rejected",
	}, true, runIndexStatus)
}

func runIndexStatus(ctx context.Context, opts *indexOptions) error {
	conf := opts.Config
	dir := conf.DataDir
	store, err := openExisting(dir, local.OpenOutbox)
	if err != nil {
		return failure(err)
	}
	defer store.Close()
	n, err := store.Count()
	if err != nil {
		return failure(err)
	}
	pending, rejected, err := store.DeliveryCounts()
	if err != nil {
		return failure(err)
	}
	nv, _, err := store.VersionStats()
	if err != nil {
		return failure(err)
	}
	fmt.Fprintf(opts.IO.Out, "records\t%d\nversions\t%d\ndelivered\t%d\npending\t%d\nrejected\t%d\n", n, nv, int(n)+nv-pending-rejected, pending, rejected)
	c, err := connectArchive(ctx, conf)
	if err != nil {
		opts.IO.Notice("archive not reached: %v", err)
		return nil
	}
	count, err := c.Count(ctx)
	if err != nil {
		opts.IO.Notice("archive: %v", err)
		return nil
	}
	fmt.Fprintf(opts.IO.Out, "archive\t%d\t%s\n", count, archiveName(c))
	return nil
}
