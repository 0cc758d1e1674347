package main

import (
	"github.com/spf13/cobra"

	"github.com/presscrawl/presscrawl/internal/config"
)

// def is the configuration's defaults: flags show them in their help.
var def = config.Default()

// addDataDirFlag declares --data-dir, which every command that reads or
// writes a data dir has.
func addDataDirFlag(f *config.Flags) {
	f.Bind("data-dir", "data_dir", "the data directory: records, search index, crawl state, delivery queue")
}

// addArchiveFlags declares the flags that choose and reach the archive.
func addArchiveFlags(f *config.Flags, withBackend bool) {
	if withBackend {
		f.Bind("index", "index.backend", "where records are read from or go to: local (the embedded index of --data-dir) or elasticsearch (the archive; OpenSearch too)")
	}
	f.Bind("es-url", "es.url", "the archive's address (also ELASTICSEARCH_URL); credentials from PRESSCRAWL_ES_USERNAME/_PASSWORD or PRESSCRAWL_ES_API_KEY, never a flag")
	f.Bind("es-index", "es.index", "the archive's index alias")
	f.Bind("es-ca-cert", "es.ca_cert", "PEM file of a certificate authority the archive's TLS certificate is signed by (verification stays on)")
	f.Bind("es-ca-fingerprint", "es.ca_fingerprint", "SHA-256 fingerprint of the CA certificate Elasticsearch 8 printed on its first start (hex, colons allowed), trusted instead of a CA file")
	f.Bind("es-cloud-id", "es.cloud_id", "an Elastic Cloud deployment's id, instead of --es-url")
}

// readFlags declares the flags of the commands that read an index (search,
// stats, export, show): the data dir and the archive.
func readFlags(cmd *cobra.Command) *config.Flags {
	f := config.NewFlags(cmd.Flags())
	addDataDirFlag(f)
	addArchiveFlags(f, true)
	return f
}

// loadConfig builds the effective configuration of cmd: its flags f, then
// PRESSCRAWL_* variables, then the config file (--config), then defaults.
func loadConfig(cmd *cobra.Command, f *config.Flags) (config.Config, error) {
	path, _ := cmd.Flags().GetString("config")
	return config.Load(f, path)
}
