package versions

import (
	"html"
	"io"
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is what a piece of a diff is.
type Op string

// The pieces of a diff.
const (
	Equal  Op = "equal"
	Insert Op = "insert"
	Delete Op = "delete"
)

// Piece is a run of text that is in both versions, or only in one.
type Piece struct {
	Op   Op     `json:"op"`
	Text string `json:"text"`
}

// Diff is the word-level diff from a to b: pieces whose texts, the
// inserted ones left out, give a, and the deleted ones left out, b. Text
// between words goes with the words around it, so that an inserted
// sentence is one piece.
func Diff(a, b string) []Piece {
	ta, tb := tokens(a), tokens(b)
	// Each distinct token becomes one rune, so that go-diff's character
	// diff is a token diff (its DiffLinesToRunes does this for lines).
	ids := map[string]rune{}
	var table []string
	encode := func(ts []string) []rune {
		out := make([]rune, len(ts))
		for i, t := range ts {
			id, ok := ids[t]
			if !ok {
				id = runeOf(len(table))
				ids[t] = id
				table = append(table, t)
			}
			out[i] = id
		}
		return out
	}
	if distinct(ta, tb) > maxTokens {
		return coarse(a, b) // more distinct words than runes: no page of text has them
	}
	ra, rb := encode(ta), encode(tb)
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact: texts of articles are small
	diffs := dmp.DiffMainRunes(ra, rb, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var out []Piece
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(table[indexOf(r)])
		}
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = Insert
		case diffmatchpatch.DiffDelete:
			op = Delete
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += sb.String()
			continue
		}
		out = append(out, Piece{Op: op, Text: sb.String()})
	}
	return out
}

// Changed reports whether a diff has any insertion or deletion.
func Changed(ps []Piece) bool {
	for _, p := range ps {
		if p.Op != Equal {
			return true
		}
	}
	return false
}

// WriteText writes a diff readably in plain text: deletions as [-text-],
// insertions as {+text+} (git's --word-diff=plain), or, with color, red
// and green on a terminal. The markers are neutral characters, so Arabic
// text stays in its own order around them.
func WriteText(w io.Writer, ps []Piece, color bool) error {
	var sb strings.Builder
	for _, p := range ps {
		switch {
		case p.Op == Equal:
			sb.WriteString(p.Text)
		case color && p.Op == Delete:
			sb.WriteString("\x1b[9;31m" + p.Text + "\x1b[0m")
		case color:
			sb.WriteString("\x1b[32m" + p.Text + "\x1b[0m")
		case p.Op == Delete:
			sb.WriteString("[-" + p.Text + "-]")
		default:
			sb.WriteString("{+" + p.Text + "+}")
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// HTML is a diff as an HTML fragment: <del> and <ins> around the changes,
// every piece's text escaped (it is the site's text: attacker-controlled),
// paragraphs kept, each bidi-isolated so that Arabic runs right to left.
func HTML(ps []Piece) string {
	var sb strings.Builder
	sb.WriteString(`<div class="diff" dir="auto"><p dir="auto">`)
	for _, p := range ps {
		parts := strings.Split(p.Text, "\n\n")
		for i, part := range parts {
			if i > 0 {
				sb.WriteString("</p>\n<p dir=\"auto\">")
			}
			if part == "" {
				continue
			}
			esc := html.EscapeString(part)
			switch p.Op {
			case Delete:
				sb.WriteString("<del>" + esc + "</del>")
			case Insert:
				sb.WriteString("<ins>" + esc + "</ins>")
			default:
				sb.WriteString(esc)
			}
		}
	}
	sb.WriteString("</p></div>\n")
	return sb.String()
}

// maxTokens is how many distinct tokens runes can stand for (the
// surrogates, which a Go string cannot hold, left out).
const maxTokens = unicode.MaxRune + 1 - 0x800

// runeOf is the rune that stands for token i: i itself, past the
// surrogates.
func runeOf(i int) rune {
	if i >= 0xD800 {
		return rune(i + 0x800)
	}
	return rune(i)
}

func indexOf(r rune) int {
	if r >= 0xE000 {
		return int(r) - 0x800
	}
	return int(r)
}

// distinct counts the distinct tokens of two lists.
func distinct(a, b []string) int {
	seen := make(map[string]struct{}, len(a))
	for _, t := range a {
		seen[t] = struct{}{}
	}
	for _, t := range b {
		seen[t] = struct{}{}
	}
	return len(seen)
}

// coarse is the diff of two texts as a whole: all of a out, all of b in.
func coarse(a, b string) []Piece {
	var out []Piece
	if a != "" {
		out = append(out, Piece{Op: Delete, Text: a})
	}
	if b != "" {
		out = append(out, Piece{Op: Insert, Text: b})
	}
	return out
}
