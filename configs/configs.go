// Package configs holds the files users read and edit beside the code: the
// documented configuration (presscrawl.yaml) and the Kibana / OpenSearch
// Dashboards saved objects (kibana-dashboard.ndjson, dashboards-dashboard.ndjson) that
// `presscrawl kibana setup` imports, embedded so the binary carries them.
package configs

import _ "embed"

// Dashboard is the starter dashboard, its visualizations and saved search,
// as saved-objects NDJSON for Kibana 8 and 9 (typeMigrationVersion and
// coreMigrationVersion, as Kibana's import documentation asks of files kept
// outside Kibana; importable by hand in its Saved Objects page too).
// DashboardOSD is the same objects for OpenSearch Dashboards
// (migrationVersion, its format); Dashboard is derived from it (a test of
// package kibana holds the two together and rewrites Dashboard with
// UPDATE=1). Their objects refer to the data view ids below.
//
//go:embed kibana-dashboard.ndjson
var Dashboard []byte

//go:embed dashboards-dashboard.ndjson
var DashboardOSD []byte

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
