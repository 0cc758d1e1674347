package extract

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/presscrawl/presscrawl/internal/newssite"
)

// TestPageTypeAccuracy measures is_article on labelled pages of the
// synthetic site: every article and its AMP copy (articles), home pages,
// section pages and their pagination, calendar archives and 404 pages (not
// articles). Labels come from how the site builds each page.
func TestPageTypeAccuracy(t *testing.T) {
	site := newssite.Start(newssite.Options{English: 120, Arabic: 60, PerPage: 10})
	defer site.Close()
	type page struct {
		path    string
		article bool
	}
	var pages []page
	for _, a := range site.Articles {
		pages = append(pages, page{a.Path, true})
		if a.Lang == "en" {
			pages = append(pages, page{a.Path + "amp/", true})
		}
	}
	pages = append(pages, page{"/", false}, page{"/ar/", false})
	for _, sec := range []string{"middle-east", "gulf", "business", "sport"} {
		for n := 1; n <= 3; n++ {
			p := fmt.Sprintf("/category/%s/", sec)
			if n > 1 {
				p += fmt.Sprintf("page/%d/", n)
			}
			pages = append(pages, page{p, false})
		}
	}
	for _, sec := range []string{"arab", "economy"} {
		pages = append(pages, page{"/ar/category/" + sec + "/", false}, page{"/ar/category/" + sec + "/page/2/", false})
	}
	for m := 1; m <= 12; m++ {
		pages = append(pages, page{fmt.Sprintf("/calendar/2024/%02d/", m), false})
	}
	for i := 0; i < 5; i++ {
		pages = append(pages, page{fmt.Sprintf("/2024/01/0%d/no-such-story-%d/", i+1, i), false})
	}
	var tp, tn, fp, fn, rightNoURL int
	for _, p := range pages {
		resp, err := http.Get(site.URL + p.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			p.article = false // an error page, whatever was asked for (the flaky article's first answer)
		}
		rec, err := Extract(Input{Body: body, URL: site.URL + p.path, ContentType: resp.Header.Get("Content-Type")})
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		if saved, err := Extract(Input{Body: body, ContentType: resp.Header.Get("Content-Type")}); err == nil && saved.IsArticle == p.article {
			rightNoURL++ // the page saved to a file and read without its address
		} else {
			t.Logf("without its URL: %s taken for %s", p.path, map[bool]string{true: "a listing", false: "an article"}[p.article])
		}
		switch {
		case p.article && rec.IsArticle:
			tp++
		case !p.article && !rec.IsArticle:
			tn++
		case p.article:
			fn++
			t.Logf("article taken for a listing: %s (%d words)", p.path, rec.WordCount)
		default:
			fp++
			t.Logf("listing taken for an article: %s (%d words)", p.path, rec.WordCount)
		}
	}
	acc := ratio(tp+tn, len(pages))
	t.Logf("page types: %d pages, accuracy %.3f (articles right %d, wrong %d; other pages right %d, wrong %d)", len(pages), acc, tp, fn, tn, fp)
	if acc < 0.98 {
		t.Errorf("page-type accuracy %.3f below 0.98", acc)
	}
	t.Logf("without their URLs: accuracy %.3f", ratio(rightNoURL, len(pages)))
	if ratio(rightNoURL, len(pages)) < 0.98 {
		t.Errorf("page-type accuracy without URLs %.3f below 0.98", ratio(rightNoURL, len(pages)))
	}
}

// TestPageTypeOnRealPages measures the article/other decision on real pages:
// a hand-labelled sample of the development set (testdata/pagetype-devset.tsv).
func TestPageTypeOnRealPages(t *testing.T) {
	labels := map[string]bool{}
	b, err := os.ReadFile(filepath.Join("testdata", "pagetype-devset.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) >= 2 && !strings.HasPrefix(line, "#") {
			labels[f[0]] = f[1] == "article"
		}
	}
	right, articles, articlesFound, others, othersFound := 0, 0, 0, 0, 0
	rightNoURL := 0 // the same pages read from a file: no address given
	for _, p := range loadDevSet(t) {
		want, ok := labels[p.ID]
		if !ok {
			continue
		}
		rec, err := Extract(Input{Body: p.body, URL: httpURL(p.URL)})
		got := err == nil && rec.IsArticle
		if rec, err := Extract(Input{Body: p.body}); (err == nil && rec.IsArticle) == want {
			rightNoURL++
		} else {
			t.Logf("%s without its URL: is_article %v, labelled %v", p.ID, !want, want)
		}
		if got == want {
			right++
		} else {
			t.Logf("%s %s: is_article %v, labelled %v", p.ID, p.URL, got, want)
		}
		if want {
			articles++
			if got {
				articlesFound++
			}
		} else {
			others++
			if !got {
				othersFound++
			}
		}
	}
	n := articles + others
	if n != len(labels) {
		t.Fatalf("%d labelled pages found of %d", n, len(labels))
	}
	acc := float64(right) / float64(n)
	accNoURL := float64(rightNoURL) / float64(n)
	t.Logf("page types on %d real pages: accuracy %.3f (%.3f without their URLs); articles recognised %d/%d, other pages recognised %d/%d",
		n, acc, accNoURL, articlesFound, articles, othersFound, others)
	if acc < 0.8 || accNoURL < 0.8 {
		t.Errorf("accuracy %.3f, %.3f without URLs: under the floor 0.8", acc, accNoURL)
	}
}
