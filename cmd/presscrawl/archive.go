package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/presscrawl/presscrawl/facets"
	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/index/elastic"
	"github.com/presscrawl/presscrawl/record"
)

// deadLetterFile is where the archive's refusals are kept, in the data dir.
const deadLetterFile = "dead-letter.jsonl"

// addArchiveFlags declares the flags that choose and reach the archive,
// and returns their config keys.
func addArchiveFlags(f *pflag.FlagSet, withBackend bool) map[string]string {
	keys := map[string]string{"es-url": keyESURL, "es-index": keyESIndex, "es-ca-cert": keyESCACert}
	if withBackend {
		f.String("index", "", "where records are read from or go to: local (the embedded index of --data-dir) or elasticsearch (the archive; OpenSearch too) (default local)")
		keys["index"] = keyIndexBackend
	}
	f.String("es-url", "", "the archive's address (default http://localhost:9200; also ELASTICSEARCH_URL); credentials from PRESSCRAWL_ES_USERNAME/_PASSWORD or PRESSCRAWL_ES_API_KEY, never a flag")
	f.String("es-index", "", "the archive's index alias (default articles)")
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

// backend is the index the configuration names: local or elasticsearch.
func backend(v *viper.Viper) (string, error) {
	switch b := v.GetString(keyIndexBackend); b {
	case "local", "":
		return "local", nil
	case "elasticsearch", "es", "opensearch":
		return "elasticsearch", nil
	default:
		return "", fmt.Errorf("--index %q: want local or elasticsearch", b)
	}
}

func esConfig(v *viper.Viper) elastic.Config {
	return elastic.Config{URL: v.GetString(keyESURL), Index: v.GetString(keyESIndex), Username: v.GetString(keyESUsername),
		Password: v.GetString(keyESPassword), APIKey: v.GetString(keyESAPIKey), CACert: v.GetString(keyESCACert)}
}

// connectArchive connects to the archive: an error naming it and why.
func connectArchive(ctx context.Context, v *viper.Viper) (*elastic.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return elastic.Connect(ctx, esConfig(v))
}

// reader is what search, stats and export need of an index: the local
// one, or the archive.
type reader interface {
	Search(ctx context.Context, query string, limit int) ([]index.Hit, uint64, error)
	Counts(ctx context.Context, by, query string, top int) ([]facets.Count, int, error)
	Each(ctx context.Context, query string, fn func(*record.Record) error) error
	Close() error
}

// openReader opens the index the read commands use.
func openReader(cmd *cobra.Command, v *viper.Viper) (reader, error) {
	b, err := backend(v)
	if err != nil {
		return nil, usageError(err)
	}
	if b == "elasticsearch" {
		c, err := connectArchive(cmd.Context(), v)
		if err != nil {
			return nil, failure(err)
		}
		return archiveReader{c}, nil
	}
	store, err := openExisting(v.GetString(keyDataDir))
	if err != nil {
		return nil, failure(err)
	}
	return localReader{store}, nil
}

// archiveReader reads the archive.
type archiveReader struct{ *elastic.Client }

func (archiveReader) Close() error { return nil }

// localReader reads the local index.
type localReader struct{ *index.Local }

func (l localReader) Each(ctx context.Context, query string, fn func(*record.Record) error) error {
	if query == "" {
		return l.Local.Each(ctx, fn)
	}
	n, err := l.Count()
	if err != nil {
		return err
	}
	hits, _, err := l.Search(ctx, query, int(n))
	if err != nil {
		return err
	}
	for _, h := range hits {
		if err := fn(h.Record); err != nil {
			return err
		}
	}
	return nil
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
func newDeliverer(v *viper.Viper, c *elastic.Client, store *index.Local, dir string, notify func(string)) *elastic.Deliverer {
	return &elastic.Deliverer{Client: c, Outbox: store, DeadLetter: filepath.Join(dir, deadLetterFile),
		Workers: v.GetInt(keyESBulkWorkers), Notify: notify}
}

// searchError is the exit error of a failed search: a query the index
// cannot read is a usage error.
func searchError(err error) error {
	if errors.Is(err, index.ErrBadQuery) {
		return usageError(err)
	}
	return failure(err)
}
