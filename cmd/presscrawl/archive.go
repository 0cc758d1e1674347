package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/index/remote"
	"github.com/presscrawl/presscrawl/internal/config"
	"github.com/presscrawl/presscrawl/record"
)

// def is the configuration's defaults: flags show them in their help.
var def = config.Default()

// addDataDirFlag declares --data-dir, which every command that reads or
// writes a data dir has.
func addDataDirFlag(f *pflag.FlagSet) {
	f.String("data-dir", def.DataDir, "the data directory: records, search index, crawl state, delivery queue")
}

// deadLetterFile is where the archive's refusals are kept, in the data dir.
const deadLetterFile = "dead-letter.jsonl"

// addArchiveFlags declares the flags that choose and reach the archive,
// and returns their config keys.
func addArchiveFlags(f *pflag.FlagSet, withBackend bool) map[string]string {
	keys := map[string]string{"es-url": keyESURL, "es-index": keyESIndex, "es-ca-cert": keyESCACert}
	if withBackend {
		f.String("index", def.Index.Backend, "where records are read from or go to: local (the embedded index of --data-dir) or elasticsearch (the archive; OpenSearch too)")
		keys["index"] = keyIndexBackend
	}
	f.String("es-url", def.ES.URL, "the archive's address (also ELASTICSEARCH_URL); credentials from PRESSCRAWL_ES_USERNAME/_PASSWORD or PRESSCRAWL_ES_API_KEY, never a flag")
	f.String("es-index", def.ES.Index, "the archive's index alias")
	f.String("es-ca-cert", "", "PEM file of a certificate authority the archive's TLS certificate is signed by (verification stays on)")
	return keys
}

// merge joins flag-to-key maps.
func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// backend is the index the configuration names: local or elasticsearch
// (config.Validate refused anything else).
func backend(conf config.Config) string { return conf.Index.Backend }

func esConfig(conf config.Config) elastic.Config {
	return elastic.Config{URL: conf.ES.URL, Index: conf.ES.Index, Username: conf.ES.Username,
		Password: conf.ES.Password, APIKey: conf.ES.APIKey, CACert: conf.ES.CACert}
}

// connectArchive connects to the archive: an error naming it and why.
func connectArchive(ctx context.Context, conf config.Config) (*elastic.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return elastic.Connect(ctx, esConfig(conf))
}

// reader is what search, stats and export need of an index: the local
// one, or the archive.
type reader interface {
	SearchWith(ctx context.Context, query string, o index.SearchOptions) ([]index.Hit, uint64, error)
	Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error)
	Each(ctx context.Context, query string, fn func(*record.Record) error) error
	// Get is the record with id, or nil.
	Get(ctx context.Context, id string) (*record.Record, error)
	// GetPrefix is the one record whose id starts with prefix, or nil.
	GetPrefix(ctx context.Context, prefix string) (*record.Record, error)
	// Repaired says what opening had to repair, or "".
	Repaired() string
	Close() error
}

// openReader opens the index the read commands use.
func openReader(ctx context.Context, conf config.Config) (reader, error) {
	if backend(conf) == "elasticsearch" {
		c, err := connectArchive(ctx, conf)
		if err != nil {
			return nil, failure(err)
		}
		return archiveReader{c}, nil
	}
	store, err := openExisting(conf.DataDir, index.OpenLocal)
	if errors.Is(err, index.ErrInUse) {
		// A crawl holds the data dir: read what it committed, through it.
		if c, derr := remote.Dial(ctx, filepath.Join(conf.DataDir, remote.SocketName)); derr == nil {
			return c, nil
		}
	}
	if err != nil {
		return nil, failure(err)
	}
	return localReader{store}, nil
}

// openRead opens the index a read command uses and says on stderr what
// opening had to repair.
func openRead(ctx context.Context, open func(context.Context, config.Config) (reader, error), conf config.Config, io IOStreams) (reader, error) {
	store, err := open(ctx, conf)
	if err != nil {
		return nil, err
	}
	if msg := store.Repaired(); msg != "" {
		fmt.Fprintf(io.ErrOut, "presscrawl: %s\n", msg)
	}
	return store, nil
}

// archiveReader reads the archive.
type archiveReader struct{ *elastic.Client }

func (archiveReader) Close() error { return nil }

func (archiveReader) Repaired() string { return "" }

func (l localReader) Repaired() string { return l.Local.Notice }

func (l localReader) Get(_ context.Context, id string) (*record.Record, error) {
	return l.Local.Get(id)
}

func (l localReader) GetPrefix(_ context.Context, prefix string) (*record.Record, error) {
	return l.Local.GetPrefix(prefix)
}

// localReader reads the local index.
type localReader struct{ *index.Local }

func (l localReader) Each(ctx context.Context, query string, fn func(*record.Record) error) error {
	if query == "" {
		return l.Local.Each(ctx, fn)
	}
	return l.Local.EachMatch(ctx, query, fn) // streamed, in id order
}

func (l localReader) Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error) {
	counter, err := facets.New(by)
	if err != nil {
		return nil, 0, err
	}
	if err := l.Each(ctx, query, func(r *record.Record) error { counter.Add(r); return nil }); err != nil {
		return nil, 0, err
	}
	return counter.Counts(top), counter.Records(), nil
}

// newDeliverer makes the deliverer of a data dir's outbox to the archive.
func newDeliverer(conf config.Config, c *elastic.Client, store *index.Local, dir string, notify func(string)) *elastic.Deliverer {
	return &elastic.Deliverer{Client: c, Outbox: store, DeadLetter: filepath.Join(dir, deadLetterFile),
		Workers: conf.ES.BulkWorkers, Notify: notify, Patience: conf.ES.Wait}
}

// searchError is the exit error of a failed search: a query the index
// cannot read is a usage error.
func searchError(err error) error {
	if errors.Is(err, index.ErrBadQuery) {
		return usageError(err)
	}
	return failure(err)
}
