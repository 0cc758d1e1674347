package urlcanon

import (
	"net/url"
	"testing"
)

func TestCanonical(t *testing.T) {
	base, _ := url.Parse("https://arabpress.example/2020/10/17/story/")
	for _, tc := range []struct{ in, want string }{
		{"HTTPS://ArabPress.Example:443/a/?utm_source=facebook&utm_medium=social", "https://arabpress.example/a/"},
		{"http://arabpress.example:80", "http://arabpress.example/"},
		{"http://arabpress.example:8080/x", "http://arabpress.example:8080/x"},
		{"https://arabpress.example/a?b=2&a=1&fbclid=XYZ#comments", "https://arabpress.example/a?a=1&b=2"},
		{"https://arabpress.example/a?gclid=1&mc_cid=2&mc_eid=3", "https://arabpress.example/a"},
		{"https://user:pw@arabpress.example/a", "https://arabpress.example/a"},
		{"/ar/2020/10/17/iraqi-fm-tehran/", "https://arabpress.example/ar/2020/10/17/iraqi-fm-tehran/"},
		{"../../16/other/", "https://arabpress.example/2020/10/16/other/"},
		{"https://arabpress.example/search?q=a%20b&page=2", "https://arabpress.example/search?page=2&q=a%20b"},
		{"https://arabpress.example/a?", "https://arabpress.example/a"},
		{"https://[::1]:443/x", "https://[::1]/x"},
		{"https://Example.COM./a", "https://example.com/a"},
		{"https://a.example/s?q=two words&x=ü", "https://a.example/s?q=two%20words&x=%C3%BC"},
	} {
		got, err := Canonical(tc.in, base)
		if err != nil || got != tc.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "mailto:a@b.c", "javascript:void(0)", "ftp://x/y", "http://%zz", "http://./x", "//.", "//0..", "http://a..b/", "http://.a/"} {
		if got, err := Canonical(bad, nil); err == nil {
			t.Errorf("Canonical(%q) = %q, want an error", bad, got)
		}
	}
}

func TestIsTrackingParam(t *testing.T) {
	for _, k := range []string{"utm_source", "UTM_Campaign", "fbclid", "gclid", "mc_cid"} {
		if !IsTrackingParam(k) {
			t.Errorf("%s should be a tracking parameter", k)
		}
	}
	for _, k := range []string{"id", "page", "q", "p"} {
		if IsTrackingParam(k) {
			t.Errorf("%s is not a tracking parameter", k)
		}
	}
}

func TestSamePage(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://www.a.example/x?utm_source=t#c", "http://a.example/x", true},
		{"https://a.example/x?b=1&a=2", "https://A.example:443/x?a=2&b=1", true},
		{"https://a.example/x", "https://a.example/x/", false},
		{"https://a.example/x?id=1", "https://a.example/x?id=2", false},
		{"not a url", "https://a.example/", false},
	} {
		if got := SamePage(tc.a, tc.b); got != tc.want {
			t.Errorf("SamePage(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@news.example/a?b=c@d": "https://news.example/a?b=c@d",
		"http://u@host:8080/":                      "http://host:8080/",
		"https://news.example/@handle":             "https://news.example/@handle",
		"not a url":                                "not a url",
		"http://a:b@[::1]:99/x":                    "http://[::1]:99/x",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
