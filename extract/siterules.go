package extract

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/andybalholm/cascadia"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/html"

	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/stories"
)

// Per-site rules: where a site's markup defeats every generic rule, the
// researcher says once, in CSS selectors (cascadia, the selector engine of
// goquery), where its body, title, date and authors are and what to
// remove. They are applied before the generic rules; a rule that matches
// nothing on a page is counted, since markup changes silently.

// ErrRules is a rules file that cannot be used.
var ErrRules = errors.New("bad rules file")

// SiteRule is one host's rules, as the YAML file gives them.
type SiteRule struct {
	Body   string   `yaml:"body"`   // the article body: only what this selects is extracted
	Remove []string `yaml:"remove"` // removed from the page before anything is read
	Title  string   `yaml:"title"`  // the headline: the first match's text
	Date   string   `yaml:"date"`   // the publication date: the first match's datetime attribute, else its text
	Author string   `yaml:"author"` // every match is one author
}

type compiledRule struct {
	host                      string // as written in the file
	body, title, date, author cascadia.Sel
	remove                    []cascadia.Sel
}

// Rules are the rules of a file, by host; safe for concurrent use. The
// zero value and nil have none.
type Rules struct {
	exact  map[string]*compiledRule // news.example
	suffix map[string]*compiledRule // *.news.example: the host and its subdomains
	mu     sync.Mutex
	misses map[string]map[string]int // host as written -> rule -> pages it matched nothing on
	pages  map[string]int            // host as written -> pages the rules applied to
}

// ParseRules reads a rules file: a YAML map of hosts (a port is ignored;
// the host's www. twin is covered too; "*.news.example" for it and its
// subdomains) to SiteRule.
func ParseRules(data []byte) (*Rules, error) {
	var raw map[string]SiteRule
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRules, err)
	}
	rs := &Rules{exact: map[string]*compiledRule{}, suffix: map[string]*compiledRule{}, misses: map[string]map[string]int{}, pages: map[string]int{}}
	for host, r := range raw {
		h := strings.ToLower(strings.TrimSpace(host))
		if strings.ContainsAny(h, "/ ") {
			return nil, fmt.Errorf("%w: %q is not a host (news.example, or *.news.example for its subdomains too)", ErrRules, host)
		}
		if hp, _, err := net.SplitHostPort(h); err == nil {
			h = hp
		}
		sub := strings.HasPrefix(h, "*.")
		h = strings.TrimPrefix(h, "*.")
		if h == "" || strings.ContainsAny(h, "/ *") {
			return nil, fmt.Errorf("%w: %q is not a host (news.example, or *.news.example for its subdomains too)", ErrRules, host)
		}
		c := &compiledRule{host: host}
		compile := func(field, sel string) (cascadia.Sel, error) {
			if strings.TrimSpace(sel) == "" {
				return nil, nil
			}
			s, err := cascadia.Parse(sel)
			if err != nil {
				return nil, fmt.Errorf("%w: %s: %s: %q: %v", ErrRules, host, field, sel, err)
			}
			return s, nil
		}
		var err error
		if c.body, err = compile("body", r.Body); err != nil {
			return nil, err
		}
		if c.title, err = compile("title", r.Title); err != nil {
			return nil, err
		}
		if c.date, err = compile("date", r.Date); err != nil {
			return nil, err
		}
		if c.author, err = compile("author", r.Author); err != nil {
			return nil, err
		}
		for _, sel := range r.Remove {
			s, err := compile("remove", sel)
			if err != nil {
				return nil, err
			}
			if s != nil {
				c.remove = append(c.remove, s)
			}
		}
		if sub {
			rs.suffix[h] = c
		} else {
			rs.exact[h] = c
		}
	}
	return rs, nil
}

// For is the rule of the page at u, nil when there is none.
func (rs *Rules) forURL(u *url.URL) *compiledRule {
	if rs == nil || u == nil {
		return nil
	}
	h := strings.ToLower(u.Hostname())
	if r := rs.exact[h]; r != nil {
		return r
	}
	if r := rs.exact[strings.TrimPrefix(h, "www.")]; r != nil {
		return r // a host and its www. twin are one site, as the crawl's scope has them
	}
	for d := h; d != ""; {
		if r := rs.suffix[d]; r != nil {
			return r
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return nil
}

func (rs *Rules) miss(r *compiledRule, rule string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.misses[r.host] == nil {
		rs.misses[r.host] = map[string]int{}
	}
	rs.misses[r.host][rule]++
}

func (rs *Rules) applied(r *compiledRule) {
	rs.mu.Lock()
	rs.pages[r.host]++
	rs.mu.Unlock()
}

// RuleMiss is a rule that matched nothing on some pages.
type RuleMiss struct {
	Host  string // as the file writes it
	Rule  string // body, title, date, author, remove
	Pages int    // pages it matched nothing on
	Of    int    // pages of the host the rules applied to
}

func (m RuleMiss) String() string {
	return fmt.Sprintf("rules for %s: %s matched nothing on %d of %d pages", m.Host, m.Rule, m.Pages, m.Of)
}

// Misses are the rules that matched nothing on some page so far, by host
// and rule.
func (rs *Rules) Misses() []RuleMiss {
	if rs == nil {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []RuleMiss
	for host, m := range rs.misses {
		for rule, n := range m {
			out = append(out, RuleMiss{Host: host, Rule: rule, Pages: n, Of: rs.pages[host]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Host != out[j].Host {
			return out[i].Host < out[j].Host
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// siteRule is what a rule gave on one page: the body's blocks, a title, a
// date, authors (each nil or empty when the rule is unset or matched
// nothing).
type siteRule struct {
	body    []*html.Node
	title   string
	date    *record.Timestamp
	authors []string
}

// applyRule removes what the rule removes and reads what it selects, on
// the document as parsed, before any generic rule; it counts what matched
// nothing.
func (rs *Rules) apply(r *compiledRule, doc *html.Node, ref dateRef) siteRule {
	rs.applied(r)
	var out siteRule
	removed := 0
	for _, sel := range r.remove {
		for _, n := range cascadia.QueryAll(doc, sel) {
			if n.Parent != nil {
				n.Parent.RemoveChild(n)
				removed++
			}
		}
	}
	if len(r.remove) > 0 && removed == 0 {
		rs.miss(r, "remove")
	}
	if r.body != nil {
		for _, n := range cascadia.QueryAll(doc, r.body) { // in document order
			if len(out.body) > 0 && within(n, out.body[len(out.body)-1]) {
				continue // inside the previous match: read once
			}
			out.body = append(out.body, n)
		}
		if len(out.body) == 0 {
			rs.miss(r, "body")
		}
	}
	if r.title != nil {
		if n := cascadia.Query(doc, r.title); n != nil {
			out.title = collapse(textOf(n))
		}
		if out.title == "" {
			rs.miss(r, "title")
		}
	}
	if r.date != nil {
		if n := cascadia.Query(doc, r.date); n != nil {
			if v := firstNonEmpty(attr(n, "datetime"), attr(n, "content")); v != "" {
				if t, ok := parseStructured(v); ok {
					out.date = &t
				}
			}
			if out.date == nil {
				if t, ok := parseVisibleDate(collapse(textOf(n)), ref.now); ok {
					out.date = &t
				}
			}
		}
		if out.date == nil || out.date.After(ref.now) {
			out.date = nil
			rs.miss(r, "date")
		}
	}
	if r.author != nil {
		seen := map[string]bool{}
		for _, n := range cascadia.QueryAll(doc, r.author) {
			if a := collapse(textOf(n)); a != "" && !seen[a] {
				seen[a] = true
				out.authors = append(out.authors, a)
			}
		}
		if len(out.authors) == 0 {
			rs.miss(r, "author")
		}
	}
	return out
}

// ruleBody is the body a rule selected: its elements in document order,
// scripts, styles, forms and hidden elements left out, and no other rule.
func ruleBody(nodes []*html.Node, base *url.URL, title string) ([]block, string) {
	var raw []block
	for _, n := range nodes {
		cleanStructure(n)
		raw = append(raw, blocks(n, base)...)
	}
	wire := stories.Wire(strings.Join(texts(raw), "\n\n"))
	return refine(raw, title), wire
}
