// Package configs holds the files users read and edit beside the code: the
// documented configuration (presscrawl.yaml) and the Kibana / OpenSearch
// Dashboards saved objects (kibana-dashboard.ndjson) that
// `presscrawl kibana setup` imports, embedded so the binary carries them.
package configs

import _ "embed"

// Dashboard is the starter dashboard, its visualizations and saved search,
// as saved-objects NDJSON (importable by hand in Kibana's Saved Objects
// page too). Its objects refer to the data view ids DataViewPublished and
// DataViewFetched.
//
//go:embed kibana-dashboard.ndjson
var Dashboard []byte

// The data views the saved objects refer to: the archive's alias with
// published_at, and with fetched_at, as time field; and the article
// versions' companion index (<alias>-versions) by fetch date.
const (
	DataViewPublished = "presscrawl-articles"
	DataViewFetched   = "presscrawl-articles-fetched"
	DataViewVersions  = "presscrawl-articles-versions"
	// DashboardID is the starter dashboard's id.
	DashboardID = "presscrawl-dashboard"
)
