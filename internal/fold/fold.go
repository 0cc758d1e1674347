// Package fold writes the many spellings of a character as one, where
// presscrawl compares text: digits of every script it meets (Arabic-Indic,
// Persian, full-width) as ASCII digits, for dates read off a page and for
// search, where ٩٩ and 99 are the same number.
package fold

import "strings"

// Digits writes Arabic-Indic (٠-٩), Persian (۰-۹) and full-width (０-９)
// digits as ASCII ones.
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		}
		return r
	}, s)
}
