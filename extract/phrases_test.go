package extract

import (
	"strings"
	"testing"
)

// containsAny finds what a strings.Contains per phrase finds, at the start,
// middle and end of a line, in multi-byte text, and nothing else.
func TestPhraseSetMatchesContains(t *testing.T) {
	set := phraseSet("sign up for", "©", "اشترك في", "ab", "abc")
	lines := []string{
		"", "s", "sign up fo", "sign up for", "please sign up for our letter", "x sign up fo r",
		"© 2024", "photo ©", "اشترك في النشرة", "لا اشترك", "a", "ab", "xab", "xa b", "©©", "\xc2",
	}
	list := []string{"sign up for", "©", "اشترك في", "ab", "abc"}
	for _, l := range lines {
		want := false
		for _, p := range list {
			want = want || strings.Contains(l, p)
		}
		if got := containsAny(l, set); got != want {
			t.Errorf("containsAny(%q) = %v, strings.Contains says %v", l, got, want)
		}
	}
}

func FuzzPhraseSet(f *testing.F) {
	list := []string{"subscribe to", "follow us on", "تابعونا", "©", "(c)"}
	set := phraseSet(list...)
	f.Add("please subscribe to us")
	f.Add("تابعونا على")
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		for _, p := range list {
			want = want || strings.Contains(s, p)
		}
		if got := containsAny(s, set); got != want {
			t.Fatalf("containsAny(%q) = %v, want %v", s, got, want)
		}
	})
}
