// Package kibana sets up Kibana (8.x) or OpenSearch Dashboards (2.x) for
// the archive: three data views (the alias by published_at and by
// fetched_at, its earlier versions by fetched_at), and the starter
// dashboard with its visualizations and saved search
// (configs/kibana-dashboard.ndjson, configs/dashboards-dashboard.ndjson),
// through their documented HTTP APIs. Every step can run again: objects
// have fixed ids and are overwritten in place.
package kibana

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/presscrawl/presscrawl/configs"
	"github.com/presscrawl/presscrawl/urlcanon"
)

// Flavor is the kind of dashboard server.
type Flavor int

// The servers presscrawl sets up.
const (
	Kibana     Flavor = iota // Kibana 8: the data views API, header kbn-xsrf
	Dashboards               // OpenSearch Dashboards 2: index patterns as saved objects, header osd-xsrf
)

func (f Flavor) String() string {
	if f == Dashboards {
		return "OpenSearch Dashboards"
	}
	return "Kibana"
}

// Config says where the server is and what to set up.
type Config struct {
	URL    string // http(s)://host:5601
	Flavor Flavor
	// Alias is the archive's index alias the data views read.
	Alias string
	// Username and Password, or APIKey (Kibana), when the server asks.
	Username, Password, APIKey string
	// HTTPClient, when set, replaces the default client (a CA of one's own).
	HTTPClient *http.Client
	// ReadyWait bounds the wait for the server to be ready (/api/status:
	// Kibana answers 503 "not ready yet" for a minute or two after it
	// starts); 0 means DefaultReadyWait, a negative wait one try.
	ReadyWait time.Duration
	readyPoll time.Duration // between two status requests (tests)
	// Space is the Kibana space the objects go to ("" or "default": the
	// default space); OpenSearch Dashboards has none.
	Space string
}

// DefaultReadyWait is how long setup waits for a server starting up.
const DefaultReadyWait = 3 * time.Minute

// Result lists what Setup did.
type Result struct {
	DataViews []string // ids created or updated
	Imported  int      // saved objects imported
	// Dashboard and Discover are where to open them.
	Dashboard, Discover string
}

// Setup creates or updates the data views and imports the dashboard.
func Setup(ctx context.Context, cfg Config) (Result, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Result{}, fmt.Errorf("%s URL %q: want http(s)://host:port", cfg.Flavor, urlcanon.Redact(cfg.URL))
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: time.Minute}
	}
	base := strings.TrimSuffix(cfg.URL, "/")
	if sp := strings.TrimSpace(cfg.Space); sp != "" && sp != "default" {
		if cfg.Flavor == Dashboards {
			return Result{}, fmt.Errorf("a space (%q) is Kibana's: OpenSearch Dashboards has none", sp)
		}
		if strings.ContainsAny(sp, "/?#% ") {
			return Result{}, fmt.Errorf("space %q: a Kibana space id has no slash, space or URL syntax", sp)
		}
		base += "/s/" + sp // every API of a space is under its path
	}
	s := &session{cfg: cfg, base: base}
	res := Result{Dashboard: base + "/app/dashboards#/view/" + configs.DashboardID, Discover: base + "/app/discover"}
	if cfg.Flavor == Dashboards {
		res.Discover = base + "/app/data-explorer/discover"
	}
	if err := s.waitReady(ctx); err != nil {
		return res, err
	}
	views := []struct{ id, name, timeField string }{
		{configs.DataViewPublished, "presscrawl: " + cfg.Alias + " (by publication date)", "published_at"},
		{configs.DataViewFetched, "presscrawl: " + cfg.Alias + " (by fetch date)", "fetched_at"},
		{configs.DataViewVersions, "presscrawl: " + cfg.Alias + " earlier versions (by fetch date)", "fetched_at"},
	}
	for _, v := range views {
		title := cfg.Alias
		if v.id == configs.DataViewVersions {
			title += "-versions" // index/elastic's companion index of earlier versions
		}
		var err error
		if cfg.Flavor == Dashboards {
			err = s.indexPattern(ctx, v.id, title, v.timeField)
		} else {
			err = s.dataView(ctx, v.id, title, v.name, v.timeField)
		}
		if err != nil {
			return res, err
		}
		res.DataViews = append(res.DataViews, v.id)
	}
	objects := configs.Dashboard
	if cfg.Flavor == Dashboards {
		objects = configs.DashboardOSD
	}
	n, err := s.importObjects(ctx, objects)
	res.Imported = n
	return res, err
}

type session struct {
	cfg  Config
	base string
}

// waitReady polls GET /api/status until the server says it is available
// (Kibana: status.overall.level "available"; Dashboards: state "green"
// or "yellow"), at most ReadyWait: a server refusing connections or
// answering 503 is starting up.
func (s *session) waitReady(ctx context.Context) error {
	wait, poll := s.cfg.ReadyWait, s.cfg.readyPoll
	if wait == 0 {
		wait = DefaultReadyWait
	}
	if poll <= 0 {
		poll = 2 * time.Second
	}
	deadline := time.Now().Add(wait)
	var last error
	for {
		var st struct {
			Status struct {
				Overall struct {
					Level string `json:"level"`
					State string `json:"state"`
				} `json:"overall"`
			} `json:"status"`
		}
		code, err := s.request(ctx, http.MethodGet, "/api/status", "", nil, &st)
		o := st.Status.Overall
		switch {
		case err == nil && (o.Level == "available" || o.Level == "degraded" || o.State == "green" || o.State == "yellow" || o.Level == "" && o.State == ""):
			return nil
		case err == nil:
			last = fmt.Errorf("%s at %s: not ready: status %s%s", s.cfg.Flavor, urlcanon.Redact(s.base), o.Level, o.State)
		case code == http.StatusUnauthorized || code == http.StatusForbidden:
			return err // credentials: waiting mends nothing
		default:
			last = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().Add(poll).After(deadline) {
			return fmt.Errorf("%w (not ready after %s of waiting)", last, wait)
		}
		select {
		case <-time.After(poll):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// request sends one API request with the xsrf header and credentials, and
// decodes a 2xx JSON answer into out.
func (s *session) request(ctx context.Context, method, path, contentType string, body []byte, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return 0, err
	}
	if s.cfg.Flavor == Dashboards {
		req.Header.Set("osd-xsrf", "true")
	} else {
		req.Header.Set("kbn-xsrf", "true")
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	switch {
	case s.cfg.APIKey != "":
		req.Header.Set("Authorization", "ApiKey "+s.cfg.APIKey)
	case s.cfg.Username != "":
		req.SetBasicAuth(s.cfg.Username, s.cfg.Password)
	}
	res, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s at %s: %s %s: %w", s.cfg.Flavor, urlcanon.Redact(s.base), method, path, unwrapURL(err))
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%s at %s: %s %s: HTTP %d: %s", s.cfg.Flavor, urlcanon.Redact(s.base), method, path, res.StatusCode, message(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s at %s: %s %s: reading the answer: %w", s.cfg.Flavor, urlcanon.Redact(s.base), method, path, err)
		}
	}
	return res.StatusCode, nil
}

// sourceFilters keep Discover from fetching, for every row shown, the
// fields nobody reads there: the page's HTML and the analysed copies of
// the text.
var sourceFilters = []map[string]string{{"value": "html"}, {"value": "text_en"}, {"value": "text_ar"}}

// fieldFormats show url as a link.
var fieldFormats = map[string]any{"url": map[string]any{"id": "url"}}

// dataView creates a Kibana data view, or updates it when it exists
// (GET /api/data_views/data_view/{id}, then POST create or POST update).
func (s *session) dataView(ctx context.Context, id, title, name, timeField string) error {
	status, err := s.request(ctx, http.MethodGet, "/api/data_views/data_view/"+id, "", nil, nil)
	switch {
	case err == nil:
		body, _ := json.Marshal(map[string]any{"data_view": map[string]any{"title": title, "name": name, "timeFieldName": timeField,
			"sourceFilters": sourceFilters, "fieldFormats": fieldFormats}})
		_, err = s.request(ctx, http.MethodPost, "/api/data_views/data_view/"+id, "application/json", body, nil)
		return err
	case status == http.StatusNotFound:
		body, _ := json.Marshal(map[string]any{"data_view": map[string]any{"id": id, "title": title, "name": name, "timeFieldName": timeField,
			"sourceFilters": sourceFilters, "fieldFormats": fieldFormats}})
		_, err = s.request(ctx, http.MethodPost, "/api/data_views/data_view", "application/json", body, nil)
		return err
	default:
		return err
	}
}

// indexPattern creates or overwrites an OpenSearch Dashboards index
// pattern (POST /api/saved_objects/index-pattern/{id}?overwrite=true).
func (s *session) indexPattern(ctx context.Context, id, title, timeField string) error {
	filters, _ := json.Marshal(sourceFilters)
	formats, _ := json.Marshal(fieldFormats)
	body, _ := json.Marshal(map[string]any{"attributes": map[string]any{"title": title, "timeFieldName": timeField,
		"sourceFilters": string(filters), "fieldFormatMap": string(formats)}})
	_, err := s.request(ctx, http.MethodPost, "/api/saved_objects/index-pattern/"+id+"?overwrite=true", "application/json", body, nil)
	return err
}

// importObjects imports saved objects, overwriting those with the same ids
// (POST /api/saved_objects/_import?overwrite=true, multipart field "file").
func (s *session) importObjects(ctx context.Context, ndjson []byte) (int, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "presscrawl-dashboard.ndjson")
	if err != nil {
		return 0, err
	}
	fw.Write(ndjson)
	if err := mw.Close(); err != nil {
		return 0, err
	}
	var out struct {
		Success      bool `json:"success"`
		SuccessCount int  `json:"successCount"`
		Errors       []struct {
			ID    string `json:"id"`
			Type  string `json:"type"`
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		} `json:"errors"`
	}
	if _, err := s.request(ctx, http.MethodPost, "/api/saved_objects/_import?overwrite=true", mw.FormDataContentType(), buf.Bytes(), &out); err != nil {
		return 0, err
	}
	if !out.Success || len(out.Errors) > 0 {
		var parts []string
		for _, e := range out.Errors {
			parts = append(parts, fmt.Sprintf("%s %s: %s %s", e.Type, e.ID, e.Error.Type, e.Error.Message))
		}
		return out.SuccessCount, fmt.Errorf("%s refused saved objects: %s", s.cfg.Flavor, strings.Join(parts, "; "))
	}
	return out.SuccessCount, nil
}

// message is the server's error message, or the body's start.
func message(b []byte) string {
	var e struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Message != "" {
		return e.Message
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// unwrapURL drops the URL Go's client puts in its errors (it may carry
// credentials).
func unwrapURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
