package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/crawler"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/kibana"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// kibanaOptions are what kibana setup needs.
type kibanaOptions struct {
	IO     IOStreams
	Setup  kibana.Config
	CACert string
}

func newKibanaCmd(streams IOStreams, runF func(context.Context, *kibanaOptions) error) *cobra.Command {
	opts := &kibanaOptions{IO: streams}
	cmd := &cobra.Command{
		Use:   "kibana setup --kibana-url URL | --dashboards-url URL",
		Short: "Set up Kibana or OpenSearch Dashboards for the archive",
	}
	setup := &cobra.Command{
		Use:   "setup (--kibana-url URL | --dashboards-url URL) [--es-index ALIAS]",
		Short: "Create the data views and import the starter dashboard (idempotent)",
		Long: `Setup creates three data views: two on the archive's alias (time field
published_at, and fetched_at) and one on its earlier versions, <alias>-versions
(fetched_at); then it imports the starter dashboard
(articles per day, per site, per language, top authors, the most republished
stories, wire agencies, the newest records; it opens on the last ten years)
with its visualizations and saved search, from configs/kibana-dashboard.ndjson
or configs/dashboards-dashboard.ndjson (built into presscrawl). Running it again overwrites the same objects.

Kibana 8 (--kibana-url): the data views API and the saved objects import.
OpenSearch Dashboards 2 (--dashboards-url): index patterns and the import
through its saved objects API. Credentials: PRESSCRAWL_KIBANA_USERNAME and
PRESSCRAWL_KIBANA_PASSWORD, or PRESSCRAWL_KIBANA_API_KEY. A server starting
up is waited for (--wait) on its /api/status. On Elastic Cloud, es.cloud_id
(--es-cloud-id, PRESSCRAWL_ES_CLOUD_ID) gives Kibana's address.`,
		Args: cobra.NoArgs,
	}
	setup.Flags().String("kibana-url", "", "Kibana's address, e.g. http://localhost:5601")
	setup.Flags().String("dashboards-url", "", "OpenSearch Dashboards' address, e.g. http://localhost:5601")
	keyed := config.NewFlags(setup.Flags())
	keyed.Bind("es-index", "es.index", "the archive's index alias the data views read")
	keyed.Bind("es-cloud-id", "es.cloud_id", "an Elastic Cloud deployment's id: Kibana's address is taken from it when --kibana-url is not given")
	setup.Flags().String("kibana-space", "", "the Kibana space to set up in (default: the default space)")
	setup.Flags().Duration("wait", 2*time.Minute, "how long to wait for a server starting up (Kibana answers 503 \"not ready yet\" for a minute or two after docker compose up); 0: try once")
	setup.Flags().StringVar(&opts.CACert, "ca-cert", "", "PEM file of a certificate authority the server's TLS certificate is signed by (verification stays on)")
	setup.RunE = func(cmd *cobra.Command, _ []string) error {
		conf, err := loadConfig(cmd, keyed)
		if err != nil {
			return usageError(err)
		}
		kURL, _ := cmd.Flags().GetString("kibana-url")
		dURL, _ := cmd.Flags().GetString("dashboards-url")
		cfg := kibana.Config{Alias: conf.ES.Index, Username: os.Getenv("PRESSCRAWL_KIBANA_USERNAME"),
			Password: os.Getenv("PRESSCRAWL_KIBANA_PASSWORD"), APIKey: os.Getenv("PRESSCRAWL_KIBANA_API_KEY")}
		switch {
		case kURL != "" && dURL != "":
			return usageError(errors.New("give --kibana-url or --dashboards-url, not both"))
		case kURL != "":
			cfg.URL, cfg.Flavor = kURL, kibana.Kibana
		case dURL != "":
			cfg.URL, cfg.Flavor = dURL, kibana.Dashboards
		case conf.ES.CloudID != "": // an Elastic Cloud deployment: its Kibana is in the id
			_, kb, err := elastic.CloudURLs(conf.ES.CloudID)
			if err != nil {
				return usageError(fmt.Errorf("es.cloud_id: %w", err))
			}
			if kb == "" {
				return usageError(errors.New("es.cloud_id names no Kibana: give --kibana-url"))
			}
			cfg.URL, cfg.Flavor = kb, kibana.Kibana
		default:
			return usageError(errors.New("kibana setup needs --kibana-url URL (Kibana) or --dashboards-url URL (OpenSearch Dashboards), or es.cloud_id"))
		}
		cfg.Space, _ = cmd.Flags().GetString("kibana-space")
		wait, _ := cmd.Flags().GetDuration("wait")
		if cfg.ReadyWait = wait; wait <= 0 {
			cfg.ReadyWait = -1 // one try
		}
		opts.Setup = cfg
		if runF != nil {
			return runF(cmd.Context(), opts)
		}
		return runKibanaSetup(cmd.Context(), opts)
	}
	cmd.AddCommand(setup)
	return cmd
}

// runKibanaSetup creates the data views and imports the dashboard.
func runKibanaSetup(ctx context.Context, opts *kibanaOptions) error {
	cfg, streams := opts.Setup, opts.IO
	client := &http.Client{Timeout: time.Minute}
	if ca := opts.CACert; ca != "" {
		pool, err := crawler.CertPool(ca)
		if err != nil {
			return usageError(err)
		}
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	cfg.HTTPClient = client
	ctx, cancel := context.WithTimeout(ctx, max(cfg.ReadyWait, 0)+2*time.Minute)
	defer cancel()
	res, err := kibana.Setup(ctx, cfg)
	if err != nil {
		return failure(err)
	}
	fmt.Fprintf(streams.ErrOut, "presscrawl: %s: data views %v on %s, %d saved objects imported (dashboard \"presscrawl: the archive at a glance\")\n",
		cfg.Flavor, res.DataViews, cfg.Alias, res.Imported)
	fmt.Fprintf(streams.ErrOut, "  dashboard: %s\n  discover:  %s\n", urlcanon.Redact(res.Dashboard), urlcanon.Redact(res.Discover))
	return nil
}
