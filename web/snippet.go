package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/presscrawl/presscrawl/index"
)

// textFields are the fields whose words a snippet marks.
var textFields = map[string]bool{"text": true, "title": true, "description": true, "text_en": true, "text_ar": true}

// queryWords are the words and phrases of a query a snippet marks: the
// plain ones and those on the text fields, not those excluded or on other
// fields, wildcards and operators dropped.
func queryWords(q string) []string {
	var out []string
	for _, t := range index.SplitTerms(q) {
		if t == "AND" || t == "OR" || t == "NOT" || strings.HasPrefix(t, "-") {
			continue
		}
		t = strings.TrimPrefix(t, "+")
		if i := strings.Index(t, ":"); i > 0 && !strings.HasPrefix(t, `"`) {
			if !textFields[t[:i]] {
				continue
			}
			t = t[i+1:]
		}
		t = strings.Trim(t, `"*?~^`)
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// matcher finds the words of a query in a text, case folded, at word
// starts (an English or Arabic stem finds its longer forms).
func matcher(words []string) *regexp.Regexp {
	if len(words) == 0 {
		return nil
	}
	alts := make([]string, len(words))
	for i, w := range words {
		parts := strings.Fields(w)
		for j, p := range parts {
			parts[j] = regexp.QuoteMeta(p)
		}
		alts[i] = strings.Join(parts, `\s+`)
	}
	re, err := regexp.Compile(`(?i)(?:^|[^\p{L}\p{N}])(` + strings.Join(alts, "|") + `)`)
	if err != nil {
		return nil
	}
	return re
}

const snippetRunes = 280

// snippet is a part of text around the query's first match, the matches
// marked, escaped (the text is the site's); the start of the text when
// nothing matches.
func snippet(text string, re *regexp.Regexp) template.HTML {
	text = strings.Join(strings.Fields(text), " ")
	start := 0
	if re != nil {
		if m := re.FindStringSubmatchIndex(text); m != nil {
			start = max(backRunes(text, m[2], 80), 0)
		}
	}
	// from a word's start, to a word's end
	if start > 0 {
		if i := strings.IndexByte(text[start:], ' '); i >= 0 && i < 40 {
			start += i + 1
		}
	}
	end := forwardRunes(text, start, snippetRunes)
	if end < len(text) {
		if i := strings.LastIndexByte(text[start:end], ' '); i > 0 {
			end = start + i
		}
	}
	part := text[start:end]
	var sb strings.Builder
	if start > 0 {
		sb.WriteString("… ")
	}
	last := 0
	if re != nil {
		for _, m := range re.FindAllStringSubmatchIndex(part, -1) {
			sb.WriteString(html.EscapeString(part[last:m[2]]))
			sb.WriteString("<mark>" + html.EscapeString(part[m[2]:m[3]]) + "</mark>")
			last = m[3]
		}
	}
	sb.WriteString(html.EscapeString(part[last:]))
	if end < len(text) {
		sb.WriteString(" …")
	}
	return template.HTML(sb.String()) // every piece escaped above
}

// plainSnippet is snippet without its marks, unescaped: for JSON.
func plainSnippet(text string, re *regexp.Regexp) string {
	s := string(snippet(text, re))
	s = strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
	return html.UnescapeString(s)
}

// backRunes is the byte offset n runes before i in s.
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// forwardRunes is the byte offset n runes after i in s.
func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// rtlLanguages are the languages written right to left.
var rtlLanguages = map[string]bool{"ar": true, "fa": true, "he": true, "ur": true, "ps": true, "yi": true,
	"ckb": true, "dv": true, "sd": true, "ug": true}

// direction is the writing direction of a language: rtl, ltr, or auto
// when the language is not known.
func direction(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	switch {
	case base == "":
		return "auto"
	case rtlLanguages[base]:
		return "rtl"
	}
	return "ltr"
}
