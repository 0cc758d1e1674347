// Package extract turns one HTML page into one clean article record, or says
// that the page is not an article. It decides the charset, finds the body text
// with go-readability plus boilerplate rules of its own, and reads metadata
// (JSON-LD, OpenGraph, meta tags, <time>, the visible date next to the title),
// dates and language. It is pure: no network, no files, no global state beyond
// lazily loaded lookup tables.
package extract
