package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"sort"

	"github.com/presscrawl/presscrawl/facets"
)

// page is what every page shows: its title and what is served.
type page struct {
	Title string
	Name  string
}

func (s *Server) page(title string) page { return page{Title: title, Name: s.o.Name} }

type countRow struct {
	Label string
	Count int
	Link  string
	Dir   string
}

type countTable struct {
	Label string
	Rows  []countRow
	Max   int
}

type summaryRow struct{ Key, Value string }

type overviewView struct {
	Page      page
	Records   int
	Tables    []countTable
	Months    *histogram
	LastCrawl []summaryRow
	NoCrawl   string
}

// overviewPage is the archive at a glance: records per site, language and
// month, and the last crawl's summary.
func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	v := overviewView{Page: s.page("Overview")}
	bys := []struct{ by, field, label string }{{"site", "site_name", "Sites"}, {"language", "language", "Languages"}}
	all, n, err := CountEach(r.Context(), s.o.Reader, map[string]int{"site": 50, "language": 50, "day": 0}, "")
	if err != nil {
		s.errorPage(w, r, statusOf(err), err)
		return
	}
	v.Records = n
	var tables []countTable
	for _, b := range bys {
		t := countTable{Label: b.label}
		for _, c := range all[b.by] {
			row := countRow{Label: c.Value, Count: c.Count, Dir: "auto"}
			if c.Value != facets.NoValue {
				row.Link = params{Filters: []string{filterFor(b.field, c.Value)}}.link()
			}
			t.Rows = append(t.Rows, row)
			t.Max = max(t.Max, c.Count)
		}
		tables = append(tables, t)
	}
	days := all["day"]
	v.Tables = tables
	v.Months = newHistogram(days, "month", func(since, until string) string {
		return params{Since: since, Until: until}.link()
	})
	v.LastCrawl, v.NoCrawl = s.lastCrawl()
	s.render(w, http.StatusOK, "overview", v)
}

// lastCrawl is the last crawl's summary as rows, or why there is none.
func (s *Server) lastCrawl() ([]summaryRow, string) {
	if s.o.LastCrawl == nil {
		return nil, "no crawl summary is kept for this index"
	}
	b, err := s.o.LastCrawl()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "no crawl has finished in this data dir yet"
	}
	if err != nil {
		return nil, err.Error()
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Sprintf("the last crawl's summary cannot be read: %v", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var rows []summaryRow
	for _, k := range keys {
		val := m[k]
		if val == nil {
			continue
		}
		var text string
		if s, ok := val.(string); ok {
			text = s
		} else {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(val)
			text = string(bytes.TrimSpace(buf.Bytes()))
		}
		rows = append(rows, summaryRow{k, text})
	}
	return rows, ""
}

type errorView struct {
	Page    page
	Status  int
	Message string
}

// errorPage is a page saying what went wrong.
func (s *Server) errorPage(w http.ResponseWriter, _ *http.Request, status int, err error) {
	s.render(w, status, "error", errorView{Page: s.page(http.StatusText(status)), Status: status, Message: err.Error()})
}

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"pct": func(n, of int) int {
		if of == 0 {
			return 0
		}
		return n * 100 / of
	},
}).ParseFS(assets, "assets/*.html"))

// render writes a page; the page is made in memory first, so that a
// template's failure is a 500, not half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		http.Error(w, "page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
