package extract

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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

// block is one paragraph, heading, list item, quote or table row of the
// body: its plain text, the same as minimal inline HTML (escaped text and
// links), and the kind of element that made it.
type block struct {
	text, html string
	tag        atom.Atom
	words      int // wordCount(text), set by refine
}

func texts(bs []block) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.text
	}
	return out
}

// blocks returns the body under root as blocks in document order. Two
// <br> in a row also end a paragraph; a table row is one block, its cells
// separated by " | ". Links become absolute against base in the HTML.
func blocks(root *html.Node, base *url.URL) []block {
	var out []block
	var buf, hbuf strings.Builder
	linked, inLink := 0, 0 // link text in the buffer; depth inside <a>
	var tags []atom.Atom   // the open block elements
	flush := func() {
		all := buf.String()
		// A short block that is nothing but a link is a "read more" or a
		// related headline, not prose.
		linkOnly := linked > 0 && linked*10 >= len(strings.TrimSpace(all))*9 && wordCount(all) < 15
		if !linkOnly {
			tag := blockKind(tags)
			parts, hparts := paraBreak.Split(all, -1), paraBreak.Split(hbuf.String(), -1)
			for i, part := range parts {
				if t := collapse(part); t != "" {
					h := html.EscapeString(t)
					if len(hparts) == len(parts) {
						h = collapse(hparts[i])
					}
					out = append(out, block{text: t, html: h, tag: tag})
				}
			}
		}
		buf.Reset()
		hbuf.Reset()
		linked = 0
	}
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			t := strings.ReplaceAll(n.Data, "\n", " ")
			buf.WriteString(t)
			hbuf.WriteString(html.EscapeString(t))
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
				hbuf.WriteString("\n")
				return
			}
			if (n.DataAtom == atom.Td || n.DataAtom == atom.Th) && strings.TrimSpace(buf.String()) != "" {
				buf.WriteString(" | ")
				hbuf.WriteString(" | ")
			}
		}
		isBlock := n.Type == html.ElementNode && blockTags[n.DataAtom]
		if isBlock {
			flush()
			tags = append(tags, n.DataAtom)
		}
		href := ""
		if n.DataAtom == atom.A {
			inLink++
			if href = absolute(attr(n, "href"), base); href != "" && !strings.HasPrefix(href, "http") {
				href = ""
			}
			if href != "" {
				hbuf.WriteString(`<a href="` + html.EscapeString(href) + `">`)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
		if n.DataAtom == atom.A {
			inLink--
			if href != "" {
				hbuf.WriteString("</a>")
			}
		}
		if isBlock {
			flush()
			tags = tags[:len(tags)-1]
		}
	}
	visit(root)
	flush()
	return out
}

// blockKind is what a block renders as: the innermost open block element,
// unless a list item, quote or preformatted element encloses it (a <p> in a
// <blockquote> is a quote).
func blockKind(tags []atom.Atom) atom.Atom {
	for i := len(tags) - 1; i >= 0; i-- {
		switch tags[i] {
		case atom.Li, atom.Dd, atom.Dt, atom.Blockquote, atom.Pre:
			return tags[i]
		}
	}
	if len(tags) > 0 {
		return tags[len(tags)-1]
	}
	return atom.P
}

// renderHTML writes blocks as minimal HTML: paragraphs, headings, lists,
// quotes, preformatted text and links.
func renderHTML(bs []block) string {
	var b strings.Builder
	inList := false
	for _, bl := range bs {
		li := bl.tag == atom.Li || bl.tag == atom.Dd || bl.tag == atom.Dt
		if li && !inList {
			b.WriteString("<ul>")
		}
		if !li && inList {
			b.WriteString("</ul>\n")
		}
		inList = li
		switch bl.tag {
		case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
			name := bl.tag.String()
			if bl.tag == atom.H1 {
				name = "h2" // the page's h1 is the record's title
			}
			b.WriteString("<" + name + ">" + bl.html + "</" + name + ">\n")
		case atom.Li, atom.Dd, atom.Dt:
			b.WriteString("<li>" + bl.html + "</li>")
		case atom.Blockquote:
			b.WriteString("<blockquote><p>" + bl.html + "</p></blockquote>\n")
		case atom.Pre:
			b.WriteString("<pre>" + html.EscapeString(bl.text) + "</pre>\n")
		default:
			b.WriteString("<p>" + bl.html + "</p>\n")
		}
	}
	if inList {
		b.WriteString("</ul>\n")
	}
	return strings.TrimSpace(b.String())
}

// boilerLines are whole blocks that are page furniture wherever they stand.
var boilerLines = setOf(
	"advertisement", "advertisements", "sponsored", "sponsored content", "share", "share this",
	"share this article", "share on facebook", "share on twitter", "tweet", "print", "email",
	"read more", "continue reading", "click here", "subscribe", "sign up", "log in", "close",
	"×", "x", "0:00", "loading", "loading...", "back to top", "skip to content",
	"إعلان", "اقرأ المزيد", "اشترك", "إغلاق", "شارك", "anzeige", "werbung", "teilen",
	"weiterlesen", "publicité", "partager", "publicidad", "compartir", "reklama", "kommentare schreiben",
	"kommentar schreiben", "write a comment", "leave a comment", "kontakt", "kontakt:",
	"quellen ausblenden", "quellen anzeigen", "inhaltsverzeichnis", "table of contents", "neueste artikel",
	"neueste beiträge", "latest articles", "meist-diskutiert", "meistdiskutiert", "externer inhalt", "bild anzeigen",
	"permalien", "permalink", "pdf", "zusatzinformationen:", "quellenangaben:", "originalartikel", "pressekontakt",
	"pressekontakt:", "contact", "contact:", "kontakt für rückfragen:",
	// print and send buttons
	"drucken", "artikel drucken", "seite drucken", "imprimer", "imprimir", "stampa", "drukuj", "طباعة",
	"print this page", "print article", "e-mail", "versenden", "envoyer", "enviar",
)

// creditLine is a photo credit or source line: "Credit: …", "Foto: …".
var creditLine = regexp.MustCompile(`(?i)^(photo|image|picture|credit|credits|photograph|photos?|fotos?|bild|titelbild|bildquelle|quelle|source|sources|crédits? photos?|crédit|image illustrative|źródło|fot\.|zdjęcie|المصدر|صورة)\b.{0,80}$|^(photograph|photo|image|illustration) by\b`)

// trailingMeta are the post-metadata lines blog engines print under a post.
var trailingMeta = regexp.MustCompile(`(?i)^(this entry was posted|posted in|filed under|tags?:|tagged( with)?:?|categories:|category:|kategorien?:|schlagw(ö|oe)rter:|veröffentlicht (am|in|unter)|erstellt am|der beitrag wurde|dieser beitrag wurde|publié (le|dans)|share this|teilen mit:|like this:|gefällt mir:|related posts?:?|ähnliche beiträge|vous aimerez aussi|التصنيفات|الوسوم|كلمات مفتاحية)`)

// callToAction are the appeals a site closes articles with: subscribe,
// sign up, tell us, read on behind the paywall, follow us; and siteNotice
// the cookie and licence notices printed under the article. Lower-case
// phrases, found anywhere in a short block (a list is several times faster
// than one regular expression of alternatives).
var callToAction = phraseSet(
	"if you enjoyed", "if you liked", "if you found value in", "if you're seeing this message", "if you’re seeing this message",
	"we want to hear", "we need your help", "never miss", "sign up for", "sign up to", "sign up here", "sign up now",
	"subscribe to", "subscribe for", "subscribe now", "subscribe here", "subscribe today", "please subscribe",
	"do you want to be informed", "support our journalism", "support independent journalism", "become a member",
	"become a subscriber", "become a patron", "to read the rest", "to read the full", "to view the full story",
	"get the latest news", "submit your letter", "follow us on",
	"pour lire la suite", "abonnez-vous", "inscrivez-vous", "suivez-nous",
	"jetzt abonnieren", "abonnieren sie", "melden sie sich für", "melden sie sich zum", "melden sie sich hier",
	"newsletter abonnieren", "newsletter bestellen", "bitte teilen sie uns", "unterstützen sie uns", "unterstützen sie unsere",
	"werden sie mitglied", "vergiss nicht zu teilen", "gefällt dir unser", "folgen sie uns", "folge uns",
	"suscríbete", "apoya el periodismo", "únete a nuestr", "síguenos", "hazte miembro", "cancela cuando quieras",
	"canal de telegram", "únete desde", "by signing up", "nichts mehr versäumen", "erhalten sie exklusive",
	"kennt ihr schon unseren", "apps for ios", "app for ios", "download our app", "descarga la app", "laden sie die app",
	"zapisz się", "zasubskrybuj", "do subskrypcji",
	"اشترك في", "اشترك الآن", "تابعونا",
)

var siteNotice = phraseSet(
	"use of cookies", "we use cookies", "verwendung von cookies", "utilisation de cookies", "utilisation des cookies",
	"uso de cookies", "all rights reserved", "alle rechte vorbehalten", "tous droits réservés",
	"todos los derechos reservados", "wszelkie prawa zastrzeżone", "creative commons", "جميع الحقوق محفوظة",
)

// followOn is "Follow <name> on Twitter/Facebook/Instagram".
var followOn = regexp.MustCompile(`follow [\p{L} .@]{1,40} on (twitter|facebook|instagram)`)

// pointer lines send the reader elsewhere: to another article, the next
// one, a PDF of this one. pointerLead begins the line; pointerAnywhere are
// phrases found anywhere in it (lower case).
var pointerLead = regexp.MustCompile(`(?i)^[-–—•*\s]*(lesen sie (auch|hier|mehr|dazu)|auch lesen|zum weiterlesen|mehr zum thema|mehr themen|mehr dazu|mehr aus (?:der|dem|den)|siehe auch|auch interessant|weitere beiträge|meistgelesene|meistdiskutierte|entdecke weitere|read (also|more|next)|more from|see also|related:|also read|lire aussi|à lire aussi|voir aussi|lee (también|más)|lea (también|más)|leer más|ver también|vea también|puedes ver|le puede interesar|mira:|mire:|czytaj (też|także|więcej)|zobacz (też|także)|dowiedz się więcej|اقرأ (أيضا|ايضا|أيضاً)|شاهد (أيضا|ايضا))(?:[\s:.–-]|$)`)

var pointerAnywhere = phraseSet("als pdf herunterladen", "download as pdf", "download the pdf", "vorschau auf den nächsten artikel", "nächster artikel", "next article", "article suivant")

// isPointer reports a pointer line; low is the line in lower case.
func isPointer(b, low string) bool {
	return containsAny(low, pointerAnywhere) || pointerLead.MatchString(b)
}

// captionCredit ends a caption: a copyright sign or "Foto: Agency" at the
// end of a short block.
var captionCredit = regexp.MustCompile(`(?i)(©|\(c\)) ?[\p{L}][^!?]{0,60}$|\b(foto|photo|fot\.|zdjęcie|bild|imagen):? [\p{L}][^.!?]{0,40}$|/ ?domena publiczna$|^\((photo |image )?credits?: [^()]{2,60}\)$`)

// slashCredit is a credit line alone: "DCV / Oppitz", "Judy Eddy/WENN.com",
// "picture alliance / dpa": one or two capitalised names each side of a slash.
var slashCredit = regexp.MustCompile(`^\p{L}[\p{L}.&-]*( \p{L}[\p{L}.&-]*)? ?/ ?\p{Lu}[\p{L}.&-]*( \p{Lu}[\p{L}.&-]*)?$`)

// creditMarks are what a caption credit must contain (lower case): the
// unanchored expression above is tried only on lines that have one.
var creditMarks = phraseSet("credit", "©", "(c)", "foto", "photo", "fot.", "zdjęcie", "bild", "imagen", "domena publiczna")

// isCaptionCredit reports a caption credit; low is the line in lower case.
func isCaptionCredit(b, low string) bool {
	return containsAny(low, creditMarks) && captionCredit.MatchString(b) || strings.Count(b, "/") == 1 && slashCredit.MatchString(b)
}

// adLabel begins a line that marks advertising: "- Anzeige -", "*Werbung.
// Dieser Beitrag ...", "Anzeige, enthält Affiliate Links", "ANZEIGE - ...".
var adLabel = regexp.MustCompile(`(?i)^[-–*\s]*(anzeige|werbung|advertisement|sponsored|publicidad|reklama|publicité|إعلان)\s*([-–:.,|*]|$)`)

// figureCaption is a figure's numbered or labelled caption: "Abbildung 4:
// ...", "Abb. 2: ...", "Figure 3: ...".
var figureCaption = regexp.MustCompile(`(?i)^(abbildung|abb\.|figure|fig\.|grafik|schaubild|ilustración|illustration)\s*\d*\s*:`)

// counterLead begins a post's counters: "Aufrufe: 1120", "Kommentare
// insgesamt: 0", "Views: 12"; timeLead a bare time before a category
// ("3:59 PM Briefe").
var (
	counterLead = regexp.MustCompile(`(?i)^(aufrufe|views|hits|gelesen|kommentare insgesamt|comments|kommentare|antworten|replies)\s*:\s*\d`)
	timeLead    = regexp.MustCompile(`(?i)^\d{1,2}:\d{2}\s*(am|pm)\b`)
	labelField  = regexp.MustCompile(`^\s*[\p{L} ]{2,24}:\s*\S`)
)

// postMetaLine reports a blog engine's line about a post: its counters, a
// bare time and category, or three "Label: value" fields between bars.
func postMetaLine(b string) bool {
	if counterLead.MatchString(b) || timeLead.MatchString(b) && wordCount(b) <= 4 {
		return true
	}
	fields := strings.Split(b, "|")
	if len(fields) < 3 {
		return false
	}
	n := 0
	for _, f := range fields {
		if labelField.MatchString(f) {
			n++
		}
	}
	return n >= 3
}

// disclaimers are the site's notes about a text rather than the text:
// whose opinion it is, who is not responsible, affiliate links.
var disclaimers = phraseSet(
	"gibt die meinung des autors wieder", "gibt die meinung der autorin wieder", "is not responsible for the opinions",
	"are not responsible for the opinions", "alle angaben ohne gewähr", "für links auf dieser seite erhält",
	"enthält affiliate", "contains affiliate links", "may contain affiliate links", "dieser beitrag enthält werbung",
	"ce contenu n'engage que", "las opiniones expresadas", "the views expressed in this", "die in diesem beitrag geäußerten",
	// licence notes and a post's link to itself
	"unter der lizenz cc", "unter cc-by", "unter einer creative commons", "licensed under cc", "licensed under a creative commons",
	"licensed under the creative commons", "sous licence cc", "bajo licencia cc", "bookmark the permalink", "permalien",
	// reprint notices
	"is the copyrighted property of", "written permission must be obtained", "may not be reproduced without",
	"may not be republished", "nachdruck nur mit", "nachdruck verboten", "reproduction interdite",
)

// embedNotices are what a blocked embed (a tweet, a video, a map) shows
// until the reader consents: no text of the article. embedLabels are its
// headings, counted only at the start of a block.
var embedNotices = phraseSet(
	"laden der inhalte von", "inhalte von drittanbietern", "um deine persönlichen daten zu schützen",
	"um ihre persönlichen daten zu schützen", "we have blocked", "to protect your personal data", "load external content",
)

var embedLabels = []string{"externer inhalt", "external content", "contenu externe", "contenido externo"}

// mixedScriptWords counts the words that mix Latin and Cyrillic letters.
func mixedScriptWords(b string) int {
	if !strings.ContainsFunc(b, func(r rune) bool { return r >= 0x400 && r <= 0x4ff }) {
		return 0 // no Cyrillic letter (one pass, no allocation)
	}
	n := 0
	latin, cyrillic := false, false
	end := func() {
		if latin && cyrillic {
			n++
		}
		latin, cyrillic = false, false
	}
	for _, r := range b {
		switch {
		case r < 0x80 && unicode.IsLetter(r):
			latin = true
		case r >= 0x400 && r <= 0x4ff:
			cyrillic = true
		case !unicode.IsLetter(r) && !unicode.IsMark(r):
			end()
		}
	}
	end()
	return n
}

// legalLinks name the links of a site's footer bar.
var legalLinks = phraseSet("impressum", "datenschutz", "imprint", "privacy", "copyright", "terms of use", "agb",
	"mentions légales", "aviso legal", "política de privacidad", "polityka prywatności", "سياسة الخصوصية")

// fileWords are the words fileLink needs, a cheap check before it.
var fileWords = phraseSet("pdf", "doc", "xls", "ppt", "zip", "nicht barrierefrei")

// fileLink is a link to a document with its type and size: "PDF | 38 KB",
// "(PDF, 1,2 MB)", "Datei ist nicht barrierefrei".
var fileLink = regexp.MustCompile(`(?i)\b(pdf|docx?|xlsx?|pptx?|zip)\s*[|,(]?\s*\d+([.,]\d+)?\s*[kmg]i?b\b|nicht barrierefrei`)

// closing reports whether a block is one of the lines sites end articles
// with rather than article text.
func closing(b string) bool {
	if trailingMeta.MatchString(b) {
		return true
	}
	low := strings.ToLower(b)
	if containsAny(low, callToAction) || containsAny(low, siteNotice) {
		return true
	}
	return strings.Contains(low, "follow ") && followOn.MatchString(low)
}

var bylinePrefix = regexp.MustCompile(`(?i)^(by|von|par|por|di|door|av|przez|بقلم|كتب|كتبت|إعداد|تأليف)[:\s]`)

// boilerLineWords is the most words a boilerplate line or heading has: longer
// blocks are not looked up.
var boilerLineWords = max(mostWords(boilerLines), mostWords(boilerHeadings))

// boilerLine reports a block that is a boilerplate line or heading whole;
// wc is its word count.
func boilerLine(b string, wc int) bool {
	if wc > boilerLineWords {
		return false
	}
	h := normHeading(b)
	return boilerLines[h] || boilerHeadings[h]
}

func mostWords(set map[string]bool) int {
	n := 0
	for s := range set {
		n = max(n, wordCount(s))
	}
	return n
}

// refine applies the rules that need the whole list of blocks: the title,
// bylines and dates at the edges, furniture lines and a block repeating the
// one before it are dropped.
func refine(bs []block, title string) []block {
	out := bs[:0]
	prev := ""
	normTitle := strings.ToLower(collapse(title))
	for i, bl := range bs {
		b := bl.text
		wc := wordCount(b)
		bl.words = wc
		low := strings.ToLower(b)
		switch {
		case normTitle != "" && low == normTitle:
			continue
		case boilerLine(b, wc):
			continue
		case i < 3 && len(out) == 0 && isBylineOrDate(b):
			continue
		case low == prev:
			continue
		case !hasLetterOrDigit(b):
			continue
		case wc <= 12 && creditLine.MatchString(b):
			continue
		case wc <= 20 && isPointer(b, low):
			continue
		case wc <= 30 && isCaptionCredit(b, low):
			continue
		case wc <= 30 && adLabel.MatchString(b):
			continue
		case wc <= 30 && figureCaption.MatchString(b):
			continue
		case wc <= 25 && postMetaLine(b):
			continue
		case wc <= 40 && containsAny(low, disclaimers):
			continue
		case wc <= 4 && bareDateOrLabel(b):
			continue
		case wc <= 80 && (containsAny(low, embedNotices) || slices.ContainsFunc(embedLabels, func(l string) bool { return strings.HasPrefix(low, l) })):
			continue
		case wc <= 25 && containsAny(low, fileWords) && fileLink.MatchString(b):
			continue
		case wc <= 60 && mixedScriptWords(b) >= 3:
			continue // "Yоur соntеnt іѕ dеlіvеrеd": Latin words spelt with Cyrillic look-alikes, an advertiser's trick against filters
		case wc <= 20 && strings.Count(b, "|") >= 2 && containsAny(low, legalLinks):
			continue // a footer's bar of links: "Impressum | Datenschutz | ©"
		case wc <= 30 && i < len(bs)-3 && containsAny(low, callToAction):
			continue // within the text; at its end the closing rules below cut it with what follows
		}
		prev = low
		out = append(out, bl)
	}
	out = trimTail(out)
	for len(out) > 0 {
		last := out[len(out)-1]
		if !isBylineOrDate(last.text) && !(last.words <= 40 && closing(last.text)) {
			break
		}
		out = out[:len(out)-1]
	}
	// A closing line (post metadata, a call to action, a licence) among
	// the last three blocks ends the body when only short blocks follow it.
	for j := max(0, len(out)-3); j < len(out); j++ {
		if out[j].words > 40 || !closing(out[j].text) {
			continue
		}
		short := true
		for _, b := range out[j+1:] {
			short = short && b.words <= 40
		}
		if short && j > 0 {
			out = out[:j]
			break
		}
	}
	return out
}

// trimTail drops a short tail after the body: one or two blocks of under
// 10 words after the last paragraph of 25 words or more (sign-offs, calls
// to action, box headings). Measured on the dev set: fewer leaks than
// losses.
func trimTail(bs []block) []block {
	last := -1
	for i, b := range bs {
		if b.words >= 25 {
			last = i
		}
	}
	tail := len(bs) - 1 - last
	if last < 0 || tail == 0 || tail > 2 {
		return bs
	}
	for _, b := range bs[last+1:] {
		if b.words >= 10 {
			return bs
		}
	}
	return bs[:last+1]
}

// bareDateOrLabel reports a line that is only a date ("23.10.2018",
// "16 marca 2021") or only a publication label ("opublikowano:", "Release
// Date:"): what a page's date widget leaves in the text, anywhere in it.
func bareDateOrLabel(b string) bool {
	if strings.ContainsFunc(b, unicode.IsDigit) {
		if _, ok := parseVisibleDate(b, zeroTime); ok {
			return len(strings.FieldsFunc(b, func(r rune) bool { return !unicode.IsLetter(r) })) <= 1 // a month's name at most
		}
		return false
	}
	if !containsAny(b, labelWords) {
		return false // the expression below runs only on lines with a label's word
	}
	loc := publishedLabel.FindStringIndex(b)
	return loc != nil && !hasLetterOrDigit(b[loc[1]:]) && wordCount(b[:loc[0]]) <= 1 // "Release Date:"
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
		if r < utf8.RuneSelf { // ASCII: no table lookups (most text of most pages)
			digit = r >= '0' && r <= '9'
			switch {
			case (r == ',' || r == '.') && wasDigit:
			case digit || (r|0x20 >= 'a' && r|0x20 <= 'z'):
				if !in {
					n++
				}
				in = true
			case r == '\'' || r == '-':
			default:
				in = false
			}
			continue
		}
		digit = unicode.IsDigit(r)
		switch {
		case (r == '٬' || r == '٫') && wasDigit:
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
