package extract

// The fast forms of collapse and of the link counts, each checked against
// the plain form it replaced.

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
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

// linkCounts (one pass from the leaves up) gives every box the word and
// link-word counts linkDensity gives it box by box: on the first 100 pages
// of the dev set, and on a box inside a link.
func TestLinkCountsMatchLinkDensity(t *testing.T) {
	inLink, _ := html.Parse(strings.NewReader(`<a href="/x"><div><p>Teaser text <a href="/y">more</a></p></div></a><div><ul><li><a href="/z">one link</a> and words</li></ul></div>`))
	docs := append(parsedDevPages(t, 100), inLink)
	boxes := 0
	for _, doc := range docs {
		counts := map[*html.Node]wordsLinked{}
		linkCounts(doc, counts)
		for n, c := range counts {
			boxes++
			ld, words := linkDensity(n)
			if words != c.words || (words > 0 && math.Abs(ld-float64(c.linked)/float64(c.words)) > 1e-9) {
				t.Fatalf("<%s class=%q>: linkCounts %d words, %d linked; linkDensity %d words, density %.3f", n.Data, attr(n, "class"), c.words, c.linked, words, ld)
			}
		}
	}
	if boxes < 1000 {
		t.Errorf("only %d boxes compared", boxes)
	}
}

// fileWords, the cheap check before fileLink, passes every kind of line
// fileLink matches.
func TestFileLinkPrecheck(t *testing.T) {
	for _, line := range []string{"PDF | 38 KB", "Jahresbericht (DOCX, 1,2 MB)", "Tabelle xls (20 KiB)", "Folien PPTX 3 MB", "Archiv zip 10 GB",
		"Broschüre (PDF, nicht barrierefrei)", "Nicht barrierefrei", "doc 12 kb", "xlsx|4MB"} {
		if !fileLink.MatchString(line) {
			t.Errorf("fileLink does not match %q: fix the example", line)
		}
		if !containsAny(strings.ToLower(line), fileWords) {
			t.Errorf("fileWords misses %q, which fileLink matches", line)
		}
	}
}

// classWords yields, without a slice, the words tokens gives for an
// element's class and id: on every element of the first 50 dev pages.
func TestClassWordsMatchTokens(t *testing.T) {
	elements := 0
	for _, doc := range parsedDevPages(t, 50) {
		walkElements(doc, func(n *html.Node) bool {
			elements++
			want := append(tokens(attr(n, "class")), tokens(attr(n, "id"))...)
			var got []string
			for w := range classWords(n) {
				got = append(got, w)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("<%s class=%q id=%q>: classWords %q, tokens %q", n.Data, attr(n, "class"), attr(n, "id"), got, want)
			}
			return true
		})
	}
	if elements < 10000 {
		t.Errorf("only %d elements compared", elements)
	}
}

// parsedDevPages parses the first n pages of the dev set.
func parsedDevPages(t *testing.T, n int) []*html.Node {
	t.Helper()
	var docs []*html.Node
	for _, p := range loadDevSet(t) {
		if len(docs) == n {
			break
		}
		src, _, err := decode(p.body, "")
		if err != nil {
			continue
		}
		doc, err := html.Parse(strings.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs
}
