// Package versions tells an edit of an article from noise and says what
// changed between two versions of its record.
//
// A version is a change of the words of the title, the text, the authors or
// the publication date (Edited). Whitespace, punctuation and Unicode
// normalisation (NFKC: presentation forms, compatibility characters) are
// not words: a record that differs only in them is the same version. What
// is outside the record (a header date widget, a view counter, a rotated
// related list) never reaches it, so it cannot make a version either.
//
// Diffs are word-level (Diff): a word is a run of letters, marks and digits,
// so an Arabic word is never split between its letters and their
// diacritics, and each Han, Hiragana, Katakana or Hangul character is a
// word of its own, as those scripts write no spaces. The diff itself is
// sergi/go-diff's (Myers' algorithm with semantic clean-up) over words
// instead of characters.
package versions

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/presscrawl/presscrawl/record"
)

// Edited reports whether b is a new version of a: a word of the title,
// the text or an author changed, or the publication date.
func Edited(a, b *record.Record) bool {
	return EditedMeta(a, b) || !slices.Equal(Words(a.Text), Words(b.Text))
}

// EditedMeta is Edited without the text: the title's words, the authors
// or the publication date changed (the text's change shows in its
// content_hash).
func EditedMeta(a, b *record.Record) bool {
	return !slices.Equal(Words(a.Title), Words(b.Title)) || !sameAuthors(a.Authors, b.Authors) || stamp(a.PublishedAt) != stamp(b.PublishedAt)
}

func sameAuthors(a, b []string) bool {
	return slices.EqualFunc(a, b, func(x, y string) bool { return slices.Equal(Words(x), Words(y)) })
}

func stamp(t *record.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.String()
}

// Words are the words of s, NFKC-normalised, in order: whitespace and
// punctuation between them dropped.
func Words(s string) []string {
	var out []string
	for _, t := range tokens(norm.NFKC.String(s)) {
		if isWord(t) {
			out = append(out, t)
		}
	}
	return out
}

// tokens splits s into words and the runs between them, which joined
// give s back.
func tokens(s string) []string {
	var out []string
	start, inWord := 0, false
	for i, r := range s {
		w := wordRune(r)
		switch {
		case w && ownWord(r):
			if i > start {
				out = append(out, s[start:i])
			}
			size := len(string(r))
			out = append(out, s[i:i+size])
			start, inWord = i+size, false
			continue
		case w != inWord && i > start:
			out = append(out, s[start:i])
			start = i
		case w != inWord:
			start = i
		}
		inWord = w
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// wordRune is a rune words are made of.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '\u200c' || r == '\u200d'
}

// ownWord is a character that is a word by itself: the scripts written
// without spaces between words.
func ownWord(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isWord says whether a token is a word, not the run between words.
func isWord(t string) bool {
	for _, r := range t {
		return wordRune(r)
	}
	return false
}

// Change says what changed from one version to the next.
type Change struct {
	Title   bool `json:"title_changed"`
	Added   int  `json:"words_added"`
	Removed int  `json:"words_removed"`
	Authors bool `json:"authors_changed"`
	Date    bool `json:"date_changed"`
}

// Compare says what changed from a to b.
func Compare(a, b *record.Record) Change {
	c := Change{Title: !slices.Equal(Words(a.Title), Words(b.Title)), Authors: !sameAuthors(a.Authors, b.Authors),
		Date: stamp(a.PublishedAt) != stamp(b.PublishedAt)}
	for _, op := range Diff(a.Text, b.Text) {
		n := len(Words(op.Text))
		switch op.Op {
		case Insert:
			c.Added += n
		case Delete:
			c.Removed += n
		}
	}
	return c
}

// String is the change in a few words: "headline changed; +12 / -3 words;
// authors; date", or "no change in the words".
func (c Change) String() string {
	var parts []string
	if c.Title {
		parts = append(parts, "headline changed")
	}
	if c.Added > 0 || c.Removed > 0 {
		parts = append(parts, "+"+itoa(c.Added)+" / -"+itoa(c.Removed)+" words")
	}
	if c.Authors {
		parts = append(parts, "authors")
	}
	if c.Date {
		parts = append(parts, "date")
	}
	if len(parts) == 0 {
		return "no change in the words"
	}
	return strings.Join(parts, "; ")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
