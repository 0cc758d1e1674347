package extract

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
)

// Pages that ship their article as data: the visible body is empty or a
// stub (a page rendered by its scripts, a teaser above a paywall), but the
// page carries the whole text, in JSON-LD's articleBody or in the state a
// JavaScript framework hydrates from (Next.js __NEXT_DATA__, Nuxt's
// __NUXT_DATA__ or window.__NUXT__, Apollo's window.__APOLLO_STATE__).
// dataBody takes it from there, paragraphs kept, and says where from
// (record.TextSource).

// stubWords: a visible body under this many words is a stub; a data body
// is taken over a longer one only when it has three times its words.
const stubWords = 100

// minDataWords is the least a data body must have to be an article's text.
const minDataWords = 80

var (
	nextDataScript = regexp.MustCompile(`(?is)<script[^>]*\bid=["']?__NEXT_DATA__["']?[^>]*>(.*?)</script>`)
	nuxtDataScript = regexp.MustCompile(`(?is)<script[^>]*\bid=["']?__NUXT_DATA__["']?[^>]*>(.*?)</script>`)
	stateAssign    = regexp.MustCompile(`window\.(__NUXT__|__APOLLO_STATE__|__PRELOADED_STATE__|__INITIAL_STATE__)\s*=\s*`)
)

// dataBody returns the article's text from the page's data when the
// visible body (visibleWords words) is a stub and the data holds a text at
// least three times as long; nil otherwise.
func dataBody(src string, ld map[string]any, visibleWords int, base *url.URL, title string) ([]block, record.TextSource) {
	need := minDataWords
	if visibleWords >= stubWords {
		need = 3 * visibleWords
	} else if 3*visibleWords > need {
		need = 3 * visibleWords
	}
	if s, ok := ld["articleBody"].(string); ok {
		if bs := textBlocks(s, base, title); blocksWords(bs) >= need {
			return bs, record.TextFromJSONLD
		}
	}
	for _, c := range []struct {
		re     *regexp.Regexp
		marker string
		source record.TextSource
	}{{nextDataScript, "__NEXT_DATA__", record.TextFromNextData}, {nuxtDataScript, "__NUXT_DATA__", record.TextFromNuxt}} {
		if !strings.Contains(src, c.marker) {
			continue
		}
		if m := c.re.FindStringSubmatch(src); m != nil {
			var v any
			if json.Unmarshal([]byte(strings.TrimSpace(m[1])), &v) == nil {
				if bs := bestText(v, base, title); blocksWords(bs) >= need {
					return bs, c.source
				}
			}
		}
	}
	if !strings.Contains(src, "window.__") {
		return nil, ""
	}
	for _, loc := range stateAssign.FindAllStringSubmatchIndex(src, 4) {
		var v any
		// one JSON value from the "=" on; Nuxt 2's function call form is
		// JavaScript, not JSON, and is left alone
		if json.NewDecoder(strings.NewReader(src[loc[1]:])).Decode(&v) != nil {
			continue
		}
		source := record.TextFromApollo
		if src[loc[2]:loc[3]] == "__NUXT__" {
			source = record.TextFromNuxt
		} else if src[loc[2]:loc[3]] != "__APOLLO_STATE__" {
			source = record.TextFromState
		}
		if bs := bestText(v, base, title); blocksWords(bs) >= need {
			return bs, source
		}
	}
	return nil, ""
}

// textBlocks reads one text of the data as blocks: HTML (<p>...</p>) as a
// fragment of the page, plain text by its blank lines (or its lines).
func textBlocks(s string, base *url.URL, title string) []block {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var bs []block
	if looksLikeHTML(s) {
		doc, err := html.Parse(strings.NewReader("<html><body>" + s + "</body></html>"))
		if err != nil {
			return nil
		}
		body := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body })
		if body == nil {
			return nil
		}
		cleanStructure(body)
		bs = blocks(body, base)
	} else {
		sep := "\n\n"
		if !strings.Contains(s, sep) {
			sep = "\n"
		}
		for _, p := range strings.Split(s, sep) {
			if t := collapse(p); t != "" {
				bs = append(bs, block{text: t, html: html.EscapeString(t), tag: atom.P})
			}
		}
	}
	return refine(bs, title)
}

var htmlTag = regexp.MustCompile(`(?i)<(p|br|div|h[1-6]|ul|ol|li|blockquote|figure|span|a|strong|em)\b[^>]*>`)

func looksLikeHTML(s string) bool { return htmlTag.MatchString(s) }

// paragraphTypes are the "type" values of the paragraph objects content
// systems keep an article's body in (Arc XP's content_elements, Contentful
// and Sanity's rich text, Gutenberg blocks, Editor.js).
var paragraphTypes = map[string]bool{"text": true, "paragraph": true, "p": true, "header": true, "heading": true,
	"core/paragraph": true, "core/heading": true, "blockquote": true, "quote": true, "list": true, "list_item": true}

// bestText is the longest text in a framework's state: a string (HTML or
// plain text), or an array of paragraph objects or of strings read in
// order. Listings' teasers are objects with short strings, and do not add
// up: only one string, or one array of paragraphs, is ever taken.
func bestText(v any, base *url.URL, title string) []block {
	var best string
	var bestParas []string
	bestWords := 0
	visited := 0
	var walkValue func(v any, depth int)
	walkValue = func(v any, depth int) {
		visited++
		if depth > 40 || visited > 200_000 {
			return
		}
		switch t := v.(type) {
		case string:
			if len(t) < 400 {
				return
			}
			if w := wordCount(t); w > bestWords {
				best, bestParas, bestWords = t, nil, w
			}
		case []any:
			if paras := paragraphs(t); len(paras) >= 2 {
				if w := wordCount(strings.Join(paras, "\n\n")); w > bestWords {
					best, bestParas, bestWords = "", paras, w
				}
			}
			for _, e := range t {
				walkValue(e, depth+1)
			}
		case map[string]any:
			for _, e := range t {
				walkValue(e, depth+1)
			}
		}
	}
	walkValue(v, 0)
	if bestParas != nil {
		var bs []block
		for _, p := range bestParas {
			bs = append(bs, textBlocks(p, base, "")...)
		}
		return refine(bs, title)
	}
	return textBlocks(best, base, title)
}

// paragraphs reads an array as an article's paragraphs: strings, or
// objects of a paragraph type with their text in "content", "text",
// "html" or "value"; nil when the array is something else.
func paragraphs(a []any) []string {
	var out []string
	for _, e := range a {
		switch t := e.(type) {
		case string:
			out = append(out, t)
		case map[string]any:
			typ, _ := t["type"].(string)
			if typ == "" {
				typ, _ = t["nodeType"].(string)
			}
			if typ == "" {
				typ, _ = t["blockName"].(string)
			}
			if !paragraphTypes[strings.ToLower(typ)] {
				if typ == "" || len(out) == 0 {
					return nil
				}
				continue // an image or an embed between paragraphs
			}
			for _, k := range []string{"content", "text", "html", "value", "innerHTML"} {
				if s, ok := t[k].(string); ok && strings.TrimSpace(s) != "" {
					out = append(out, s)
					break
				}
			}
		default:
			return nil
		}
	}
	return out
}

// textLen is the length in bytes of the blocks' text.
func textLen(bs []block) int {
	n := 0
	for _, b := range bs {
		n += len(b.text)
	}
	return n
}
