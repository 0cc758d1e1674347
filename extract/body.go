package extract

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// leadWords name a standfirst: the summary paragraph between headline and
// body that readability often leaves out with the header around it.
var leadWords = setOf("lead", "leader", "lede", "intro", "introduction", "subtitle", "subheadline", "subline",
	"standfirst", "excerpt", "summary", "deck", "dek", "abstract", "chapo", "chapeau", "sapo", "vorspann", "teaser")

// hasBlockChild reports whether n holds paragraphs or containers, not only
// text: such a node is not one block (and its text is not worth building).
func hasBlockChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch c.DataAtom {
		case atom.P, atom.Div, atom.Section, atom.Article, atom.Ul, atom.Ol, atom.Table, atom.Header, atom.Aside:
			return true
		}
	}
	return false
}

// standfirst returns the text of the standfirst within the elements that
// follow the <h1>, or "".
func standfirst(m *meta, doc *html.Node, order map[*html.Node]int) string {
	if m.h1 == nil {
		return ""
	}
	start, lead := order[m.h1], ""
	// A block after the title that repeats the page's description is its
	// standfirst too, whatever its class.
	desc := strings.ToLower(collapse(firstNonEmpty(m.first("description"), m.first("og:description"))))
	if wordCount(desc) < 8 {
		desc = ""
	}
	walk(doc, func(n *html.Node) bool {
		if lead != "" || n.Type != html.ElementNode {
			return lead == ""
		}
		if i := order[n]; i <= start || i > start+40 {
			return i <= start+40
		}
		if desc != "" && (n.DataAtom == atom.P || n.DataAtom == atom.Div || n.DataAtom == atom.H2) && !hasBlockChild(n) {
			if t := collapse(textOf(n)); strings.ToLower(t) == desc {
				lead = t
				return false
			}
		}
		if n.DataAtom == atom.Figure || n.DataAtom == atom.Figcaption || n.DataAtom == atom.Img {
			return false // a lead image's caption is no standfirst
		}
		for w := range classWords(n) {
			if !leadWords[w] {
				continue
			}
			t := textOf(n)
			if wc := wordCount(t); wc >= 8 && wc <= 150 {
				if ld, _ := linkDensity(n); ld < 0.3 {
					lead = t
				}
			}
			return false
		}
		return true
	})
	return lead
}

// fallbackWords is the body length under which a second, structure-only
// extraction is tried.
const fallbackWords = 100

// blocksWords sums the words of refined blocks.
func blocksWords(bs []block) int {
	n := 0
	for _, b := range bs {
		n += b.words
	}
	return n
}

// bodyBlocks runs readability on the cleaned document and returns the text
// blocks of what it keeps; when it finds nothing, the cleaned body's blocks.
func bodyBlocks(doc *html.Node, base *url.URL) []block {
	p := readability.NewParser()
	p.DisableJSONLD = true
	art, err := p.ParseAndMutate(doc, base)
	if err == nil && art.Node != nil {
		if bs := blocks(art.Node, base); len(bs) > 0 {
			return bs
		}
	}
	body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		return nil
	}
	return blocks(body, base)
}

// shortLineShare reports whether most of many blocks are short lines (what
// lists of links leave behind) and counts the blocks of prose (25+ words).
func shortLineShare(bs []block) (bool, int) {
	short, prose := 0, 0
	for _, b := range bs {
		switch n := wordCount(b.text); {
		case n <= 12:
			short++
		case n >= 25:
			prose++
		}
	}
	return len(bs) >= 8 && short*10 > len(bs)*7, prose
}

// isMarkedBody reports the element a page marks as its article's body
// (schema.org microdata: itemprop="articleBody").
func isMarkedBody(n *html.Node) bool {
	return n.Type == html.ElementNode && hasToken(strings.ToLower(attr(n, "itemprop")), "articlebody")
}

// markedBodyOpening is the start (60 bytes) of the first paragraph of 15
// words or more in the page's marked article body, or "": what the
// extracted text must hold for readability's choice to be the article.
func markedBodyOpening(doc *html.Node) string {
	body := find(doc, isMarkedBody)
	if body == nil {
		return ""
	}
	var opening string
	walkElements(body, func(n *html.Node) bool {
		if opening != "" {
			return false
		}
		if n.DataAtom == atom.P {
			if t := textOf(n); wordCount(t) >= 15 {
				opening = t
			}
			return false
		}
		return true
	})
	if len(opening) > 60 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(opening[cut]) {
			cut--
		}
		opening = opening[:cut]
	}
	return opening
}

// proseWords is the word count under which the text readability chose is
// checked against the page's densest block of paragraphs.
const proseWords = 150

// paragraphParent is the element whose own <p> children hold the most
// words outside links (the body of most article templates), and that many
// words; comments and the page chrome are not counted.
func paragraphParent(doc *html.Node) (*html.Node, int) {
	var best *html.Node
	most := 0
	walkElements(doc, func(n *html.Node) bool {
		if notByline(n) || dropTags[n.DataAtom] {
			return false // comments, sidebars, navigation, footers
		}
		words := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.P {
				continue
			}
			if ld, _ := linkDensity(c); ld < 0.5 {
				words += wordCount(textOf(c))
			}
		}
		if words > most {
			best, most = n, words
		}
		return true
	})
	return best, most
}

// secondOpinions re-extracts the body from a fresh parse of src where the
// first extraction (bs) looks wrong: under fallbackWords, with structure-only
// cleaning (the rules may have taken the body for boilerplate); under
// proseWords, from the page's densest block of paragraphs (readability may
// have taken a disclosure box or a teaser); and from the page's marked
// article body when bs lacks its opening (marked, "" for none). Pages whose
// first extraction looks right are not parsed again; the first two share
// one parse.
func secondOpinions(src string, bs []block, base *url.URL, title, marked string) []block {
	n := blocksWords(bs)
	var dense *html.Node // a copy of the densest block of paragraphs, when it may be the body
	denseWords := 0
	if n < proseWords {
		fresh, err := html.Parse(strings.NewReader(src))
		if err != nil {
			return bs
		}
		if d, w := paragraphParent(fresh); d != nil && w >= proseWords && w > 2*n {
			dense, denseWords = cloneTree(d), w
		}
		if n < fallbackWords {
			// The rules may have taken the body for boilerplate (a
			// builder's widget class, an odd wrapper): try again with
			// structure only.
			unwrapNoscript(fresh)
			cleanStructure(fresh)
			if alt := refine(bodyBlocks(fresh, base), title); blocksWords(alt) > n*3/2+10 {
				bs = alt
			}
		}
	}
	if n := blocksWords(bs); dense != nil && n < proseWords && denseWords > 2*n {
		// A short text: readability may have taken a disclosure box or a
		// teaser for the article. The page's densest block of paragraphs,
		// when it holds more than twice as many words, is the body.
		unwrapNoscript(dense)
		clean(dense)
		if alt := refine(blocks(dense, base), title); blocksWords(alt) > 2*n {
			bs = alt
		}
	}
	if marked != "" && !strings.Contains(strings.Join(texts(bs), " "), marked) {
		// The page marks its article body (itemprop="articleBody") and
		// what readability chose does not hold its first paragraph (it
		// took a big table or a neighbouring story): the marked body.
		for _, prepare := range []func(*html.Node){clean, cleanStructure} {
			fresh, err := html.Parse(strings.NewReader(src))
			if err != nil {
				break
			}
			body := find(fresh, isMarkedBody)
			if body == nil {
				break
			}
			unwrapNoscript(body)
			prepare(body)
			if alt := refine(blocks(body, base), title); blocksWords(alt) >= 50 && strings.Contains(strings.Join(texts(alt), " "), marked) {
				bs = alt
				break
			}
		}
	}
	return bs
}

// cloneTree is a deep copy of n and its descendants, detached.
func cloneTree(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace, Attr: slices.Clone(n.Attr)}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		c.AppendChild(cloneTree(k))
	}
	return c
}
