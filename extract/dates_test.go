package extract

import (
	"testing"
	"time"

	"github.com/presscrawl/presscrawl/record"
)

func TestParseVisibleDate(t *testing.T) {
	ref := time.Date(2025, 11, 18, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{"October 17, 2020", "2020-10-17"},
		{"Oct. 17th, 2020", "2020-10-17"},
		{"Saturday 17 October 2020", "2020-10-17"},
		{"Published: March 5, 2024 · By Jane Roe", "2024-03-05"},
		{"السبت ١٧ أكتوبر ٢٠٢٠", "2020-10-17"},
		{"نُشر في: السبت ١٧ أكتوبر ٢٠٢٠ · بغداد", "2020-10-17"},
		{"17 تشرين الأول 2020", "2020-10-17"},
		{"٥ آذار ٢٠٢٤", "2024-03-05"},
		{"۱۷ اكتوبر ۲۰۲۰", "2020-10-17"},
		{"17 جويلية 2020", "2020-07-17"},
		{"17. Oktober 2020", "2020-10-17"},
		{"17 octobre 2020", "2020-10-17"},
		{"17 de octubre de 2020", "2020-10-17"},
		{"17.10.2020", "2020-10-17"},
		{"17/10/2020", "2020-10-17"},
		{"10/17/2020", "2020-10-17"},
		{"2020-10-17 09:42", "2020-10-17"},
		{"2020年10月17日", "2020-10-17"},
		{"3 hours ago", "2025-11-18T09:00:00Z"},
		{"منذ ٣ ساعات", "2025-11-18T09:00:00Z"},
		{"منذ يومين", "2025-11-16"},
		{"vor 2 Tagen", "2025-11-16"},
	} {
		got, ok := parseVisibleDate(tc.in, ref)
		if !ok || got.String() != tc.want {
			t.Errorf("parseVisibleDate(%q) = %v %v, want %s", tc.in, got.String(), ok, tc.want)
		}
	}
	for _, in := range []string{"", "Arab Press", "05/06/2020", "31 February 2020", "2020", "Chapter 12", "Call 555-1234", "32 October 2020"} {
		if got, ok := parseVisibleDate(in, ref); ok {
			t.Errorf("parseVisibleDate(%q) = %v, want no date", in, got)
		}
	}
}

func TestParseStructured(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2020-10-17T09:42:00+03:00", "2020-10-17T09:42:00+03:00"},
		{"2020-10-17T09:42:00.123Z", "2020-10-17T09:42:00Z"},
		{"2020-10-17T09:42:00+0300", "2020-10-17T09:42:00+03:00"},
		{"2020-10-17T09:42:00", "2020-10-17"},
		{"2020-10-17", "2020-10-17"},
		{"Sat, 17 Oct 2020 09:42:00 +0300", "2020-10-17T09:42:00+03:00"},
		{"October 17, 2020", "2020-10-17"},
	} {
		got, ok := parseStructured(tc.in)
		if !ok || got.String() != tc.want {
			t.Errorf("parseStructured(%q) = %q %v, want %q", tc.in, got.String(), ok, tc.want)
		}
	}
}

func TestTimestampJSONRoundTrip(t *testing.T) {
	for _, s := range []string{`"2020-10-17T09:42:00+03:00"`, `"2020-10-17"`} {
		var ts record.Timestamp
		if err := ts.UnmarshalJSON([]byte(s)); err != nil {
			t.Fatal(err)
		}
		out, _ := ts.MarshalJSON()
		if string(out) != s {
			t.Errorf("round trip %s gave %s", s, out)
		}
	}
	var ts record.Timestamp
	if err := ts.UnmarshalJSON([]byte(`"yesterday"`)); err == nil {
		t.Error("want an error for a non-date")
	}
}

func TestDateFromURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/2020/10/17/top-story/", "2020-10-17"},
		{"/news/2020-10-17-top-story", "2020-10-17"},
		{"/ar/2020/10/17/iraqi-fm-tehran/", "2020-10-17"},
	} {
		if got, ok := dateFromURL(tc.in); !ok || got.String() != tc.want {
			t.Errorf("dateFromURL(%q) = %v", tc.in, got)
		}
	}
	if _, ok := dateFromURL("/2020/10/"); ok {
		t.Error("a month archive has no day")
	}
}
