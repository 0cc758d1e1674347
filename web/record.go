package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/presscrawl/presscrawl/index"
	"github.com/presscrawl/presscrawl/record"
	"github.com/presscrawl/presscrawl/versions"
)

// recordID is what a record's address may name: its id, or the start of
// it (8 hex digits or more), as search shows it.
var recordID = regexp.MustCompile(`^[0-9a-f]{8,64}$`)

// errNotFound is an id no record has.
var errNotFound = errors.New("no record with this id")

// lookup finds the record an address names.
func (s *Server) lookup(r *http.Request) (*record.Record, error) {
	id := strings.ToLower(r.PathValue("id"))
	if !recordID.MatchString(id) {
		return nil, fmt.Errorf("%w: record id %s: 8 to 64 hex digits", errBadRequest, index.ShowQuery(id))
	}
	var rec *record.Record
	var err error
	if len(id) == 64 {
		rec, err = s.o.Reader.Get(r.Context(), id)
	} else {
		rec, err = s.o.Reader.GetPrefix(r.Context(), id)
		if err != nil && !errors.Is(err, r.Context().Err()) {
			err = fmt.Errorf("%w: %v", errBadRequest, err) // several records start so
		}
	}
	if err == nil && rec == nil {
		err = fmt.Errorf("%w: %s", errNotFound, id)
	}
	return rec, err
}

func lookupStatus(err error) int {
	if errors.Is(err, errNotFound) {
		return http.StatusNotFound
	}
	return statusOf(err)
}

// field is one line of a record's table of fields.
type field struct {
	Name, Value string
	Link        string // an address to link the value to
	Dir         string
}

type versionView struct {
	N       int
	Fetched string
	Title   string
	Link    string
	Current bool
}

type recordView struct {
	Page       page
	R          *record.Record
	Lang, Dir  string
	Paragraphs []string
	Fields     []field
	Versions   []versionView
	DiffFrom   int
	DiffTo     int
	TitleDiff  template.HTML
	TextDiff   template.HTML
	Story      []hitView
	StoryTotal uint64
	StoryLink  string
	JSONLink   string
}

// recordPage is one record: every field, the text laid out by its
// language's direction, its versions with a diff, its story's other
// records.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request) {
	rec, err := s.lookup(r)
	if err != nil {
		s.errorPage(w, r, lookupStatus(err), err)
		return
	}
	if len(r.PathValue("id")) != 64 { // one address per record
		http.Redirect(w, r, "/records/"+rec.ID, http.StatusSeeOther)
		return
	}
	title := rec.Title
	if title == "" {
		title = rec.URL
	}
	v := recordView{Page: s.page(title), R: rec, Lang: rec.Language, Dir: direction(rec.Language), JSONLink: "/api/records/" + rec.ID}
	for _, p := range strings.Split(rec.Text, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			v.Paragraphs = append(v.Paragraphs, p)
		}
	}
	v.Fields = fieldsOf(rec)
	if rec.Versions > 1 {
		if err := s.fillVersions(r, &v); err != nil {
			s.errorPage(w, r, lookupStatus(err), err)
			return
		}
	}
	if rec.StoryID != "" {
		q := filterFor("story_id", rec.StoryID)
		hits, total, err := s.o.Reader.SearchWith(r.Context(), q, index.SearchOptions{Limit: 50, Sort: "date"})
		if err != nil {
			s.errorPage(w, r, statusOf(err), err)
			return
		}
		for _, h := range hits {
			if h.Record.ID != rec.ID {
				v.Story = append(v.Story, hitOf(h.Record, nil))
			}
		}
		if total > 1 {
			v.StoryTotal = total
			v.StoryLink = params{Filters: []string{q}, Sort: "date"}.link()
		}
	}
	s.render(w, http.StatusOK, "record", v)
}

// fillVersions lists the versions and diffs two of them (?from=&to=, by
// default the last two).
func (s *Server) fillVersions(r *http.Request, v *recordView) error {
	vs, err := s.o.Reader.Versions(r.Context(), v.R.ID)
	if err != nil {
		return err
	}
	if len(vs) < 2 {
		return nil
	}
	num := func(name string, def int) (int, error) {
		t := r.URL.Query().Get(name)
		if t == "" {
			return def, nil
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > len(vs) {
			return 0, fmt.Errorf("%w: %s %q: a version from 1 to %d", errBadRequest, name, t, len(vs))
		}
		return n, nil
	}
	from, err := num("from", len(vs)-1)
	if err != nil {
		return err
	}
	to, err := num("to", len(vs))
	if err != nil {
		return err
	}
	v.DiffFrom, v.DiffTo = from, to
	for i, x := range vs {
		vv := versionView{N: i + 1, Title: x.Title, Current: i == len(vs)-1}
		if x.FetchedAt != nil {
			vv.Fetched = x.FetchedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		prev := max(i, 1)
		vv.Link = fmt.Sprintf("/records/%s?from=%d&to=%d#diff", v.R.ID, prev, i+1)
		v.Versions = append(v.Versions, vv)
	}
	a, b := vs[from-1], vs[to-1]
	if a.Title != b.Title {
		v.TitleDiff = template.HTML(versions.HTML(versions.Diff(a.Title, b.Title))) // escaped by versions.HTML
	}
	v.TextDiff = template.HTML(versions.HTML(versions.Diff(a.Text, b.Text)))
	return nil
}

// fieldsOf is every field of a record but its text, in the export's order.
func fieldsOf(r *record.Record) []field {
	var out []field
	for _, name := range record.Columns {
		if name == "text" || name == "html" {
			continue
		}
		val := r.Column(name)
		if val == "" {
			continue
		}
		f := field{Name: name, Value: val, Dir: "auto"}
		switch name {
		case "url", "canonical_url", "archive_url", "image":
			if strings.HasPrefix(val, "https://") || strings.HasPrefix(val, "http://") {
				f.Link = val
			}
		case "story_id":
			f.Link = params{Filters: []string{filterFor("story_id", val)}, Sort: "date"}.link()
		case "site_name", "language", "section", "wire":
			f.Link = params{Filters: []string{filterFor(name, val)}}.link()
		}
		out = append(out, f)
	}
	return out
}

// apiRecord is /api/records/{id}: the record as JSON, with its earlier
// versions when ?versions=1.
func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := s.lookup(r)
	if err != nil {
		apiError(w, lookupStatus(err), err)
		return
	}
	if r.URL.Query().Get("versions") == "1" {
		vs, err := s.o.Reader.Versions(r.Context(), rec.ID)
		if err != nil {
			apiError(w, statusOf(err), err)
			return
		}
		writeJSON(w, map[string]any{"record": rec, "versions": vs})
		return
	}
	writeJSON(w, rec)
}
