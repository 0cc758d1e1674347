package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/record"
)

// searchDate is the last resort for a page none of the date sources of
// choosePublished dates (no JSON-LD, meta tag, <time>, dateline by the
// title, labelled date or URL day): a search of the whole page's text for
// a date written as one, in document order. It runs only on such pages
// (describe), and its answer is kept only when the page is an article
// (ExtractContext): on a home page or a listing the dates are other pages'.
//
// A date counts when it is a short line of its own (14 words at most:
// "18.03.2020 13:15 Uhr", "2020-03-04 16:52:59") or opens a longer one
// ("27.1.2022 - Bei der Erinnerung ..."), outside the page chrome,
// comments, sidebars and related lists (otherDates) and outside links
// (teasers carry the dates of the pages they link to) but for the post's own
// permalink (rel=bookmark). The first after the
// headline wins; without a date after it, the last before it. Never a date
// after ref.now.
func searchDate(m *meta, doc *html.Node, order map[*html.Node]int, ref dateRef) *record.Timestamp {
	if encyclopedia(m) {
		return nil // its dates are its subject's
	}
	start := -1
	if m.h1 != nil {
		start = order[m.h1]
	}
	var before, after *record.Timestamp
	var at int // the order of the element being walked
	walk(doc, func(n *html.Node) bool {
		if after != nil {
			return false
		}
		switch n.Type {
		case html.DocumentNode:
			return true
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head, atom.Select, atom.Option, atom.Button:
				return false
			case atom.A:
				if !hasToken(attr(n, "rel"), "bookmark") {
					return false // a teaser's date; a post's own permalink (rel=bookmark) is read
				}
			case atom.Html, atom.Body:
				at = order[n]
				return true // their classes describe the page ("one-sidebar"), not a part of it
			}
			if otherDates(n) || dropRoles[strings.ToLower(attr(n, "role"))] || strings.HasPrefix(attr(n, "id"), "wm-ipp") {
				return false // wm-ipp: the Wayback Machine's toolbar, with the capture's dates
			}
			at = order[n]
			return true
		case html.TextNode:
			d := openingDate(n.Data, ref)
			if d == nil || n.Parent != nil && changeLabelled(n.Parent) {
				return false
			}
			if start < 0 || at > start {
				after = d
			} else {
				before = d
			}
		}
		return false
	})
	if after != nil {
		return after
	}
	return before
}

// openingDate is the date of a short line (eight words at most: "18.03.2020
// 13:15 Uhr", "28. Jan. 2022 Paula Balov"), or the one a longer line opens
// with, set off by a dash, a bar or a colon ("27.1.2022 - Bei der ..."), or
// nil. A date in the middle of a sentence is another event's (a birth, a
// law, a match); so is a range ("14.-20. Januar 2022"), a line that says
// it is the last change ("Letzte Änderung: 14.01.2022"), and a year before
// the web's (1995).
func openingDate(s string, ref dateRef) *record.Timestamp {
	if !strings.ContainsFunc(s, isDigitRune) {
		return nil
	}
	s = strings.TrimSpace(collapse(s))
	if wordCount(s) > 8 {
		fs := append(strings.Fields(s), "", "")
		if !strings.ContainsFunc(fs[0]+fs[1], isDigitRune) {
			return nil // a date that does not open the line
		}
		s = strings.Join(fs[:min(5, len(fs))], " ")
	}
	if dateRange.MatchString(s) || containsAny(strings.ToLower(s), modifiedWords) {
		return nil
	}
	if d, ok := parseVisibleDate(s, ref.fetched); ok && !d.After(ref.now) && d.Time.Year() >= 1995 {
		return &d
	}
	return nil
}

// dateRange is a span of days ("14.-20.", "3–5 March"), not a time after
// a year ("24. Juli 2017 - 18:55").
var dateRange = regexp.MustCompile(`(?:^|\D)\d{1,2}\.?\s*[-–—]\s*\d{1,2}(?:\.|\s|$)`)

// modifiedWords say a line's date is its last change, not its publication.
var modifiedWords = phraseSet("letzte änderung", "geändert am", "zuletzt geändert", "aktualisiert", "updated", "last update",
	"last modified", "modified on", "modifié le", "mis à jour", "actualizado", "aggiornato", "bijgewerkt", "آخر تحديث",
	"تم التحديث", "обновлено")

func isDigitRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= '٠' && r <= '٩' || r >= '۰' && r <= '۹'
}

// changeLabelled reports a date's element whose short text, or its
// parent's, says the date is the last change ("<b>Letzte Änderung:</b>
// <span>14.01.2022</span>").
func changeLabelled(n *html.Node) bool {
	for _, box := range []*html.Node{n, n.Parent} {
		if box == nil {
			break
		}
		if t, short := shortTextOf(box, 200); short && containsAny(strings.ToLower(t), modifiedWords) {
			return true
		}
	}
	return false
}

// otherDates reports a part of the page whose dates are other items': the
// page's navigation, sidebars and footer, comments, related posts (by
// element or class; not "widget": Blogger wraps its posts in one).
func otherDates(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer:
		return true
	case atom.Header:
		return !inArticle(n)
	}
	for w := range classWords(n) {
		switch w {
		case "comment", "comments", "respond", "reply", "sidebar", "related", "discussion":
			return true
		}
	}
	return false
}
