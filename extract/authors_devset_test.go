package extract

import (
	"bytes"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/markusmobius/go-trafilatura"
)

var devAuthors = flag.Bool("devset.authors", false, "TestAuthorsAgainstTrafilatura compares authors with go-trafilatura's on the development set (slow)")

// TestAuthorsAgainstTrafilatura compares, page by page, our authors with
// go-trafilatura's (its metadata author): they agree when they share a
// name. The set has no labelled authors: this is agreement, not accuracy;
// the differences are listed.
func TestAuthorsAgainstTrafilatura(t *testing.T) {
	if !*devAuthors {
		t.Skip("run with -devset.authors")
	}
	agreement(t, "trafilatura", func(p devPage) (string, string, bool) {
		var names []string
		if rec, err := Extract(Input{Body: p.body, URL: httpURL(p.URL)}); err == nil {
			names = rec.Authors
		}
		u, _ := url.Parse(httpURL(p.URL))
		theirs := ""
		if res, err := trafilatura.Extract(bytes.NewReader(p.body), trafilatura.Options{EnableFallback: true, OriginalURL: u}); err == nil && res != nil {
			theirs = strings.TrimSpace(res.Metadata.Author)
		}
		same := shareName(names, theirs)
		ours := ""
		if len(names) > 0 {
			ours = fmt.Sprintf("%q", strings.Join(names, "; "))
		}
		if theirs != "" {
			theirs = fmt.Sprintf("%q", theirs)
		}
		return ours, theirs, same
	})
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
