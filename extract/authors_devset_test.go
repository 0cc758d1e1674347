package extract

import (
	"bytes"
	"flag"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/markusmobius/go-trafilatura"
)

var devAuthors = flag.Bool("devset.authors", false, "TestAuthorsAgainstTrafilatura compares authors with go-trafilatura's on the development set (slow)")

// TestAuthorsAgainstTrafilatura compares, page by page, our authors with
// go-trafilatura's (its metadata author): how often both find some and
// share a name, differ, or only one finds any. The set has no labelled
// authors: this is agreement, not accuracy; the differences are listed.
func TestAuthorsAgainstTrafilatura(t *testing.T) {
	if !*devAuthors {
		t.Skip("run with -devset.authors")
	}
	pages := loadDevSet(t)
	var agree, differ, onlyOurs, onlyTheirs, neither int
	var lines []string
	for _, p := range pages {
		rec, err := Extract(Input{Body: p.body, URL: httpURL(p.URL)})
		if err != nil {
			continue
		}
		u, _ := url.Parse(httpURL(p.URL))
		res, terr := trafilatura.Extract(bytes.NewReader(p.body), trafilatura.Options{EnableFallback: true, OriginalURL: u})
		theirs := ""
		if terr == nil && res != nil {
			theirs = strings.TrimSpace(res.Metadata.Author)
		}
		ours := strings.Join(rec.Authors, "; ")
		switch {
		case ours != "" && theirs != "":
			if shareName(rec.Authors, theirs) {
				agree++
			} else {
				differ++
				lines = append(lines, fmt.Sprintf("differ  %s ours %q trafilatura %q %s", p.ID, ours, theirs, p.URL))
			}
		case ours != "":
			onlyOurs++
			lines = append(lines, fmt.Sprintf("ours    %s %q %s", p.ID, ours, p.URL))
		case theirs != "":
			onlyTheirs++
			lines = append(lines, fmt.Sprintf("theirs  %s %q %s", p.ID, theirs, p.URL))
		default:
			neither++
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		t.Log(l)
	}
	t.Logf("%d pages: both, a name shared %d; both, none shared %d; only ours %d; only trafilatura %d; neither %d",
		len(pages), agree, differ, onlyOurs, onlyTheirs, neither)
	if agree+differ+onlyOurs+onlyTheirs+neither == 0 {
		t.Fatal("no page compared")
	}
}

func shareName(ours []string, theirs string) bool {
	t := strings.ToLower(theirs)
	for _, a := range ours {
		if a = strings.ToLower(a); strings.Contains(t, a) || strings.Contains(a, t) {
			return true
		}
	}
	return false
}
