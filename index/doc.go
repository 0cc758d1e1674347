// Package index is where article records go: the data dir's local index
// (the default, no server needed) and JSON Lines output. The local index
// keeps every record in a bbolt file, the durable truth that exports read in
// id order, with a delivery outbox written in the same transaction (the
// archive in index/elastic is fed from it), and a bleve full-text index
// derived from the records for search, rebuilt from them when it is lost,
// behind, or was left aside by a crawl whose search is the archive.
package index
