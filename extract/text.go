package extract

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockTags end a run of inline text: each starts a new block of the text.
var blockTags = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Tr: true,
	atom.Figure: true, atom.Figcaption: true, atom.Header: true, atom.Hr: true, atom.Address: true,
	atom.Center: true, atom.Details: true, atom.Summary: true,
}

var paraBreak = regexp.MustCompile(`\n[ \t\r\f\v\p{Zs}]*\n`)

// blocks returns the text of root as paragraphs and headings in document
// order, one entry each. Two <br> in a row also end a paragraph; a table
// row is one block, its cells separated by " | ".
func blocks(root *html.Node) []string {
	var out []string
	var buf strings.Builder
	linked, inLink := 0, 0 // link text in the buffer; depth inside <a>
	flush := func() {
		all := buf.String()
		// A short block that is nothing but a link is a "read more" or a
		// related headline, not prose.
		linkOnly := linked > 0 && linked*10 >= len(strings.TrimSpace(all))*9 && wordCount(all) < 15
		if !linkOnly {
			for _, part := range paraBreak.Split(all, -1) {
				if t := collapse(part); t != "" {
					out = append(out, t)
				}
			}
		}
		buf.Reset()
		linked = 0
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := strings.ReplaceAll(n.Data, "\n", " ")
			buf.WriteString(t)
			if inLink > 0 {
				linked += len(strings.TrimSpace(t))
			}
			return
		case html.ElementNode:
			if dropTags[n.DataAtom] {
				return
			}
			if n.DataAtom == atom.Br {
				buf.WriteString("\n")
				return
			}
			if (n.DataAtom == atom.Td || n.DataAtom == atom.Th) && strings.TrimSpace(buf.String()) != "" {
				buf.WriteString(" | ")
			}
		}
		block := n.Type == html.ElementNode && blockTags[n.DataAtom]
		if block {
			flush()
		}
		if n.DataAtom == atom.A {
			inLink++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		if n.DataAtom == atom.A {
			inLink--
		}
		if block {
			flush()
		}
	}
	visit(root)
	flush()
	return out
}

// boilerLines are whole blocks that are page furniture wherever they stand.
var boilerLines = setOf(
	"advertisement", "advertisements", "sponsored", "sponsored content", "share", "share this",
	"share this article", "share on facebook", "share on twitter", "tweet", "print", "email",
	"read more", "continue reading", "click here", "subscribe", "sign up", "log in", "close",
	"×", "x", "0:00", "loading", "loading...", "back to top", "skip to content",
	"إعلان", "اقرأ المزيد", "اشترك", "إغلاق", "شارك", "anzeige", "werbung", "teilen",
	"weiterlesen", "publicité", "partager", "publicidad", "compartir", "reklama",
)

// creditLine is a photo credit or source line: "Credit: …", "Foto: …".
var creditLine = regexp.MustCompile(`(?i)^(photo|image|picture|credit|credits|photograph|photos?|fotos?|bild|titelbild|bildquelle|quelle|source|sources|crédits? photos?|crédit|image illustrative|źródło|fot\.|zdjęcie|المصدر|صورة)\b.{0,80}$|^(photograph|photo|image|illustration) by\b`)

// trailingMeta are the post-metadata lines blog engines print under a post.
var trailingMeta = regexp.MustCompile(`(?i)^(this entry was posted|posted in|filed under|tags?:|tagged( with)?:?|categories:|category:|kategorien?:|schlagw(ö|oe)rter:|veröffentlicht (am|in|unter)|erstellt am|der beitrag wurde|dieser beitrag wurde|publié (le|dans)|share this|teilen mit:|like this:|gefällt mir:|related posts?:?|ähnliche beiträge|vous aimerez aussi|التصنيفات|الوسوم|كلمات مفتاحية)`)

var bylinePrefix = regexp.MustCompile(`(?i)^(by|von|par|por|di|door|av|przez|بقلم|كتب|كتبت|إعداد|تأليف)[:\s]`)

// refine applies the rules that need the whole list of blocks: the title,
// bylines and dates at the edges, furniture lines and a block repeating the
// one before it are dropped.
func refine(bs []string, title string) []string {
	out := bs[:0]
	prev := ""
	normTitle := strings.ToLower(collapse(title))
	for i, b := range bs {
		low := strings.ToLower(b)
		switch {
		case normTitle != "" && low == normTitle:
			continue
		case boilerLines[normHeading(b)] || boilerHeadings[normHeading(b)]:
			continue
		case i < 3 && len(out) == 0 && isBylineOrDate(b):
			continue
		case low == prev:
			continue
		case !hasLetterOrDigit(b):
			continue
		case wordCount(b) <= 12 && creditLine.MatchString(b):
			continue
		}
		prev = low
		out = append(out, b)
	}
	out = trimTail(out)
	for len(out) > 0 {
		last := out[len(out)-1]
		if !isBylineOrDate(last) && !(trailingMeta.MatchString(last) && wordCount(last) <= 40) {
			break
		}
		out = out[:len(out)-1]
	}
	return out
}

// trimTail drops a short tail after the body: one or two blocks of under
// 10 words after the last paragraph of 25 words or more (sign-offs, calls
// to action, box headings). Measured on the dev set: fewer leaks than
// losses.
func trimTail(bs []string) []string {
	last := -1
	for i, b := range bs {
		if wordCount(b) >= 25 {
			last = i
		}
	}
	tail := len(bs) - 1 - last
	if last < 0 || tail == 0 || tail > 2 {
		return bs
	}
	for _, b := range bs[last+1:] {
		if wordCount(b) >= 10 {
			return bs
		}
	}
	return bs[:last+1]
}

// isBylineOrDate spots a short block that names the author or gives a date.
func isBylineOrDate(b string) bool {
	if wordCount(b) > 10 {
		return false
	}
	if bylinePrefix.MatchString(b) {
		return true
	}
	_, ok := parseVisibleDate(b, zeroTime)
	return ok
}

func hasLetterOrDigit(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// wordCount counts words: runs of letters and digits, and every ideograph or
// kana on its own, since Chinese and Japanese do not space their words.
func wordCount(s string) int {
	n := 0
	in, digit := false, false
	for _, r := range s {
		wasDigit := digit
		digit = unicode.IsDigit(r)
		switch {
		case (r == ',' || r == '.' || r == '٬' || r == '٫') && wasDigit:
			// 5,000 and 3.5 are one word
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if !in {
				n++
			}
			in = true
		case r == '\'' || r == '’' || r == '-':
			// inside a word
		default:
			in = false
		}
	}
	return n
}
