package urlcanon

import (
	"net/url"
	"testing"
)

// FuzzCanonical: a canonical URL is http(s), parses, and is its own
// canonical form.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"https://A.example:443/a?utm_source=x&b=2&a=1#f", "/rel/../x?q=%20", "http://[::1]:80/", "https://a.example/%zz", "//host/path"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://base.example/dir/page")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Canonical(raw, base)
		if err != nil {
			return
		}
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("Canonical(%q) = %q: not an absolute http(s) URL (%v)", raw, c, err)
		}
		again, err := Canonical(c, nil)
		if err != nil || again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", raw, c, again, err)
		}
	})
}
