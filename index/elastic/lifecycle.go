package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Component templates, as Elastic's own index templates compose theirs
// (logs@settings, then logs@custom):
//   - presscrawl-<alias>@settings is presscrawl's: shards, replicas and,
//     when es.lifecycle_policy names one, the lifecycle settings. Setup
//     writes it every time; do not edit it.
//   - presscrawl-<alias>@custom is the user's: created empty when missing,
//     never written again. It comes later in composed_of, so what it sets
//     (replicas on a cluster, a refresh interval, a lifecycle policy of
//     one's own) wins over @settings for every index made from then on.
//
// The index template's own settings (analysis, default fields) and its
// mappings are presscrawl's and win over both: a record must always fit.

func (c *Client) settingsTemplate() string { return c.templateName() + "@settings" }

// CustomTemplate is the name of the user's component template.
func (c *Client) CustomTemplate() string { return c.templateName() + "@custom" }

// settingsComponent is the body of presscrawl-<alias>@settings.
func (c *Client) settingsComponent() map[string]any {
	settings := map[string]any{
		"number_of_shards": 1,
		// One node (a laptop, docker compose): no replica to wait for.
		// Raise it on a cluster, in @custom.
		"number_of_replicas": 0,
	}
	for k, v := range c.lifecycleSettings() {
		settings[k] = v
	}
	return map[string]any{"template": map[string]any{"settings": settings}, "version": templateVersion,
		"_meta": map[string]any{"created_by": "presscrawl", "description": "presscrawl's: rewritten by every setup; set yours in " + c.CustomTemplate()}}
}

// lifecycleSettings are the index settings that put the indices behind the
// alias under the named policy: ILM on Elasticsearch (the policy and the
// alias its rollover action moves), ISM on OpenSearch (the alias; the
// policy is attached to the first index by Setup and, as ISM does, to the
// later ones by the policy's own ism_template).
func (c *Client) lifecycleSettings() map[string]any {
	if c.cfg.LifecyclePolicy == "" {
		return nil
	}
	if c.Server.Distribution == "opensearch" {
		return map[string]any{"plugins.index_state_management.rollover_alias": c.cfg.Index}
	}
	return map[string]any{"index.lifecycle.name": c.cfg.LifecyclePolicy, "index.lifecycle.rollover_alias": c.cfg.Index}
}

// setupComponents writes @settings and creates @custom when missing.
func (c *Client) setupComponents(ctx context.Context) error {
	body, err := json.Marshal(c.settingsComponent())
	if err != nil {
		return err
	}
	put := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Cluster.PutComponentTemplate(c.settingsTemplate(), bytes.NewReader(body), c.api.Cluster.PutComponentTemplate.WithContext(ctx))
	}
	if err := c.do(ctx, put, nil, "install component template "+c.settingsTemplate()); err != nil {
		return err
	}
	custom, _ := json.Marshal(map[string]any{"template": map[string]any{"settings": map[string]any{}},
		"_meta": map[string]any{"created_by": "presscrawl", "description": "yours: settings for the indices behind " + c.cfg.Index + " (replicas, refresh interval, lifecycle); presscrawl never overwrites it"}})
	create := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Cluster.PutComponentTemplate(c.CustomTemplate(), bytes.NewReader(custom), c.api.Cluster.PutComponentTemplate.WithCreate(true),
			c.api.Cluster.PutComponentTemplate.WithContext(ctx))
	}
	err = c.do(ctx, create, nil, "create component template "+c.CustomTemplate())
	if statusOf(err) == http.StatusBadRequest && strings.Contains(err.Error(), "already exists") {
		return nil // the user's, kept as it is
	}
	return err
}

// checkPolicy makes sure the named lifecycle policy exists before any
// index refers to it: a missing one would leave every index unmanaged
// (ILM) or fail at the first rollover, long after the crawl.
func (c *Client) checkPolicy(ctx context.Context) error {
	p := c.cfg.LifecyclePolicy
	if p == "" {
		return nil
	}
	if c.Server.Distribution == "opensearch" {
		get := func(ctx context.Context) (*esapi.Response, error) {
			return c.raw(ctx, http.MethodGet, "/_plugins/_ism/policies/"+url.PathEscape(p), nil)
		}
		err := c.do(ctx, get, nil, "look for ISM policy "+p)
		switch {
		case err != nil && strings.Contains(err.Error(), "no handler found"):
			return fmt.Errorf("es.lifecycle_policy %q: %s has no Index State Management plugin (opensearch-index-management); install it, or leave es.lifecycle_policy empty", p, c.Server)
		case statusOf(err) == http.StatusNotFound:
			return fmt.Errorf("es.lifecycle_policy %q: no such ISM policy at %s: create it first (PUT _plugins/_ism/policies/%s)", p, c.display, p)
		}
		return err
	}
	get := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.ILM.GetLifecycle(c.api.ILM.GetLifecycle.WithPolicy(p), c.api.ILM.GetLifecycle.WithContext(ctx))
	}
	err := c.do(ctx, get, nil, "look for ILM policy "+p)
	if statusOf(err) == http.StatusNotFound {
		return fmt.Errorf("es.lifecycle_policy %q: no such ILM policy at %s: create it first (PUT _ilm/policy/%s, or Kibana's Index Lifecycle Policies)", p, c.display, p)
	}
	return err
}

// attachPolicy puts a first index just created under the ISM policy
// (OpenSearch; Elasticsearch's ILM takes index.lifecycle.name from the
// template).
func (c *Client) attachPolicy(ctx context.Context, index string) error {
	if c.cfg.LifecyclePolicy == "" || c.Server.Distribution != "opensearch" {
		return nil
	}
	body, _ := json.Marshal(map[string]string{"policy_id": c.cfg.LifecyclePolicy})
	add := func(ctx context.Context) (*esapi.Response, error) {
		return c.raw(ctx, http.MethodPost, "/_plugins/_ism/add/"+url.PathEscape(index), body)
	}
	return c.do(ctx, add, nil, "attach ISM policy "+c.cfg.LifecyclePolicy+" to "+index)
}

// versionsSettings keep the companion index of versions out of the
// lifecycle: the template's pattern matches it too, but it is not the
// alias's write index, and a rollover or delete phase must not act on it.
// A null in a create-index request unsets what the template set.
func (c *Client) versionsSettings() map[string]any {
	out := map[string]any{}
	for k := range c.lifecycleSettings() {
		out[k] = nil
	}
	return out
}
