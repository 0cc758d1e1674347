package extract

import (
	"strings"
	"testing"
	"unicode"
)

// collapseByRunes is collapse as first written, rune by rune: the oracle
// for its faster form.
func collapseByRunes(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == '\u00ad' {
			continue
		}
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

var collapseCases = []string{
	"", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\n\nb", "a\u00a0b", "a \u00a0 b", "Soft\u00adhyphen",
	"zero\u200bwidth", "\ufeffBOM", "٣ ساعات\u2009مضت", "a\u3000b", "a\u0085b", "bad \xff byte", "\xe2\x80", "ends with space\u00a0",
	"Arab Press — الصحافة العربية", "x\u202fy", "tail\u200b",
}

func TestCollapse(t *testing.T) {
	for _, s := range collapseCases {
		if got, want := collapse(s), collapseByRunes(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
	if got := collapse("a  b"); got != "a b" {
		t.Errorf("collapse(%q) = %q", "a  b", got)
	}
}

func FuzzCollapse(f *testing.F) {
	for _, s := range collapseCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapse(s), collapseByRunes(s); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
		if c := collapse(s); !collapsed(c) && strings.ToValidUTF8(c, "") == c {
			t.Errorf("collapse(%q) = %q, which is not collapsed", s, c)
		}
	})
}
