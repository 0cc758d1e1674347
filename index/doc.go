// Package index holds what every place records go shares: the read
// interface the read commands, the socket server and the web face use
// (Reader), its options, hits and errors, the outcomes of a write
// (PutResult), a record the archive refused (Rejection), and the export
// formats (JSON Lines; CSV and TSV, formulas neutralised). The backends
// are packages of their own: index/local (the data dir's records, outbox and full-text index, the default), index/elastic
// (the Elasticsearch/OpenSearch archive fed from the outbox) and
// index/remote (a data dir read through the crawl that holds it). Nothing
// here links a search engine.
package index
