package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/presscrawl/presscrawl/urlcanon"
)

// menuWords name a site's menus in class and id values ("main-navigation",
// "menu-item", "navbar").
var menuWords = map[string]bool{
	"nav": true, "navigation": true, "navbar": true, "navi": true, "subnav": true, "topnav": true,
	"sidenav": true, "mainnav": true, "menu": true, "menus": true, "menuitem": true, "mainmenu": true,
	"submenu": true, "topmenu": true,
}

// notMenuWords name link lists inside menus that are not the site's
// pages: breadcrumbs (an article's trail ends at itself), language
// switchers (each article links its translations) and footers.
var notMenuWords = map[string]bool{
	"breadcrumb": true, "breadcrumbs": true, "crumbs": true, "lang": true, "language": true,
	"languages": true, "footer": true, "foot": true,
}

// menuLinksTo reports whether page is an item of one of its site's menus:
// a link to its own address inside <nav>, role=navigation or an element
// whose class or id names a menu. A site's standing pages (a service, a
// portrait, a guide) are items of its menus; its articles are listed on
// its pages, not in its menus. Breadcrumbs, language switchers and footers
// are left out: they link an article to itself.
func menuLinksTo(doc *html.Node, page *url.URL) bool {
	if page == nil {
		return false
	}
	self := menuKey(page)
	last := strings.Trim(page.EscapedPath(), "/")
	last = last[strings.LastIndexByte(last, '/')+1:]
	if self == "" || last == "" {
		return false
	}
	found := false
	walkElements(doc, func(n *html.Node) bool {
		if found || notMenu(n) {
			return false
		}
		if !menuElement(n) {
			return true
		}
		walkElements(n, func(a *html.Node) bool {
			if found || a != n && notMenu(a) {
				return false
			}
			if a.DataAtom != atom.A || attr(a, "hreflang") != "" || attr(a, "lang") != "" {
				return true
			}
			href := attr(a, "href")
			if !strings.Contains(href, last) { // cheap: most links name other pages
				return true
			}
			if u, err := urlcanon.Parse(href, page); err == nil && menuKey(u) == self {
				found = true
			}
			return false
		})
		return false
	})
	return found
}

// menuElement reports an element that holds a site menu.
func menuElement(n *html.Node) bool {
	if n.DataAtom == atom.Nav {
		return true
	}
	if pageWide(n) {
		return false // "has-slider-menu" on the body is no menu
	}
	if r := strings.ToLower(attr(n, "role")); r == "navigation" || r == "menu" || r == "menubar" {
		return true
	}
	return anyClassWord(n, menuWords)
}

// notMenu reports a breadcrumb trail, a language switcher or a footer.
func notMenu(n *html.Node) bool {
	if n.DataAtom == atom.Footer {
		return true
	}
	if pageWide(n) {
		return false // "lang-de" on the body names the page's language
	}
	return anyClassWord(n, notMenuWords)
}

// menuKey is a page's identity for menu links: urlcanon's key without a
// trailing slash, an index document or a session id, which menus and
// addresses spell differently.
func menuKey(u *url.URL) string {
	k := urlcanon.Key(u)
	q := ""
	if i := strings.IndexByte(k, '?'); i >= 0 {
		k, q = k[:i], k[i:]
	}
	if i := strings.IndexByte(k, ';'); i >= 0 {
		k = k[:i]
	}
	k = strings.TrimSuffix(k, "/")
	for _, idx := range []string{"/index.html", "/index.htm", "/index.php"} {
		k = strings.TrimSuffix(k, idx)
	}
	return k + q
}
