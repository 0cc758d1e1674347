package extract

import (
	"strings"
	"testing"
)

// containsAny finds what a strings.Contains per phrase finds in the line
// with its ASCII letters lower-cased, at the start, middle and end of a
// line, in multi-byte text, and nothing else.
func TestPhraseSetMatchesContains(t *testing.T) {
	set := phraseSet("sign up for", "©", "اشترك في", "ab", "abc")
	lines := []string{
		"", "s", "sign up fo", "sign up for", "please sign up for our letter", "x sign up fo r",
		"© 2024", "photo ©", "اشترك في النشرة", "لا اشترك", "a", "ab", "xab", "xa b", "©©", "\xc2", "Please SIGN UP FOR it", "xAB",
	}
	list := []string{"sign up for", "©", "اشترك في", "ab", "abc"}
	for _, l := range lines {
		want := false
		for _, p := range list {
			want = want || strings.Contains(lowerASCIIString(l), p)
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
	f.Add("SUBSCRIBE To (C)")
	f.Fuzz(func(t *testing.T, s string) {
		want := false
		for _, p := range list {
			want = want || strings.Contains(lowerASCIIString(s), p)
		}
		if got := containsAny(s, set); got != want {
			t.Fatalf("containsAny(%q) = %v, want %v", s, got, want)
		}
	})
}

// lowerASCIIString lower-cases s's ASCII letters only, byte by byte, as
// containsAny folds.
func lowerASCIIString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
