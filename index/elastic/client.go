// Package elastic is the shared archive: records in Elasticsearch (7.17, 8)
// or OpenSearch (2.x), searched and charted in Kibana or OpenSearch
// Dashboards. It sets up the index (a composable template, a first index
// behind a write alias), delivers records from the local index's outbox
// with the bulk API (Deliverer), and answers the read commands (search,
// stats, export) from the archive.
//
// It speaks to the servers through go-elasticsearch's esapi and esutil
// over elastictransport directly: elasticsearch.NewClient refuses servers
// that do not send X-Elastic-Product, which OpenSearch does not.
package elastic

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// Config says where the archive is and how to log in. Credentials come from
// the environment or the config file, never from flags.
type Config struct {
	URL string // http(s)://host:9200; required
	// Index is the write alias the records go to and are read from
	// (default "articles"); the indices behind it are named <Index>-000001...
	Index string
	// Username and Password, or APIKey (base64 "id:key" as Elasticsearch
	// issues it), when the server asks for them.
	Username, Password, APIKey string
	// CACert is a PEM file of an authority to trust besides the system's.
	// Certificates are always verified.
	CACert string
	// CAFingerprint, instead, pins the SHA-256 fingerprint (hex, colons
	// allowed) of the CA certificate Elasticsearch 8 prints on its first
	// start, or of the server's own certificate.
	CAFingerprint string
	// CloudID, instead of URL, is an Elastic Cloud deployment's id.
	CloudID string
	// LifecyclePolicy names an ILM (Elasticsearch) or ISM (OpenSearch)
	// policy for the indices behind the alias; it must exist.
	LifecyclePolicy string
	// Timeout bounds one request (default 60s).
	Timeout time.Duration
}

// DefaultIndex is the alias records go to when Config.Index is empty.
const DefaultIndex = "articles"

// Client is a connection to one archive.
type Client struct {
	cfg     Config
	tr      esapi.Transport
	api     *esapi.API
	Server  Server
	display string // the URL without userinfo
	base    *http.Transport
	// the aliases' write indices, for delivery after a rollover
	aliasMu sync.Mutex
	aliases map[string]aliasEntry
}

// Server is what the archive says it is.
type Server struct {
	Distribution string // "elasticsearch" or "opensearch"
	Version      string // "8.14.1", "2.19.6"
}

func (s Server) String() string {
	name := "Elasticsearch"
	if s.Distribution == "opensearch" {
		name = "OpenSearch"
	}
	return name + " " + s.Version
}

// ErrUnreachable wraps every failure to reach the archive (refused,
// reset, timed out, DNS): the deliverer waits these out.
var ErrUnreachable = errors.New("archive unreachable")

// Connect checks the configuration, asks the server what it is (GET /),
// and refuses one too old for presscrawl's requests.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.Index == "" {
		cfg.Index = DefaultIndex
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if err := checkIndexName(cfg.Index); err != nil {
		return nil, err
	}
	if cfg.CloudID != "" {
		es, _, err := CloudURLs(cfg.CloudID)
		if err != nil {
			return nil, err
		}
		cfg.URL = es
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("Elasticsearch URL %q: want http(s)://host:port", urlcanon.Redact(cfg.URL))
	}
	if u.User != nil { // user:password@ in the URL: take them, never print them
		if cfg.Username == "" {
			cfg.Username = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && cfg.Password == "" {
			cfg.Password = p
		}
		u.User = nil
	}
	base := &http.Transport{Proxy: http.ProxyFromEnvironment, DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, ResponseHeaderTimeout: cfg.Timeout, MaxIdleConnsPerHost: 8}
	if cfg.CAFingerprint != "" {
		if cfg.CACert != "" {
			return nil, errors.New("give the archive's CA certificate (es.ca_cert) or its fingerprint (es.ca_fingerprint), not both")
		}
		fp, err := ParseFingerprint(cfg.CAFingerprint)
		if err != nil {
			return nil, err
		}
		// Not elastictransport's CertificateFingerprint: its dial has no
		// timeout nor context, and it takes any certificate of the chain.
		base.TLSClientConfig = pinnedTLS(fp)
	}
	tc := elastictransport.Config{URLs: []*url.URL{u}, Username: cfg.Username, Password: cfg.Password, APIKey: cfg.APIKey,
		Transport: base, DisableRetry: true, UserAgent: "presscrawl"}
	if cfg.CACert != "" {
		pem, err := os.ReadFile(cfg.CACert)
		if err != nil {
			return nil, fmt.Errorf("the archive's CA certificate %s: %w", cfg.CACert, err)
		}
		tc.CACert = pem
	}
	tr, err := elastictransport.New(tc)
	if err != nil {
		return nil, fmt.Errorf("Elasticsearch client for %s: %w", urlcanon.Redact(cfg.URL), err)
	}
	c := &Client{cfg: cfg, tr: tr, api: esapi.New(tr), display: u.String(), base: base}
	var v struct {
		Version struct {
			Number       string `json:"number"`
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	info := func(ctx context.Context) (*esapi.Response, error) { return c.api.Info(c.api.Info.WithContext(ctx)) }
	if err := c.do(ctx, info, &v, "ask the server what it is"); err != nil {
		return nil, err
	}
	c.Server = Server{Distribution: v.Version.Distribution, Version: v.Version.Number}
	if c.Server.Distribution == "" {
		c.Server.Distribution = "elasticsearch"
	}
	if err := c.Server.supported(); err != nil {
		return nil, fmt.Errorf("%s: %w", c.display, err)
	}
	return c, nil
}

// supported refuses servers below Elasticsearch 7.17 and OpenSearch 2.0.
func (s Server) supported() error {
	major, minor := versionOf(s.Version)
	switch {
	case s.Distribution == "opensearch" && major < 2:
		return fmt.Errorf("%s is too old: presscrawl needs OpenSearch 2.0 or later", s)
	case s.Distribution != "opensearch" && (major < 7 || major == 7 && minor < 17):
		return fmt.Errorf("%s is too old: presscrawl needs Elasticsearch 7.17 or later", s)
	}
	return nil
}

func versionOf(v string) (major, minor int) {
	parts := strings.SplitN(v, ".", 3)
	major, _ = strconv.Atoi(parts[0])
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major, minor
}

// ErrIndexName is an index name the archive would refuse.
var ErrIndexName = errors.New("not an index name")

// checkIndexName refuses what Elasticsearch refuses as an index name,
// before any request.
func checkIndexName(name string) error {
	if name != strings.ToLower(name) || strings.ContainsAny(name, `\/*?"<>| ,#:`) || strings.HasPrefix(name, "-") ||
		strings.HasPrefix(name, "_") || strings.HasPrefix(name, "+") || name == "." || name == ".." || len(name) > 200 {
		return fmt.Errorf("archive index name %q: %w: an index name is lower case, without spaces, \\ / * ? \" < > | , # :, and does not start with - _ +", name, ErrIndexName)
	}
	return nil
}

// Close implements io.Closer: it closes the client's idle connections.
func (c *Client) Close() error {
	c.base.CloseIdleConnections()
	return nil
}

// URL is the archive's address, without credentials.
func (c *Client) URL() string { return c.display }

// Index is the alias the records go to.
func (c *Client) Index() string { return c.cfg.Index }

// Transport is the client's transport, for esutil.BulkIndexer.
func (c *Client) Transport() esapi.Transport { return c.tr }

// apiError is a refusal with the server's own reason.
type apiError struct {
	Status int
	Type   string
	Reason string
}

func (e *apiError) Error() string {
	if e.Type == "" && e.Reason == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	if e.Type == "" {
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Reason)
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Type, e.Reason)
}

// request is one esapi call bound to its arguments.
type request func(ctx context.Context) (*esapi.Response, error)

// do runs a request and decodes a 2xx body into out (when not nil).
func (c *Client) do(ctx context.Context, call request, out any, what string) error {
	res, err := call(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s at %s: %w", what, c.display, ctx.Err())
		}
		return fmt.Errorf("%s at %s: %w: %s", what, c.display, ErrUnreachable, cleanErr(err))
	}
	defer res.Body.Close()
	if res.IsError() {
		return fmt.Errorf("%s at %s: %w", what, c.display, decodeError(res))
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, res.Body)
		return nil
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("%s at %s: reading the answer: %w", what, c.display, err)
	}
	return nil
}

// decodeError reads the server's error body.
func decodeError(res *esapi.Response) error {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	e := &apiError{Status: res.StatusCode}
	if json.Unmarshal(b, &body) == nil && len(body.Error) > 0 {
		var obj struct {
			Type      string `json:"type"`
			Reason    string `json:"reason"`
			RootCause []struct {
				Type   string `json:"type"`
				Reason string `json:"reason"`
			} `json:"root_cause"`
		}
		if json.Unmarshal(body.Error, &obj) == nil {
			e.Type, e.Reason = obj.Type, obj.Reason
			if len(obj.RootCause) > 0 && obj.RootCause[0].Reason != "" && obj.RootCause[0].Reason != obj.Reason {
				e.Reason += " (" + obj.RootCause[0].Reason + ")"
			}
		} else {
			var s string
			_ = json.Unmarshal(body.Error, &s)
			e.Reason = s
		}
	}
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		e.Reason = strings.TrimSpace(e.Reason + " (check the user name and password or API key: PRESSCRAWL_ES_USERNAME, PRESSCRAWL_ES_PASSWORD, PRESSCRAWL_ES_API_KEY)")
	}
	return e
}

// cleanErr is a transport error without the URL's credentials (Go's url
// errors print the URL).
func cleanErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + " " + urlcanon.Redact(ue.URL) + ": " + ue.Err.Error()
	}
	return err.Error()
}

// statusOf is the HTTP status of a refusal, or 0.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}
