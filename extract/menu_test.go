package extract

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestMenuLinksTo(t *testing.T) {
	page, _ := url.Parse("https://energy.example/gruene-energie/potenzial")
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"nav element", `<nav><a href="/gruene-energie/potenzial">Potenzial</a></nav>`, true},
		{"menu class, absolute link with www and a slash", `<ul class="main-menu"><li><a href="https://www.energy.example/gruene-energie/potenzial/">Potenzial</a></li></ul>`, true},
		{"role navigation", `<div role="navigation"><a href="potenzial">Potenzial</a></div>`, true},
		{"camelCase menu id", `<div id="mainNavigation"><a href="/gruene-energie/potenzial#top">Potenzial</a></div>`, true},
		{"another page of the menu", `<nav><a href="/gruene-energie/potenzial-nutzen">Nutzen</a></nav>`, false},
		{"a link in the text", `<div class="content"><p><a href="/gruene-energie/potenzial">hier</a></p></div>`, false},
		{"breadcrumb inside a nav", `<nav><ol class="breadcrumb"><li><a href="/gruene-energie/potenzial">Potenzial</a></li></ol></nav>`, false},
		{"breadcrumb nav", `<nav class="breadcrumbs"><a href="/gruene-energie/potenzial">Potenzial</a></nav>`, false},
		{"language switcher", `<nav><ul class="language-switcher"><li><a href="/gruene-energie/potenzial">DE</a></li></ul></nav>`, false},
		{"hreflang link", `<nav><a hreflang="de" href="/gruene-energie/potenzial">DE</a></nav>`, false},
		{"footer menu", `<footer><nav><a href="/gruene-energie/potenzial">Potenzial</a></nav></footer>`, false},
		{"page classes are not a menu", `<div class="text"><a href="/gruene-energie/potenzial">Potenzial</a></div>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader(`<html><body class="has-slider-menu lang-de">` + tc.body + `</body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			if got := menuLinksTo(doc, page); got != tc.want {
				t.Errorf("menuLinksTo = %v, want %v", got, tc.want)
			}
		})
	}
	doc, _ := html.Parse(strings.NewReader(`<nav><a href="/">Home</a></nav>`))
	root, _ := url.Parse("https://energy.example/")
	if menuLinksTo(doc, root) {
		t.Error("the home page's own Home link counted as a menu item: the root is judged by its address")
	}
}

// A page that its site's menu lists, at an address that is a name and not
// an article's slug, is a standing page: a service, a portrait, a guide
// (0139, 0175 and 0733 of the dev set). The same prose at an article's
// address, or not in the menu, is an article.
func TestMenuItemsAreStandingPages(t *testing.T) {
	var paras strings.Builder
	for _, topic := range []string{"electrolysis", "storage", "transport", "industry"} {
		fmt.Fprintf(&paras, "<p>Green hydrogen for %s: wind farms at sea produce more power than the grid can take on windy days, and electrolysers on the coast turn it into hydrogen that pipelines carry to the steel works, the chemical plants and the refineries of the region, %s.</p>", topic, strings.Repeat("which cuts their emissions year after year ", 2))
	}
	page := func(menuLink string) []byte {
		return []byte(`<html><head><title>The potential of green hydrogen</title></head><body>
<nav class="main-navigation"><ul><li><a href="/">Home</a></li><li><a href="` + menuLink + `">Potential</a></li><li><a href="/contact">Contact</a></li></ul></nav>
<main><h1>The potential of green hydrogen</h1>` + paras.String() + `</main></body></html>`)
	}
	for _, tc := range []struct {
		url, menuLink string
		article       bool
	}{
		{"https://energy.example/green-energy/potential", "/green-energy/potential", false},
		{"https://energy.example/green-energy/potential", "/green-energy/outlook", true},
		{"https://energy.example/news/green-hydrogen-reaches-the-steel-works", "/news/green-hydrogen-reaches-the-steel-works", true},
	} {
		rec, err := Extract(Input{Body: page(tc.menuLink), URL: tc.url})
		if err != nil {
			t.Fatal(err)
		}
		if rec.IsArticle != tc.article {
			t.Errorf("%s with menu link %s: is_article = %v, want %v (words %d)", tc.url, tc.menuLink, rec.IsArticle, tc.article, rec.WordCount)
		}
	}
}
