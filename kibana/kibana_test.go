package kibana

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/configs"
	"github.com/presscrawl/presscrawl/index/elastic"
)

// fakeServer answers the documented APIs the way Kibana 8 or OpenSearch
// Dashboards 2 do, and refuses what they refuse: a request without the
// xsrf header, a create of an existing data view, an update of a missing
// one, an import whose references resolve to nothing.
type fakeServer struct {
	t        *testing.T
	flavor   Flavor
	mu       sync.Mutex
	views    map[string]map[string]any // id -> attributes
	objects  map[string]map[string]any // type/id -> object
	requests []string
	notReady int    // /api/status answers 503 this many times first
	space    string // the space of the last request
}

func newFake(t *testing.T, f Flavor) (*fakeServer, *httptest.Server) {
	fs := &fakeServer{t: t, flavor: f, views: map[string]map[string]any{}, objects: map[string]map[string]any{}}
	return fs, httptest.NewServer(fs)
}

func (f *fakeServer) fail(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"statusCode":%d,"error":%q,"message":%q}`, status, http.StatusText(status), msg)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	header := "kbn-xsrf"
	if f.flavor == Dashboards {
		header = "osd-xsrf"
	}
	if r.Header.Get(header) == "" {
		f.fail(w, 400, "Request must contain a "+header+" header.")
		return
	}
	body, _ := io.ReadAll(r.Body)
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/s/"); ok && f.flavor == Kibana { // a space's APIs
		sp, p, _ := strings.Cut(rest, "/")
		f.space, path = sp, "/"+p
	}
	if path == "/api/status" {
		if f.notReady > 0 { // "Kibana server is not ready yet", as right after docker compose up
			f.notReady--
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "Kibana server is not ready yet")
			return
		}
		if f.flavor == Dashboards {
			io.WriteString(w, `{"status":{"overall":{"state":"green"}}}`)
		} else {
			io.WriteString(w, `{"status":{"overall":{"level":"available"}}}`)
		}
		return
	}
	switch {
	case f.flavor == Kibana && r.Method == http.MethodGet && strings.HasPrefix(path, "/api/data_views/data_view/"):
		id := strings.TrimPrefix(path, "/api/data_views/data_view/")
		if v, ok := f.views[id]; ok {
			json.NewEncoder(w).Encode(map[string]any{"data_view": v})
			return
		}
		f.fail(w, 404, "Saved object [index-pattern/"+id+"] not found")
	case f.flavor == Kibana && r.Method == http.MethodPost && path == "/api/data_views/data_view":
		var req struct {
			DataView map[string]any `json:"data_view"`
		}
		if json.Unmarshal(body, &req) != nil || req.DataView["title"] == nil || req.DataView["id"] == nil {
			f.fail(w, 400, "[request body.data_view.title]: expected value of type [string]")
			return
		}
		id := req.DataView["id"].(string)
		if _, ok := f.views[id]; ok {
			f.fail(w, 409, "Duplicate data view")
			return
		}
		f.views[id] = req.DataView
		json.NewEncoder(w).Encode(map[string]any{"data_view": req.DataView})
	case f.flavor == Kibana && r.Method == http.MethodPost && strings.HasPrefix(path, "/api/data_views/data_view/"):
		id := strings.TrimPrefix(path, "/api/data_views/data_view/")
		var req struct {
			DataView map[string]any `json:"data_view"`
		}
		if json.Unmarshal(body, &req) != nil || req.DataView == nil {
			f.fail(w, 400, "bad body")
			return
		}
		if _, ok := req.DataView["id"]; ok {
			f.fail(w, 400, "[request body.data_view.id]: definition for this key is missing")
			return
		}
		if _, ok := f.views[id]; !ok {
			f.fail(w, 404, "not found")
			return
		}
		for k, v := range req.DataView {
			f.views[id][k] = v
		}
		json.NewEncoder(w).Encode(map[string]any{"data_view": f.views[id]})
	case f.flavor == Dashboards && r.Method == http.MethodPost && strings.HasPrefix(path, "/api/saved_objects/index-pattern/"):
		if r.URL.Query().Get("overwrite") != "true" {
			f.fail(w, 409, "conflict")
			return
		}
		var req struct {
			Attributes map[string]any `json:"attributes"`
		}
		if json.Unmarshal(body, &req) != nil || req.Attributes["title"] == nil {
			f.fail(w, 400, "attributes.title is required")
			return
		}
		id := strings.TrimPrefix(path, "/api/saved_objects/index-pattern/")
		f.views[id] = req.Attributes
		fmt.Fprintf(w, `{"id":%q,"type":"index-pattern"}`, id)
	case r.Method == http.MethodPost && path == "/api/saved_objects/_import":
		f.importObjects(w, r, body)
	default:
		f.fail(w, 404, "Not Found")
	}
}

func (f *fakeServer) importObjects(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.URL.Query().Get("overwrite") != "true" {
		f.fail(w, 400, "this test wants overwrite=true")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	file, _, err := r.FormFile("file")
	if err != nil {
		f.fail(w, 400, "[request body.file]: expected value of type [Stream]")
		return
	}
	var objs []map[string]any
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var o map[string]any
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			f.fail(w, 400, "Unexpected token in NDJSON")
			return
		}
		objs = append(objs, o)
	}
	inFile := map[string]bool{}
	for _, o := range objs {
		inFile[o["type"].(string)+"/"+o["id"].(string)] = true
	}
	var errs []map[string]any
	for _, o := range objs {
		refs, _ := o["references"].([]any)
		for _, x := range refs {
			ref := x.(map[string]any)
			key := ref["type"].(string) + "/" + ref["id"].(string)
			if ref["type"] == "index-pattern" && f.views[ref["id"].(string)] == nil || ref["type"] != "index-pattern" && !inFile[key] {
				errs = append(errs, map[string]any{"id": o["id"], "type": o["type"], "error": map[string]any{"type": "missing_references", "message": key}})
			}
		}
	}
	if len(errs) > 0 {
		json.NewEncoder(w).Encode(map[string]any{"success": false, "successCount": 0, "errors": errs})
		return
	}
	for _, o := range objs {
		f.objects[o["type"].(string)+"/"+o["id"].(string)] = o
	}
	json.NewEncoder(w).Encode(map[string]any{"success": true, "successCount": len(objs)})
}

func TestSetupKibanaTwice(t *testing.T) {
	fs, srv := newFake(t, Kibana)
	defer srv.Close()
	cfg := Config{URL: srv.URL, Flavor: Kibana, Alias: "articles"}
	for run := 1; run <= 2; run++ {
		res, err := Setup(context.Background(), cfg)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, strings.Join(fs.requests, "\n"))
		}
		if res.Imported != 8 || len(res.DataViews) != 3 {
			t.Errorf("run %d: %+v", run, res)
		}
	}
	for _, want := range []struct{ id, title, field string }{
		{configs.DataViewPublished, "articles", "published_at"},
		{configs.DataViewFetched, "articles", "fetched_at"},
		{configs.DataViewVersions, "articles-versions", "fetched_at"},
	} {
		v := fs.views[want.id]
		if v == nil || v["title"] != want.title || v["timeFieldName"] != want.field {
			t.Errorf("data view %s: %v, want title %s, time field %s", want.id, v, want.title, want.field)
		}
	}
	if len(fs.objects) != 8 || fs.objects["dashboard/presscrawl-dashboard"] == nil {
		t.Errorf("imported %d objects: %v", len(fs.objects), fs.objects)
	}
	// The second run updated the data views in place instead of creating them.
	joined := strings.Join(fs.requests, "\n")
	if strings.Count(joined, "POST /api/data_views/data_view\n") != 3 || !strings.Contains(joined, "POST /api/data_views/data_view/"+configs.DataViewPublished) {
		t.Errorf("requests:\n%s", joined)
	}
}

func TestSetupOpenSearchDashboards(t *testing.T) {
	fs, srv := newFake(t, Dashboards)
	defer srv.Close()
	cfg := Config{URL: srv.URL, Flavor: Dashboards, Alias: "news"}
	for run := 1; run <= 2; run++ {
		if _, err := Setup(context.Background(), cfg); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	if v := fs.views[configs.DataViewPublished]; v == nil || v["title"] != "news" || v["timeFieldName"] != "published_at" {
		t.Errorf("index pattern: %v", v)
	}
	if v := fs.views[configs.DataViewVersions]; v == nil || v["title"] != "news-versions" || v["timeFieldName"] != "fetched_at" {
		t.Errorf("versions index pattern: %v", v)
	}
	if len(fs.objects) != 8 {
		t.Errorf("imported %d objects", len(fs.objects))
	}
}

// A refusal is reported with the server's own message; nothing claims
// success.
func TestSetupErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"statusCode":401,"error":"Unauthorized","message":"[security_exception] missing authentication credentials"}`)
	}))
	defer srv.Close()
	_, err := Setup(context.Background(), Config{URL: srv.URL, Alias: "articles", Password: "hunter2", Username: "u"})
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "missing authentication") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("401: %v", err)
	}
	if _, err := Setup(context.Background(), Config{URL: "localhost:5601"}); err == nil || !strings.Contains(err.Error(), "want http(s)://") {
		t.Errorf("bad URL: %v", err)
	}
}

// Every field the saved objects chart exists in the archive's mapping,
// with a type that aggregates.
func TestDashboardFieldsExistInTheMapping(t *testing.T) {
	tmpl := elastic.Template("articles")
	props := tmpl["template"].(map[string]any)["mappings"].(map[string]any)["properties"].(map[string]any)
	sc := bufio.NewScanner(bytes.NewReader(configs.Dashboard))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	fields := 0
	for sc.Scan() {
		var o struct {
			Type       string `json:"type"`
			Attributes struct {
				VisState string     `json:"visState"`
				Columns  []string   `json:"columns"`
				Sort     [][]string `json:"sort"`
			} `json:"attributes"`
		}
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatal(err)
		}
		var names []string
		if o.Attributes.VisState != "" {
			var vs struct {
				Aggs []struct {
					Params map[string]any `json:"params"`
				} `json:"aggs"`
			}
			if err := json.Unmarshal([]byte(o.Attributes.VisState), &vs); err != nil {
				t.Fatalf("visState: %v", err)
			}
			for _, a := range vs.Aggs {
				if f, ok := a.Params["field"].(string); ok {
					names = append(names, f)
				}
			}
		}
		names = append(names, o.Attributes.Columns...)
		for _, s := range o.Attributes.Sort {
			names = append(names, s[0])
		}
		for _, n := range names {
			fields++
			m, ok := props[n].(map[string]any)
			if top, sub, isSub := strings.Cut(n, "."); isSub { // a subfield: title.keyword
				var parent map[string]any
				if parent, ok = props[top].(map[string]any); ok {
					subs, _ := parent["fields"].(map[string]any)
					m, ok = subs[sub].(map[string]any)
				}
			}
			if !ok {
				t.Errorf("%s uses field %s, which the archive does not map", o.Type, n)
				continue
			}
			if o.Type == "visualization" && m["type"] != "keyword" && m["type"] != "date" {
				t.Errorf("%s aggregates on %s of type %v", o.Type, n, m["type"])
			}
		}
	}
	if fields < 10 {
		t.Errorf("only %d fields checked", fields)
	}
}

// Right after docker compose up, Kibana answers 503 "not ready yet": setup
// waits on /api/status (bounded) and then goes on; a server that never gets
// ready is an error after the wait, saying so.
func TestSetupWaitsForReadiness(t *testing.T) {
	fs, srv := newFake(t, Kibana)
	defer srv.Close()
	fs.notReady = 2
	cfg := Config{URL: srv.URL, Flavor: Kibana, Alias: "articles", ReadyWait: 10 * time.Second, readyPoll: 10 * time.Millisecond}
	if _, err := Setup(context.Background(), cfg); err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(fs.requests, "\n"))
	}
	if n := strings.Count(strings.Join(fs.requests, "\n"), "GET /api/status"); n != 3 {
		t.Errorf("%d status requests, want 3", n)
	}
	fs.notReady = 1 << 30
	cfg.ReadyWait = 100 * time.Millisecond
	if _, err := Setup(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "not ready") {
		t.Errorf("a server never ready: %v", err)
	}
}

// The data views leave html and the analysed text copies out of Discover's
// rows and show url as a link; a space puts everything under its path;
// setup says where to open the dashboard.
func TestSetupDataViewOptionsAndSpace(t *testing.T) {
	fs, srv := newFake(t, Kibana)
	defer srv.Close()
	res, err := Setup(context.Background(), Config{URL: srv.URL, Flavor: Kibana, Alias: "articles", Space: "research"})
	if err != nil {
		t.Fatal(err)
	}
	v := fs.views[configs.DataViewPublished]
	b, _ := json.Marshal(v)
	if !strings.Contains(string(b), `"sourceFilters":[{"value":"html"},{"value":"text_en"},{"value":"text_ar"}]`) || !strings.Contains(string(b), `"fieldFormats":{"url":{"id":"url"}}`) {
		t.Errorf("data view %s", b)
	}
	if fs.space != "research" || res.Dashboard != srv.URL+"/s/research/app/dashboards#/view/presscrawl-dashboard" {
		t.Errorf("space %q, dashboard %q", fs.space, res.Dashboard)
	}
	for _, r := range fs.requests {
		if !strings.HasPrefix(strings.Fields(r)[1], "/s/research/") {
			t.Errorf("request outside the space: %s", r)
		}
	}
	if _, err := Setup(context.Background(), Config{URL: srv.URL, Flavor: Dashboards, Alias: "a", Space: "research"}); err == nil {
		t.Error("a space for OpenSearch Dashboards was taken")
	}
	fd, srvd := newFake(t, Dashboards)
	defer srvd.Close()
	if _, err := Setup(context.Background(), Config{URL: srvd.URL, Flavor: Dashboards, Alias: "news"}); err != nil {
		t.Fatal(err)
	}
	if a := fd.views[configs.DataViewPublished]; a["sourceFilters"] != `[{"value":"html"},{"value":"text_en"},{"value":"text_ar"}]` {
		t.Errorf("index pattern source filters %v", a["sourceFilters"])
	}
}

// Kibana 8 and 9 get each saved object's version as typeMigrationVersion
// and coreMigrationVersion (the form Kibana's import documents for files
// kept outside Kibana); OpenSearch Dashboards gets migrationVersion, its own
// form, as the file has it.
func TestSavedObjectVersionsPerFlavor(t *testing.T) {
	for _, flavor := range []Flavor{Kibana, Dashboards} {
		fs, srv := newFake(t, flavor)
		if _, err := Setup(context.Background(), Config{URL: srv.URL, Flavor: flavor, Alias: "articles"}); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		if len(fs.objects) != 8 {
			t.Fatalf("%v: %d objects", flavor, len(fs.objects))
		}
		for key, o := range fs.objects {
			typ := o["type"].(string)
			mv, hasMV := o["migrationVersion"].(map[string]any)
			tv, _ := o["typeMigrationVersion"].(string)
			cv, _ := o["coreMigrationVersion"].(string)
			if flavor == Kibana {
				if hasMV || tv == "" || cv != tv || !strings.HasPrefix(tv, "7.") {
					t.Errorf("kibana %s: migrationVersion %v, typeMigrationVersion %q, coreMigrationVersion %q", key, mv, tv, cv)
				}
				if o["attributes"] == nil {
					t.Errorf("kibana %s lost its body: %v", key, o)
				}
			} else if !hasMV || mv[typ] == nil || tv != "" || cv != "" {
				t.Errorf("dashboards %s: migrationVersion %v, typeMigrationVersion %q", key, mv, tv)
			}
		}
	}
}

func TestKibanaObjectsRejectsABadFile(t *testing.T) {
	if _, err := kibanaObjects([]byte("{\"type\":\"search\"}\nnot json\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: %v", err)
	}
}

// kibanaObjects rewrites the saved objects for Kibana 8 and 9: each
// object's 7.x migrationVersion ({"visualization": "7.10.0"}) becomes the
// typeMigrationVersion and coreMigrationVersion that Kibana's import
// documentation asks files kept outside Kibana to carry (Kibana migrates
// each object from that version on import). OpenSearch Dashboards reads the
// file as it is: migrationVersion is its format.
func kibanaObjects(ndjson []byte) ([]byte, error) {
	var out bytes.Buffer
	for i, line := range bytes.Split(bytes.TrimSpace(ndjson), []byte("\n")) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(line, &obj); err != nil {
			return nil, fmt.Errorf("saved objects, line %d: %w", i+1, err)
		}
		var typ string
		var mv map[string]string
		json.Unmarshal(obj["type"], &typ)
		json.Unmarshal(obj["migrationVersion"], &mv)
		if v := mv[typ]; v != "" {
			q, _ := json.Marshal(v)
			obj["typeMigrationVersion"], obj["coreMigrationVersion"] = q, q
		}
		delete(obj, "migrationVersion")
		b, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// configs/kibana-dashboard.ndjson is configs/dashboards-dashboard.ndjson
// with Kibana's version fields; UPDATE=1 rewrites it after an edit of the
// latter.
func TestKibanaFileIsTheDashboardsFileConverted(t *testing.T) {
	want, err := kibanaObjects(configs.DashboardOSD)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("UPDATE") != "" {
		if err := os.WriteFile("../configs/kibana-dashboard.ndjson", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(configs.Dashboard, want) {
		t.Error("configs/kibana-dashboard.ndjson is not configs/dashboards-dashboard.ndjson converted: run UPDATE=1 go test ./kibana -run TestKibanaFileIsTheDashboardsFileConverted")
	}
}
