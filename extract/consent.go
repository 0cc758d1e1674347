package extract

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Consent walls: a page that asks for consent to cookies instead of
// showing the article (a consent management platform's interstitial, or a
// redirect to the site's own consent page). Such a page is never an
// article, whatever it holds; the crawl counts it and says how to get
// past it (the researcher's own cookies).

// consentPath is the address of a consent page: consent.<site> or a path
// segment that names consent, a cookie wall or a privacy gate.
var consentPath = regexp.MustCompile(`(?i)(^|/)(consent|cookie-?consent|cookies?-?wall|cookiewall|gdpr|privacy-?gate|einwilligung|zustimmung|consentement|consentimiento|datenschutz-?einstellungen)([/._?-]|$)`)

// consentPhrases are what a consent banner says, in the languages the
// crawls meet most; two of them make a page that says little else a wall.
var consentPhrases = []string{
	"cookie", "consent", "accept all", "reject all", "manage preferences", "your privacy", "our partners", "legitimate interest",
	"zustimmen", "akzeptieren", "einwilligung", "datenschutz", "tout accepter", "consentement", "aceptar todo", "consentimiento",
	"accetta tutto", "ملفات تعريف الارتباط", "الموافقة", "قبول الكل", "الخصوصية",
}

// ConsentWall reports a page that is a consent wall: addressed as a consent
// page (consent.example.com, /consent, /gdpr...), or a page of a few words
// (150 at most, outside scripts and styles) that speaks of cookies and
// consent and links almost nowhere. body is the page as fetched.
func ConsentWall(body []byte, contentType, pageURL string) bool {
	if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
		if strings.HasPrefix(strings.ToLower(u.Hostname()), "consent.") || consentPath.MatchString(u.EscapedPath()) {
			return true
		}
	}
	src, _, err := decode(body, contentType)
	if err != nil {
		return false
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return false
	}
	var text strings.Builder
	links := 0
	walk(doc, func(n *html.Node) bool {
		switch {
		case n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style || n.DataAtom == atom.Noscript || n.DataAtom == atom.Template || n.DataAtom == atom.Head):
			return false
		case n.Type == html.ElementNode && n.DataAtom == atom.A:
			links++
		case n.Type == html.TextNode:
			text.WriteString(n.Data)
			text.WriteByte(' ')
		}
		return text.Len() < 16<<10
	})
	t := strings.ToLower(collapse(text.String()))
	if wordCount(t) > 150 || links > 15 {
		return false
	}
	hits := 0
	for _, p := range consentPhrases {
		if strings.Contains(t, p) {
			hits++
		}
	}
	return hits >= 2
}
