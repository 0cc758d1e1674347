package extract

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// walk calls fn for n and its descendants in document order; fn returns false
// to skip a node's children.
func walk(n *html.Node, fn func(*html.Node) bool) {
	if !fn(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

// walkElements calls fn on the elements under n (n included) in document
// order, never entering scripts, styles, noscript, templates or the head;
// fn returns whether to visit the element's children.
func walkElements(n *html.Node, fn func(*html.Node) bool) {
	walk(n, func(c *html.Node) bool {
		if c.Type != html.ElementNode {
			return c.Type == html.DocumentNode
		}
		switch c.DataAtom {
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
			return false
		}
		return fn(c)
	})
}

// find returns the first element in document order for which match holds.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(c *html.Node) bool {
		if found != nil {
			return false
		}
		if c.Type == html.ElementNode && match(c) {
			found = c
			return false
		}
		return true
	})
	return found
}

// textOf returns the text of n with white space collapsed.
func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		switch {
		case c.Type == html.TextNode:
			b.WriteString(c.Data)
			b.WriteByte(' ')
		case c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Noscript || c.DataAtom == atom.Template):
			return false
		}
		return true
	})
	return collapse(b.String())
}

// shortTextOf is textOf for a node whose text is at most max bytes once
// collapsed; short is false, and the walk stops early, for a longer one
// (a check on every block-like element must not build the text of each).
func shortTextOf(n *html.Node, max int) (text string, short bool) {
	var b strings.Builder
	// solid counts bytes other than ASCII white space; the walk stops when
	// they are four times max (room for no-break spaces and soft hyphens,
	// which collapse drops or folds).
	solid, limit := 0, 4*max
	walk(n, func(c *html.Node) bool {
		if solid > limit {
			return false
		}
		switch {
		case c.Type == html.TextNode:
			for i := 0; i < len(c.Data); i++ {
				if ch := c.Data[i]; ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r' && ch != '\f' {
					solid++
				}
			}
			b.WriteString(c.Data)
			b.WriteByte(' ')
		case c.Type == html.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style || c.DataAtom == atom.Noscript || c.DataAtom == atom.Template):
			return false
		}
		return true
	})
	if solid > limit {
		return "", false
	}
	t := collapse(b.String())
	return t, len(t) <= max
}

// collapse folds every run of white space (including no-break spaces) into
// one space, drops soft hyphens, zero-width spaces and byte-order marks,
// and trims the ends. Text that is already so (most of a page's text
// nodes) comes back as it is, without a copy; bytes that are not UTF-8
// become U+FFFD.
func collapse(s string) string {
	if collapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace[c] {
				space = true
				continue
			}
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == '\u00ad' { // soft hyphen: an invisible break point inside a word
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
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(r)
		} else {
			b.WriteString(s[i-size : i])
		}
	}
	return b.String()
}

// asciiSpace marks the ASCII white space of unicode.IsSpace.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// collapsed reports text that collapse leaves as it is: valid UTF-8 whose
// only white space is single spaces between other characters, without soft
// hyphens, zero-width spaces or byte-order marks.
func collapsed(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] && (c != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u00ad' || r == '\u200b' || r == '\ufeff' || unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

// pageWide reports an element whose class and id describe the whole page,
// not a block of it: html, body, main and article carry a theme's options
// ("has-slider-menu", "genesis-breadcrumbs-hidden", "lang-de").
func pageWide(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Html, atom.Body, atom.Main, atom.Article:
		return true
	}
	return false
}

func removeNode(n *html.Node) {
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

// tokens splits class and id values into lower-case words: "td-post-sharing
// shareBar" gives td, post, sharing, share, bar. A camelCase word is split
// only when it is one (every part after the first a capital and two or more
// lower-case letters or digits): the generated names of styled-components
// and CSS modules ("jpYiwZ", "bUMNyJ") stay whole, or "jpYiwZ" would name
// Jetpack's "jp" and drop an article's paragraphs.
func tokens(s string) []string {
	var out []string
	splitWords(s, func(w string) bool {
		out = append(out, w)
		return true
	})
	return out
}

// classWords yields the words of n's class and id values, as tokens splits
// them, without building a slice: the rules ask them of most elements of
// every page.
func classWords(n *html.Node) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, a := range n.Attr {
			if (a.Key == "class" || a.Key == "id") && !splitWords(a.Val, yield) {
				return
			}
		}
	}
}

// anyClassWord reports whether one of n's class and id words is in set.
func anyClassWord(n *html.Node, set map[string]bool) bool {
	for w := range classWords(n) {
		if set[w] {
			return true
		}
	}
	return false
}

// splitWords calls yield with each lower-case word of s (see tokens) until
// it returns false, and reports whether it never did.
func splitWords(s string, yield func(string) bool) bool {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		var alnum bool
		size := 1
		if c < utf8.RuneSelf {
			alnum = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			alnum = unicode.IsLetter(r) || unicode.IsDigit(r)
		}
		if alnum {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			if !yieldWord(s[start:i], yield) {
				return false
			}
			start = -1
		}
		i += size
	}
	if start >= 0 {
		return yieldWord(s[start:], yield)
	}
	return true
}

// yieldWord yields the lower-case parts of one alphanumeric word: its
// camelCase parts when it is camelCase, else the word whole.
func yieldWord(w string, yield func(string) bool) bool {
	var cuts [8]int
	n := 0
	var prev rune
	for i, r := range w {
		if i > 0 && unicode.IsUpper(r) && unicode.IsLower(prev) {
			if n == len(cuts) {
				return yield(strings.ToLower(w))
			}
			cuts[n] = i
			n++
		}
		prev = r
	}
	if n == 0 {
		return yield(strings.ToLower(w))
	}
	for k := 0; k < n; k++ {
		end := len(w)
		if k+1 < n {
			end = cuts[k+1]
		}
		if !camelPart(w[cuts[k]:end]) {
			return yield(strings.ToLower(w))
		}
	}
	if cuts[0] < 2 {
		return yield(strings.ToLower(w))
	}
	start := 0
	for k := 0; k < n; k++ {
		if !yield(strings.ToLower(w[start:cuts[k]])) {
			return false
		}
		start = cuts[k]
	}
	return yield(strings.ToLower(w[start:]))
}

// camelPart reports a part of a camelCase word: a capital, then two or more
// lower-case letters or digits.
func camelPart(p string) bool {
	rest := 0
	for i, r := range p {
		if i == 0 {
			if !unicode.IsUpper(r) {
				return false
			}
			continue
		}
		if !unicode.IsLower(r) && !unicode.IsDigit(r) {
			return false
		}
		rest++
	}
	return rest >= 2
}
