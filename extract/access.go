package extract

import (
	"strings"

	"golang.org/x/net/html"

	"github.com/presscrawl/presscrawl/record"
)

// Access: can a reader read the article without paying? The page says so
// in JSON-LD (isAccessibleForFree, as Google asks paywalled sites to mark
// their content), or shows it: a container named as a paywall beside a
// truncated body. A full article without any of that is free; anything
// else is unknown.

// paywallWords are class and id fragments of paywall containers (Piano's
// "tp-paywall", "paywall-overlay", "regwall", "article-paywall"...).
var paywallWords = []string{"paywall", "regwall", "pay-wall"}

// paywallMarked reports an element whose class or id names a paywall.
func paywallMarked(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "class" && a.Key != "id" || len(a.Val) < 7 {
			continue
		}
		v := strings.ToLower(a.Val)
		for _, w := range paywallWords {
			if strings.Contains(v, w) {
				return true
			}
		}
	}
	return false
}

// truncatedWords: a body under this many words beside a paywall is its
// teaser, not the article.
const truncatedWords = 250

// access is the record's access from the page's own statement and what it
// shows.
func access(m *meta, ld map[string]any, rec *record.Record) record.Access {
	free, stated := accessibleForFree(ld["isAccessibleForFree"])
	if !stated {
		for _, o := range m.ld { // the WebPage may carry it instead of the article
			if free, stated = accessibleForFree(o["isAccessibleForFree"]); stated {
				break
			}
		}
	}
	switch {
	case stated && !free:
		return record.AccessPaywall
	case stated:
		return record.AccessFree
	case m.paywall && (rec.WordCount < truncatedWords || rec.TextSource != ""):
		return record.AccessPaywall
	case rec.IsArticle && rec.WordCount >= 150:
		return record.AccessFree
	}
	return record.AccessUnknown
}

// accessibleForFree reads JSON-LD's isAccessibleForFree: a boolean, or the
// strings "true"/"false" (and "True", "False", as sites write them).
func accessibleForFree(v any) (free, stated bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true", "yes":
			return true, true
		case "false", "no":
			return false, true
		}
	}
	return false, false
}
