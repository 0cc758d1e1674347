package extract

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/publicsuffix"

	"github.com/presscrawl/presscrawl/record"
)

// What researchers code from besides the text: the article's own images
// (with their captions and photo credits) and the links inside its text.

// maxImages and maxLinks bound what one record carries.
const (
	maxImages = 50
	maxLinks  = 500
)

// candidate is an image of the page, read before the page is cleaned,
// with the paragraphs before and after it, by which it is told to belong
// to the article (or to a related story, a sidebar, an advert).
type candidate struct {
	img        record.Image
	prev, next string // the nearest paragraph's text on either side
}

// notArticleImage are class and id words of the boxes whose images are not
// the article's: avatars, logos, icons, adverts, related stories, sharing.
var notArticleImage = setOf("avatar", "author", "logo", "icon", "icons", "ad", "ads", "advert", "advertisement", "sponsor",
	"sponsored", "related", "teaser", "teasers", "share", "sharing", "social", "sidebar", "widget", "nav", "menu",
	"footer", "promo", "newsletter", "gravatar", "emoji", "badge", "profile", "thumbnail-list", "recommended", "outbrain", "taboola")

// notArticleSrc are address fragments of images that are no photographs.
var notArticleSrc = regexp.MustCompile(`(?i)(^data:|\.svg(\?|$)|/(icons?|logos?|avatars?|emoji|sprites?|spacer|pixel|gravatar|badges?)/|[-_/](icon|logo|avatar|sprite|spacer|pixel)[-_.]|gravatar\.com|/ads?/|doubleclick|/track(ing)?/)`)

// photoCredit is a photo credit inside a caption: "(Photo: Jane Roe)",
// "Foto: dpa", "© Reuters", "Credit: AP", "Photo by X", "REUTERS/Name",
// "تصوير: ...", "(أ ف ب)".
var photoCredit = regexp.MustCompile(`(?i)\s*(\(?\s*(photo|foto|picture|image|bild|credit|crédit|crédito|photograph|فوتو|تصوير|الصورة|صورة)\s*(by|:|/|-|–)\s*[^()]{2,80}\)?|\(?©\s*[^()]{2,80}\)?|\b(REUTERS|AFP|AP|EPA|DPA|GETTY IMAGES|ANADOLU)(\s*/\s*[\p{L} .'-]{2,60})?\s*$|\((أ ف ب|رويترز|أ ب|د ب أ)\))\s*$`)

// pageImages reads the page's images in document order, each with its
// caption, credit and surrounding paragraphs, before the page is cleaned
// (cleaning drops the captions).
func pageImages(doc *html.Node, base *url.URL) []candidate {
	var out []candidate
	var pending []int // images waiting for their next paragraph
	prev := ""
	seen := map[string]bool{}
	var visit func(n *html.Node, skip bool)
	visit = func(n *html.Node, skip bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Head, atom.Script, atom.Style, atom.Template, atom.Svg, atom.Nav, atom.Footer, atom.Aside, atom.Form:
				continue
			case atom.Img:
				if skip || len(out) >= 4*maxImages {
					continue
				}
				if im, ok := readImage(c, base); ok && !seen[im.Src] {
					seen[im.Src] = true
					out = append(out, candidate{img: im, prev: prev})
					pending = append(pending, len(out)-1)
				}
				continue
			case atom.P:
				if t := collapse(textOf(c)); wordCount(t) >= 8 {
					for _, i := range pending {
						out[i].next = t
					}
					pending, prev = pending[:0], t
				}
			}
			visit(c, skip || anyClassWord(c, notArticleImage))
		}
	}
	visit(doc, false)
	return out
}

// readImage is an <img> as the article's image: its largest source (srcset,
// lazy-loading attributes, src), made absolute, its alt text, and the
// caption of its figure (or of a caption element beside it), the credit
// line moved out of the caption. ok is false for what is no photograph.
func readImage(n *html.Node, base *url.URL) (record.Image, bool) {
	src := largestSrcset(firstNonEmpty(attr(n, "srcset"), attr(n, "data-srcset"), attr(n, "data-lazy-srcset")))
	if src == "" {
		src = firstNonEmpty(attr(n, "data-src"), attr(n, "data-lazy-src"), attr(n, "data-original"), attr(n, "data-url"), attr(n, "src"))
	}
	src = strings.TrimSpace(src)
	if src == "" || notArticleSrc.MatchString(src) {
		return record.Image{}, false
	}
	for _, dim := range []string{"width", "height"} {
		if v, err := strconv.Atoi(strings.TrimSuffix(attr(n, dim), "px")); err == nil && v > 0 && v < 100 {
			return record.Image{}, false // an icon, a pixel
		}
	}
	if anyClassWord(n, notArticleImage) {
		return record.Image{}, false
	}
	if base != nil {
		u, err := base.Parse(src)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return record.Image{}, false
		}
		src = u.String()
	}
	im := record.Image{Src: src, Alt: collapse(attr(n, "alt"))}
	caption, credit := imageCaption(n)
	if credit == "" {
		if loc := photoCredit.FindStringIndex(caption); loc != nil && loc[0] > 0 {
			caption, credit = strings.TrimSpace(caption[:loc[0]]), strings.Trim(strings.TrimSpace(caption[loc[0]:]), "()")
		}
	}
	im.Caption, im.Credit = caption, credit
	return im, true
}

// imageCaption is the caption of the image's figure (figcaption), or of an
// element whose class names a caption near it; a credit element inside it
// (class credit, copyright, byline, source) is returned apart.
func imageCaption(img *html.Node) (caption, credit string) {
	for up, box := 0, img.Parent; up < 3 && box != nil; up, box = up+1, box.Parent {
		capNode := find(box, func(c *html.Node) bool {
			return c != img && c.Type == html.ElementNode && (c.DataAtom == atom.Figcaption || classHas(c, "caption"))
		})
		if capNode == nil {
			if box.DataAtom == atom.Figure {
				break
			}
			continue
		}
		var credits []string
		var text strings.Builder
		var read func(n *html.Node)
		read = func(n *html.Node) {
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				switch {
				case c.Type == html.TextNode:
					text.WriteString(c.Data)
				case c.Type == html.ElementNode && (classHas(c, "credit") || classHas(c, "copyright") || classHas(c, "byline") || classHas(c, "source") || classHas(c, "author")):
					credits = append(credits, collapse(textOf(c)))
				case c.Type == html.ElementNode:
					read(c)
				}
			}
		}
		read(capNode)
		return collapse(text.String()), strings.Join(credits, "; ")
	}
	return "", ""
}

// classHas reports a class or id attribute holding s (case-insensitive).
func classHas(n *html.Node, s string) bool {
	for _, a := range n.Attr {
		if (a.Key == "class" || a.Key == "id") && strings.Contains(strings.ToLower(a.Val), s) {
			return true
		}
	}
	return false
}

// largestSrcset is the source of a srcset with the largest width (or
// density) descriptor; "" for none.
func largestSrcset(srcset string) string {
	best, bestW := "", -1.0
	for _, cand := range strings.Split(srcset, ",") {
		f := strings.Fields(cand)
		if len(f) == 0 {
			continue
		}
		w := 1.0
		if len(f) > 1 {
			d := f[1]
			if v, err := strconv.ParseFloat(strings.TrimRight(d, "wxWX"), 64); err == nil {
				w = v
				if strings.HasSuffix(strings.ToLower(d), "x") {
					w *= 1000 // a density: 2x beats 1x, and any width descriptor of a 1x page
				}
			}
		}
		if w > bestW {
			best, bestW = f[0], w
		}
	}
	return best
}

// articleImages are the candidates the article's text holds a paragraph
// beside: the lead image above its first paragraph, the figures between
// its paragraphs; not a related story's thumbnail or a sidebar's photo.
// Paragraphs are compared by their letters and digits alone (the text's
// spacing around links and punctuation is its own).
func articleImages(cands []candidate, text string) []record.Image {
	if len(cands) == 0 {
		return nil
	}
	body := lettersOnly(text, -1)
	in := func(p string) bool {
		k := lettersOnly(p, 120)
		return len(k) >= 20 && strings.Contains(body, k)
	}
	var out []record.Image
	for _, c := range cands {
		if (c.next != "" && in(c.next)) || (c.prev != "" && in(c.prev)) {
			out = append(out, c.img)
			if len(out) == maxImages {
				break
			}
		}
	}
	return out
}

// lettersOnly is s lower-cased with only its letters and digits, the first
// max bytes of it (all for max < 0).
func lettersOnly(s string, max int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			if max >= 0 && b.Len() >= max {
				break
			}
		}
	}
	return b.String()
}

// bodyLinks are the links of the body's HTML (already absolute): each
// address once, with its anchor text, internal when on the page's own
// registrable domain.
func bodyLinks(bodyHTML string, page *url.URL) []record.Link {
	if !strings.Contains(bodyHTML, "<a ") {
		return nil
	}
	own := ""
	if page != nil {
		own = registrable(page.Hostname())
	}
	var out []record.Link
	seen := map[string]bool{}
	z := html.NewTokenizer(strings.NewReader(bodyHTML))
	href, depth := "", 0
	var text strings.Builder
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "a" {
				href, depth = "", 1
				text.Reset()
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
			}
		case html.TextToken:
			if depth > 0 {
				text.Write(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); string(name) == "a" && depth > 0 {
				depth = 0
				u, err := url.Parse(href)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || seen[href] {
					continue
				}
				seen[href] = true
				out = append(out, record.Link{Href: href, Text: collapse(text.String()), Internal: own != "" && registrable(u.Hostname()) == own})
				if len(out) == maxLinks {
					return out
				}
			}
		}
	}
}

func registrable(host string) string {
	host = strings.ToLower(strings.TrimPrefix(host, "www."))
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}
