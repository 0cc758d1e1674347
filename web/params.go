package web

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/presscrawl/presscrawl/index"
)

// params are a search as its address carries it: the query typed, the
// filters clicked (each a clause of the query language), the order, the
// days, the page and the histogram's interval.
type params struct {
	Q        string
	Filters  []string
	Sort     string
	Since    string
	Until    string
	Offset   int
	Limit    int
	Interval string // "", day, week or month
}

// filterClause is what a filter may be: one clause on a facet's field.
var filterClause = regexp.MustCompile(`^-?(site_name|language|section|authors|tags|story_id|wire|access|versions):\S`)

const (
	pageSize = 20
	maxLimit = 100 // of /api/search
)

// parseParams reads a search from the address's parameters; a value it
// cannot take is an error naming it (errBadRequest).
func parseParams(v url.Values, defaultLimit int) (params, error) {
	p := params{Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Since: v.Get("since"), Until: v.Get("until"),
		Interval: v.Get("interval"), Limit: defaultLimit}
	bad := func(format string, a ...any) (params, error) {
		return p, fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, a...))
	}
	for _, f := range v["f"] {
		f = strings.TrimSpace(f)
		if !filterClause.MatchString(f) {
			return bad("filter %s: want FIELD:VALUE on site_name, language, section, authors, tags, story_id, wire, access or versions", index.ShowQuery(f))
		}
		p.Filters = append(p.Filters, f)
	}
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 10000 {
			return bad("offset %q: a number from 0 to 10000", s)
		}
		p.Offset = n
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return bad("limit %q: a number from 1 to %d", s, maxLimit)
		}
		p.Limit = n
	}
	switch p.Interval {
	case "", "day", "week", "month":
	default:
		return bad("interval %q: day, week or month", p.Interval)
	}
	if err := p.options().Check(); err != nil {
		return p, err
	}
	if len(p.query()) > index.MaxQueryBytes {
		return bad("the query and its filters hold %d bytes: at most %d", len(p.query()), index.MaxQueryBytes)
	}
	return p, nil
}

// query is the query with the filters as required clauses.
func (p params) query() string {
	parts := []string{p.Q}
	for _, f := range p.Filters {
		if !strings.HasPrefix(f, "-") {
			f = "+" + f
		}
		parts = append(parts, f)
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// options are the search's options.
func (p params) options() index.SearchOptions {
	return index.SearchOptions{Limit: p.Limit, Offset: p.Offset, Sort: p.Sort, Since: p.Since, Until: p.Until}
}

// values are the parameters of the address of the search (the defaults
// left out).
func (p params) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", p.Q)
	for _, f := range p.Filters {
		v.Add("f", f)
	}
	if p.Sort != "relevance" {
		set("sort", p.Sort)
	}
	set("since", p.Since)
	set("until", p.Until)
	set("interval", p.Interval)
	if p.Offset > 0 {
		v.Set("offset", strconv.Itoa(p.Offset))
	}
	return v
}

// link is the address of the search page for p.
func (p params) link() string {
	if v := p.values(); len(v) > 0 {
		return "/?" + v.Encode()
	}
	return "/"
}

// with is p changed by fn, from its first page.
func (p params) with(fn func(*params)) params {
	c := p
	c.Filters = append([]string(nil), p.Filters...)
	c.Offset = 0
	fn(&c)
	return c
}

// filterFor is the clause of a facet's value.
func filterFor(field, value string) string {
	return field + `:"` + strings.ReplaceAll(value, `"`, " ") + `"`
}
