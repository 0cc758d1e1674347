// Package index is where article records go: the embedded local index (the
// default, no server needed) and JSON Lines output. The local index keeps
// every record in a bbolt file, the durable truth that exports read in id
// order, and a bleve full-text index derived from it for search.
package index
