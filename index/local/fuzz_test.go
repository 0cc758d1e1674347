package local

import (
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/index"
)

// The query language: any string gives a query or an error, never a
// panic; a query past the bounds is refused before any work.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{`tehran language:ar`, `"exact phrase" -not +must`, `published_at:>="2020-10-01"`, `text:*a*a*`,
		`title:(tehran)`, `a OR b NOT c`, `"unclosed`, `versions:>1`, `site_name:"Arab Press"`, `محادثات text_ar:مفاوضات`} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		_, err := buildQuery(q)
		if index.CheckQuery(q) != nil && err == nil {
			t.Fatalf("%.80q past the bounds was built", q)
		}
		if err != nil && strings.Contains(err.Error(), "panic") {
			t.Fatal(err)
		}
	})
}
