package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/record"
)

const gazetteRules = `
gazette.example:
  body: "div.story-text"
  remove: ["p.promo-inline", ".author-bio"]
  title: "span.hl"
  date: "time.pubdate"
  author: ".who a"
"*.arabic.example:8080":
  body: "div.nass"
`

func gazette(t *testing.T, rules *Rules, url string) *record.Record {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "rules-site.html"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Extractor{Rules: rules}.Extract(Input{Body: body, URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// A site whose markup defeats the generic rules (divs for paragraphs, a
// span for the headline): its rules give the body, title, date and
// authors, and remove the promo and the bio.
func TestSiteRules(t *testing.T) {
	rules, err := ParseRules([]byte(gazetteRules))
	if err != nil {
		t.Fatal(err)
	}
	r := gazette(t, rules, "https://www.gazette.example/2026/12/03/ferry")
	if r.Title != "Ferry service to the islands resumes after storm" {
		t.Errorf("title %q", r.Title)
	}
	if r.PublishedAt == nil || r.PublishedAt.String() != "2026-12-03T07:45:00+01:00" || r.DateSource != record.DateFromRule {
		t.Errorf("published_at %v from %q", r.PublishedAt, r.DateSource)
	}
	if strings.Join(r.Authors, ", ") != "Anna Kovacs, Omar Haddad" {
		t.Errorf("authors %q", r.Authors)
	}
	paras := strings.Split(r.Text, "\n\n")
	if len(paras) != 3 || !strings.HasPrefix(paras[0], "The ferry company restarted") || !strings.HasPrefix(paras[2], "The company said") {
		t.Errorf("text %q", r.Text)
	}
	for _, gone := range []string{"newsletter", "covers transport", "Most read"} {
		if strings.Contains(r.Text, gone) {
			t.Errorf("text holds %q", gone)
		}
	}
	if m := rules.Misses(); len(m) != 0 {
		t.Errorf("misses %v", m)
	}
	// a rule for another host does not apply
	if r := gazette(t, rules, "https://other.example/ferry"); r.DateSource == record.DateFromRule || strings.Contains(r.Title, "Ferry service") && len(r.Authors) == 2 {
		t.Errorf("another host's page took the rules: %+v", r)
	}
}

// A rule that matches nothing is counted by host and rule, since markup
// changes silently; the generic rules then do their work.
func TestSiteRulesMisses(t *testing.T) {
	rules, err := ParseRules([]byte("gazette.example:\n  body: \"article.main\"\n  author: \".byline\"\n  remove: [\".nothing-here\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if r := gazette(t, rules, "https://gazette.example/ferry"); r.WordCount == 0 {
			t.Error("no text from the generic rules after the rule missed")
		}
	}
	got := []string{}
	for _, m := range rules.Misses() {
		got = append(got, m.String())
	}
	want := []string{
		"rules for gazette.example: author matched nothing on 3 of 3 pages",
		"rules for gazette.example: body matched nothing on 3 of 3 pages",
		"rules for gazette.example: remove matched nothing on 3 of 3 pages",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("misses:\n%s", strings.Join(got, "\n"))
	}
}

func urlParse(s string) (*url.URL, error) { return url.Parse(s) }

func TestSiteRulesHosts(t *testing.T) {
	rules, err := ParseRules([]byte(gazetteRules))
	if err != nil {
		t.Fatal(err)
	}
	for raw, want := range map[string]bool{
		"https://gazette.example/x":          true,
		"https://gazette.example:8443/x":     true, // the port is ignored
		"https://www.gazette.example/x":      true, // its www. twin: one site, as in the crawl's scope
		"https://news.gazette.example/x":     false,
		"https://arabic.example/x":           true, // *.arabic.example: it and its subdomains
		"https://news.arabic.example/x":      true,
		"https://notarabic.example/x":        false,
		"https://gazette.example.evil.test/": false,
	} {
		u, _ := urlParse(raw)
		if got := rules.forURL(u) != nil; got != want {
			t.Errorf("%s: rule %v, want %v", raw, got, want)
		}
	}
	var none *Rules
	if none.forURL(nil) != nil || none.Misses() != nil {
		t.Error("nil rules")
	}
	for _, bad := range []string{
		"gazette.example:\n  body: \"div[\"\n",         // a selector that does not parse
		"gazette.example:\n  bdy: \"div\"\n",           // an unknown key
		"https://gazette.example/:\n  body: \"div\"\n", // not a host
		"- a list\n", // not a map
	} {
		if _, err := ParseRules([]byte(bad)); !errors.Is(err, ErrRules) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
