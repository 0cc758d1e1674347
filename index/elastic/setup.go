package elastic

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// The index scheme (docs/archive.md, "The archive's index"):
//   - one composable template, presscrawl-<alias>, for the indices
//     <alias>-000001, <alias>-000002...; the alias points at the newest,
//     the write index (roll over by hand or with ILM/ISM: the template
//     applies to every new one);
//   - dynamic: strict: a field presscrawl does not know is an error, not a
//     guess that later breaks charts;
//   - ids, URLs, hashes: keyword; language, section, tags: keyword folded to
//     lower case (section:Gulf finds "gulf"); site_name and authors: keyword
//     as written (for charts), with a lower-cased .lower subfield for filters;
//   - title, description, text: presscrawl_folded (any language: lower
//     case, Arabic orthographic folding), the fields a plain query reads;
//     text_en and text_ar: title and text again, analysed with the english
//     or arabic analyzer (stemming), filled only for records in that
//     language: the record's language chooses its analysis;
//   - dates: published_at, modified_at, fetched_at as date, with
//     ignore_malformed so one bad date never costs a record;
//   - published_day: the publication day as the page gives it (its own time
//     zone), keyword, for counts by day, month and year;
//   - html: stored, not indexed;
//   - warc_file, warc_record_id, archive_url (keyword), archived_at (date):
//     the capture a record came from; story_id, wire (keyword): its story
//     group and the agency it credits;
//   - version, versions (integer), first_fetched_at (date): the article's
//     versions; the earlier versions themselves are documents of the
//     companion index <alias>-versions (ids <id>-v<n>), made from the same
//     template.
//   - text_source (keyword): where the text came from when the page
//     shipped its article as data; access (keyword): free, paywall or
//     unknown; images (src, alt, caption, credit) and links (href, text,
//     internal) as objects (version 7);
//   - composed of presscrawl-<alias>@settings (shards, replicas, lifecycle:
//     presscrawl's) and presscrawl-<alias>@custom (the user's, never
//     overwritten), see lifecycle.go.
const templateVersion = 7

func (c *Client) templateName() string { return "presscrawl-" + c.cfg.Index }

// VersionsIndex is the companion index of the articles' earlier versions.
func (c *Client) VersionsIndex() string { return c.cfg.Index + "-versions" }

// FirstIndex is the first index behind the alias.
func (c *Client) FirstIndex() string { return c.cfg.Index + "-000001" }

// IndexTemplate is the composable template presscrawl installs.
func (c *Client) IndexTemplate() map[string]any { return Template(c.cfg.Index) }

// Template is the composable template for the indices behind an alias.
func Template(alias string) map[string]any {
	kw := map[string]any{"type": "keyword", "ignore_above": 2048}
	lower := map[string]any{"type": "keyword", "normalizer": "presscrawl_lower", "ignore_above": 512}
	named := map[string]any{"type": "keyword", "ignore_above": 512,
		"fields": map[string]any{"lower": map[string]any{"type": "keyword", "normalizer": "presscrawl_lower", "ignore_above": 512}}}
	folded := map[string]any{"type": "text", "analyzer": "presscrawl_folded"}
	date := map[string]any{"type": "date", "format": "strict_date_optional_time||yyyy-MM-dd", "ignore_malformed": true}
	props := map[string]any{
		"id": kw, "url": kw, "canonical_url": kw, "content_hash": kw, "image": map[string]any{"type": "keyword", "index": false, "doc_values": false},
		"title":       map[string]any{"type": "text", "analyzer": "presscrawl_folded", "fields": map[string]any{"keyword": map[string]any{"type": "keyword", "ignore_above": 512}}},
		"description": folded, "text": folded,
		"text_en": map[string]any{"type": "text", "analyzer": "english"},
		"text_ar": map[string]any{"type": "text", "analyzer": "arabic"},
		"html":    map[string]any{"type": "text", "index": false},
		"authors": named, "site_name": named,
		"language": lower, "section": lower, "tags": lower, "date_source": kw, "text_source": kw, "access": kw, "extractor": kw,
		"published_at": date, "modified_at": date, "fetched_at": date, "published_day": kw,
		"word_count": map[string]any{"type": "integer"}, "is_article": map[string]any{"type": "boolean"},
		"warc_file": kw, "warc_record_id": kw, "archived_at": date, "archive_url": kw, "story_id": kw, "wire": lower,
		"version": map[string]any{"type": "integer"}, "versions": map[string]any{"type": "integer"}, "first_fetched_at": date,
		// the article's images and the links in its text: kept, and
		// searchable by caption, credit and address
		"images": map[string]any{"properties": map[string]any{
			"src": map[string]any{"type": "keyword", "ignore_above": 2048}, "alt": folded, "caption": folded,
			"credit": map[string]any{"type": "keyword", "ignore_above": 512}}},
		"links": map[string]any{"properties": map[string]any{
			"href": map[string]any{"type": "keyword", "ignore_above": 2048}, "text": map[string]any{"type": "text", "index": false},
			"internal": map[string]any{"type": "boolean"}}},
	}
	return map[string]any{
		"index_patterns": []string{alias + "-*"},
		"composed_of":    []string{"presscrawl-" + alias + "@settings", "presscrawl-" + alias + "@custom"},
		"priority":       templatePriority(alias),
		"version":        templateVersion,
		"_meta":          map[string]any{"created_by": "presscrawl"},
		"template": map[string]any{
			// shards and replicas: in the component templates (lifecycle.go)
			"settings": map[string]any{
				// what a query without a field reads (Kibana's free-text
				// KQL): the article, not ids, URLs and hashes
				"index.query.default_field": []string{"title", "description", "text", "text_en", "text_ar", "authors", "site_name"},
				"analysis": map[string]any{
					"analyzer": map[string]any{
						"presscrawl_folded": map[string]any{"type": "custom", "tokenizer": "standard",
							"filter": []string{"lowercase", "asciifolding", "decimal_digit", "arabic_normalization"}}, // asciifolding: cafe finds café
					},
					"normalizer": map[string]any{
						"presscrawl_lower": map[string]any{"type": "custom", "filter": []string{"lowercase"}},
					},
				},
			},
			"mappings": map[string]any{"dynamic": "strict", "properties": props},
		},
	}
}

// templatePriority is 200 plus the alias's length. Two archives whose names
// share a prefix (articles, articles-ar) have overlapping patterns
// (articles-* matches articles-ar-000001); Elasticsearch and OpenSearch
// refuse a second template of the same priority that overlaps, and with
// different ones the longer, more specific name's template wins for its
// indices, as it should. Overlap needs one name to be a prefix of the
// other, so their lengths, and priorities, always differ.
func templatePriority(alias string) int { return 200 + len(alias) }

// Setup installs the template (when it is missing or older than this
// presscrawl's: one the user tuned is left as it is) and creates the first
// index behind the write alias, when they are missing. It can run any
// number of times.
func (c *Client) Setup(ctx context.Context) error {
	body, err := json.Marshal(c.IndexTemplate())
	if err != nil {
		return err
	}
	if err := c.checkPolicy(ctx); err != nil {
		return err
	}
	if err := c.setupComponents(ctx); err != nil {
		return err
	}
	installed, err := c.installedTemplateVersion(ctx)
	if err != nil {
		return err
	}
	if installed < templateVersion {
		// missing, or made by an earlier presscrawl: put (a template the
		// user tuned is kept while its version is presscrawl's or newer)
		put := func(ctx context.Context) (*esapi.Response, error) {
			return c.api.Indices.PutIndexTemplate(c.templateName(), bytes.NewReader(body), c.api.Indices.PutIndexTemplate.WithContext(ctx))
		}
		if err := c.do(ctx, put, nil, "install index template "+c.templateName()); err != nil {
			return err
		}
	}
	if err := c.setupAlias(ctx); err != nil {
		return err
	}
	if err := c.setupVersions(ctx); err != nil {
		return err
	}
	return c.putMapping(ctx)
}

// installedTemplateVersion is the version of the template installed under
// presscrawl's name (0: none, or one without a version).
func (c *Client) installedTemplateVersion(ctx context.Context) (int, error) {
	var out struct {
		IndexTemplates []struct {
			IndexTemplate struct {
				Version int `json:"version"`
			} `json:"index_template"`
		} `json:"index_templates"`
	}
	get := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.GetIndexTemplate(c.api.Indices.GetIndexTemplate.WithName(c.templateName()), c.api.Indices.GetIndexTemplate.WithContext(ctx))
	}
	if err := c.do(ctx, get, &out, "read index template "+c.templateName()); err != nil {
		if statusOf(err) == http.StatusNotFound {
			return 0, nil
		}
		return 0, err
	}
	if len(out.IndexTemplates) == 0 {
		return 0, nil
	}
	return out.IndexTemplates[0].IndexTemplate.Version, nil
}

// setupAlias creates the first index behind the write alias when the
// alias is missing.
func (c *Client) setupAlias(ctx context.Context) error {
	exists := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.ExistsAlias([]string{c.cfg.Index}, c.api.Indices.ExistsAlias.WithContext(ctx))
	}
	err := c.do(ctx, exists, nil, "look for alias "+c.cfg.Index)
	if err == nil {
		return nil
	}
	if statusOf(err) != http.StatusNotFound {
		return err
	}
	create := func(ctx context.Context) (*esapi.Response, error) {
		b := fmt.Sprintf(`{"aliases":{%q:{"is_write_index":true}}}`, c.cfg.Index)
		return c.api.Indices.Create(c.FirstIndex(), c.api.Indices.Create.WithBody(strings.NewReader(b)), c.api.Indices.Create.WithContext(ctx),
			c.api.Indices.Create.WithWaitForActiveShards("1"))
	}
	err = c.do(ctx, create, nil, "create index "+c.FirstIndex())
	if statusOf(err) == http.StatusBadRequest && strings.Contains(err.Error(), "already_exists") {
		return fmt.Errorf("index %s exists but alias %s does not point at it: add the alias or choose another index alias", c.FirstIndex(), c.cfg.Index)
	}
	if err != nil {
		return err
	}
	return c.attachPolicy(ctx, c.FirstIndex())
}

// setupVersions creates the companion index of versions when it is
// missing (the template's pattern gives it the records' mapping).
func (c *Client) setupVersions(ctx context.Context) error {
	exists := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.Exists([]string{c.VersionsIndex()}, c.api.Indices.Exists.WithContext(ctx))
	}
	err := c.do(ctx, exists, nil, "look for index "+c.VersionsIndex())
	if err == nil || statusOf(err) != http.StatusNotFound {
		return err
	}
	create := func(ctx context.Context) (*esapi.Response, error) {
		opts := []func(*esapi.IndicesCreateRequest){c.api.Indices.Create.WithContext(ctx), c.api.Indices.Create.WithWaitForActiveShards("1")}
		if settings := c.versionsSettings(); len(settings) > 0 {
			b, _ := json.Marshal(map[string]any{"settings": settings})
			opts = append(opts, c.api.Indices.Create.WithBody(bytes.NewReader(b)))
		}
		return c.api.Indices.Create(c.VersionsIndex(), opts...)
	}
	err = c.do(ctx, create, nil, "create index "+c.VersionsIndex())
	if statusOf(err) == http.StatusBadRequest && strings.Contains(err.Error(), "already_exists") {
		return nil // made by another crawl meanwhile
	}
	return err
}

// putMapping adds the template's fields to indices made by an earlier
// presscrawl (a field added to a strict mapping; the existing ones are
// unchanged, which the server accepts as they are).
func (c *Client) putMapping(ctx context.Context) error {
	props := Template(c.cfg.Index)["template"].(map[string]any)["mappings"].(map[string]any)["properties"]
	body, err := json.Marshal(map[string]any{"properties": props})
	if err != nil {
		return err
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.PutMapping([]string{c.cfg.Index, c.VersionsIndex()}, bytes.NewReader(body), c.api.Indices.PutMapping.WithContext(ctx))
	}
	return c.do(ctx, call, nil, "add the template's fields to "+c.cfg.Index)
}

// Refresh makes what was indexed searchable now.
func (c *Client) Refresh(ctx context.Context) error {
	call := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Indices.Refresh(c.api.Indices.Refresh.WithIndex(c.cfg.Index), c.api.Indices.Refresh.WithContext(ctx))
	}
	return c.do(ctx, call, nil, "refresh "+c.cfg.Index)
}

// Count is the number of documents behind the alias.
func (c *Client) Count(ctx context.Context) (int64, error) {
	var out struct {
		Count int64 `json:"count"`
	}
	call := func(ctx context.Context) (*esapi.Response, error) {
		return c.api.Count(c.api.Count.WithIndex(c.cfg.Index), c.api.Count.WithContext(ctx))
	}
	if err := c.do(ctx, call, &out, "count "+c.cfg.Index); err != nil {
		return 0, err
	}
	return out.Count, nil
}
