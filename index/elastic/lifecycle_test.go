package elastic

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/presscrawl/presscrawl/index/local"
	"github.com/presscrawl/presscrawl/internal/estest"
	"github.com/presscrawl/presscrawl/record"
)

// nodeDo sends one request to the test node and returns its answer.
func nodeDo(t *testing.T, method, path, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, estest.URL(t)+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return string(out)
}

// The user's component template is created empty, survives every setup,
// and what it sets applies to the indices made after it (here: a
// rollover), over presscrawl's shards and replicas.
func TestUserComponentTemplateSurvivesSetup(t *testing.T) {
	c := connect(t)
	if got := nodeDo(t, http.MethodGet, "/_component_template/"+c.CustomTemplate(), ""); !strings.Contains(got, "presscrawl never overwrites it") {
		t.Fatalf("no empty @custom after setup: %s", got)
	}
	nodeDo(t, http.MethodPut, "/_component_template/"+c.CustomTemplate(),
		`{"template":{"settings":{"number_of_replicas":1,"refresh_interval":"11s"}},"_meta":{"owner":"the research group"}}`)
	for i := 0; i < 2; i++ {
		if err := c.Setup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := nodeDo(t, http.MethodGet, "/_component_template/"+c.CustomTemplate(), ""); !strings.Contains(got, `"refresh_interval":"11s"`) || !strings.Contains(got, "the research group") {
		t.Errorf("setup overwrote the user's component template: %s", got)
	}
	if got := nodeDo(t, http.MethodGet, "/_index_template/"+c.templateName(), ""); !strings.Contains(got, `"composed_of":["`+c.settingsTemplate()+`","`+c.CustomTemplate()+`"]`) {
		t.Errorf("index template: %s", got)
	}
	nodeDo(t, http.MethodPost, "/"+c.Index()+"/_rollover", "{}")
	var settings map[string]struct {
		Settings struct {
			Index struct {
				Replicas        string `json:"number_of_replicas"`
				Shards          string `json:"number_of_shards"`
				RefreshInterval string `json:"refresh_interval"`
				Query           struct {
					DefaultField []string `json:"default_field"`
				} `json:"query"`
			} `json:"index"`
		} `json:"settings"`
	}
	json.Unmarshal([]byte(nodeDo(t, http.MethodGet, "/"+c.Index()+"-*/_settings", "")), &settings)
	first, second := settings[c.FirstIndex()].Settings.Index, settings[c.Index()+"-000002"].Settings.Index
	if first.Replicas != "0" || first.Shards != "1" {
		t.Errorf("the first index, made before @custom was edited: %+v", first)
	}
	if second.Replicas != "1" || second.RefreshInterval != "11s" || second.Shards != "1" || len(second.Query.DefaultField) == 0 {
		t.Errorf("the index made after: %+v, want the user's replicas and refresh interval, presscrawl's default fields", second)
	}
}

// A policy named on a node without Index State Management is refused,
// saying so, before anything is made.
func TestLifecyclePolicyWithoutISM(t *testing.T) {
	alias := estest.Alias(t)
	c, err := Connect(ctx, Config{URL: estest.URL(t), Index: alias, LifecyclePolicy: "news-90d"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Setup(ctx)
	if c.Server.Distribution != "opensearch" {
		t.Skipf("%s", c.Server)
	}
	if err == nil || !strings.Contains(err.Error(), "Index State Management") || !strings.Contains(err.Error(), "news-90d") {
		t.Errorf("a policy without ISM: %v", err)
	}
	req, _ := http.NewRequest(http.MethodHead, estest.URL(t)+"/_component_template/presscrawl-"+alias+"@custom", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 404 {
		t.Errorf("something was made: %v %v", resp, err)
	}
}

// fakeCluster answers setup's requests as Elasticsearch 8 (ILM) or
// OpenSearch with ISM do, per their documentation, and records them.
type fakeCluster struct {
	mu       sync.Mutex
	dist     string
	policies map[string]bool
	bodies   map[string]string // "METHOD path" -> body
	order    []string
}

func (f *fakeCluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.bodies[key] = string(body)
	f.order = append(f.order, key)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	notFound := func() {
		w.WriteHeader(404)
		fmt.Fprint(w, `{"error":{"type":"resource_not_found_exception","reason":"not found"},"status":404}`)
	}
	switch {
	case r.URL.Path == "/":
		if f.dist == "opensearch" {
			fmt.Fprint(w, `{"version":{"distribution":"opensearch","number":"2.19.0"}}`)
		} else {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			fmt.Fprint(w, `{"version":{"number":"8.15.0","build_flavor":"default"}}`)
		}
	case strings.HasPrefix(r.URL.Path, "/_ilm/policy/") && f.dist != "opensearch",
		strings.HasPrefix(r.URL.Path, "/_plugins/_ism/policies/") && f.dist == "opensearch":
		name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		if !f.policies[name] {
			notFound()
			return
		}
		fmt.Fprintf(w, `{%q:{"policy":{}}}`, name)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/_index_template/"), r.Method == http.MethodHead:
		notFound()
	case strings.HasPrefix(r.URL.Path, "/_plugins/_ism/add/"):
		fmt.Fprint(w, `{"updated_indices":1,"failures":false,"failed_indices":[]}`)
	default:
		fmt.Fprint(w, `{"acknowledged":true}`)
	}
}

func TestLifecyclePolicyRequests(t *testing.T) {
	for _, dist := range []string{"elasticsearch", "opensearch"} {
		f := &fakeCluster{dist: dist, policies: map[string]bool{"news-90d": true}, bodies: map[string]string{}}
		srv := httptest.NewServer(f)
		c, err := Connect(ctx, Config{URL: srv.URL, Index: "news", LifecyclePolicy: "news-90d"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Setup(ctx); err != nil {
			t.Fatalf("%s: %v\n%s", dist, err, strings.Join(f.order, "\n"))
		}
		var comp struct {
			Template struct {
				Settings map[string]any `json:"settings"`
			} `json:"template"`
		}
		json.Unmarshal([]byte(f.bodies["PUT /_component_template/presscrawl-news@settings"]), &comp)
		var versions struct {
			Settings map[string]any `json:"settings"`
		}
		json.Unmarshal([]byte(f.bodies["PUT /news-versions"]), &versions)
		s := comp.Template.Settings
		if dist == "elasticsearch" {
			if s["index.lifecycle.name"] != "news-90d" || s["index.lifecycle.rollover_alias"] != "news" || s["number_of_replicas"] != float64(0) {
				t.Errorf("ILM settings: %v", s)
			}
			if v, ok := versions.Settings["index.lifecycle.name"]; !ok || v != nil {
				t.Errorf("the versions index is not kept out of ILM: %v", versions.Settings)
			}
		} else {
			if s["plugins.index_state_management.rollover_alias"] != "news" || s["index.lifecycle.name"] != nil {
				t.Errorf("ISM settings: %v", s)
			}
			if got := f.bodies["POST /_plugins/_ism/add/news-000001"]; got != `{"policy_id":"news-90d"}` {
				t.Errorf("ISM policy not attached to the first index: %q\n%s", got, strings.Join(f.order, "\n"))
			}
			if _, ok := versions.Settings["plugins.index_state_management.rollover_alias"]; !ok {
				t.Errorf("the versions index is not kept out of ISM rollover: %v", versions.Settings)
			}
		}
		if !strings.Contains(f.bodies["PUT /_component_template/presscrawl-news@custom"], "never overwrites") {
			t.Errorf("%s: no @custom made", dist)
		}
		// components first: the index template refers to them
		joined := strings.Join(f.order, "\n")
		if i, j := strings.Index(joined, "PUT /_component_template/presscrawl-news@custom"), strings.Index(joined, "PUT /_index_template/presscrawl-news"); i < 0 || j < i {
			t.Errorf("%s: order\n%s", dist, joined)
		}
		// a policy that does not exist: refused, nothing made
		f2 := &fakeCluster{dist: dist, policies: map[string]bool{}, bodies: map[string]string{}}
		srv2 := httptest.NewServer(f2)
		c2, _ := Connect(ctx, Config{URL: srv2.URL, Index: "news", LifecyclePolicy: "news-90d"})
		if err := c2.Setup(ctx); err == nil || !strings.Contains(err.Error(), "no such") || !strings.Contains(err.Error(), "news-90d") {
			t.Errorf("%s: a missing policy: %v", dist, err)
		}
		for k := range f2.bodies {
			if strings.HasPrefix(k, "PUT") {
				t.Errorf("%s: %s sent although the policy is missing", dist, k)
			}
		}
		srv.Close()
		srv2.Close()
	}
}

// The record's newer fields (access, text_source, images, links) fit the
// strict mapping: delivered, found by an image's caption and credit.
func TestNewFieldsDelivered(t *testing.T) {
	c := connect(t)
	l, err := local.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := testRecord(1)
	r.Access, r.TextSource = record.AccessPaywall, record.TextFromJSONLD
	r.Images = []record.Image{{Src: "https://news.example/img/quay.jpg", Alt: "The quay", Caption: "Fishing boats back at the reopened quay", Credit: "Photo: Jane Roe"}}
	r.Links = []record.Link{{Href: "https://news.example/2024/other/", Text: "another story", Internal: true}}
	if _, err := l.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	d := &Deliverer{Client: c, Outbox: l}
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`images.caption:"fishing boats"`, `images.credit:"Photo: Jane Roe"`, "access:paywall", "text_source:jsonld", "links.internal:true"} {
		if _, total, err := c.Search(ctx, q, 3); err != nil || total != 1 {
			t.Errorf("%s: %d hits, %v", q, total, err)
		}
	}
	got, err := c.Get(ctx, r.ID)
	if err != nil || got == nil || len(got.Images) != 1 || got.Images[0] != r.Images[0] || len(got.Links) != 1 || got.Links[0] != r.Links[0] {
		t.Errorf("read back: %+v %v", got, err)
	}
}
