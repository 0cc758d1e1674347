package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/presscrawl/presscrawl/render"
)

// browserCtx is a tab of a real headless Chromium, or a skip without one
// (except under CI=true, where .ci/run installs Debian's chromium).
func browserCtx(t *testing.T) context.Context {
	t.Helper()
	path, err := render.Find("")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v (.ci/run installs Debian's chromium)", err)
		}
		t.Skip(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.WindowSize(1280, 1000))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute) // a busy 2-core machine
	t.Cleanup(cancel3)
	return ctx
}

// artifacts is where the browser tests leave their screenshots:
// $PRESSCRAWL_ARTIFACTS, or a directory in the system's temporary one.
func artifacts(t *testing.T) string {
	dir := os.Getenv("PRESSCRAWL_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "presscrawl-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do runs browser steps, failing the test on an error.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// value runs a browser action and returns its value.
func value[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// In a real browser: the search page loads, a query typed and sent finds
// its records, a facet clicked filters them, an Arabic record lays out
// right to left, dragging across the histogram's bars narrows the days.
// Screenshots of the search page and the Arabic record are kept.
func TestInABrowser(t *testing.T) {
	f := newFixture(t, Options{})
	ctx := browserCtx(t)
	shot := func(name string) {
		// an artifact, not an assertion: a capture that a busy machine's
		// compositor does not answer in time is said, not failed
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		buf, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Logf("screenshot %s not taken: %v", name, err)
			return
		}
		p := filepath.Join(artifacts(t), name)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
	do(t, ctx,
		chromedp.Navigate(f.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "tehran"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		// the page the search answers (the first page has results too;
		// its box's value attribute is the server's, not what was typed)
		chromedp.WaitVisible(chromedp.CSS(`input#q[value="tehran"]`)),
	)
	count := value(t, ctx, chromedp.Text(chromedp.CSS(`p.count`)))
	facets := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("section.facet").length`))
	shot("serve-search.png")
	if !strings.Contains(count, "1–4 of 4 records") || facets < 2 {
		t.Fatalf("after typing tehran: %q, %d facets", count, facets)
	}
	// a facet: Courier's two records
	do(t, ctx,
		chromedp.Click(chromedp.Search(`//section[@class="facet"]//a[.//span[text()="Courier"]]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.filters`)),
	)
	count = value(t, ctx, chromedp.Text(chromedp.CSS(`p.count`)))
	loc := value(t, ctx, chromedp.Location())
	if !strings.Contains(count, "1–2 of 2 records") || !strings.Contains(loc, "f=site_name") || !strings.Contains(loc, "q=tehran") {
		t.Errorf("after the Courier facet: %q at %s", count, loc)
	}
	// an Arabic record, right to left
	do(t, ctx,
		chromedp.Navigate(f.URL+"/?q=%D8%B7%D9%87%D8%B1%D8%A7%D9%86"), // طهران
		chromedp.WaitVisible(chromedp.CSS(`ol.hits h3 a`)),
		chromedp.Click(chromedp.CSS(`ol.hits h3 a`)),
		chromedp.WaitVisible(chromedp.CSS(`article.record`)),
	)
	style := func(prop string) string {
		return value(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("article.record .text p"))["`+prop+`"]`))
	}
	dir, align, font := style("direction"), style("textAlign"), style("fontFamily")
	title := value(t, ctx, chromedp.Text(chromedp.CSS(`article.record h1`)))
	shot("serve-record-ar.png")
	if dir != "rtl" || (align != "start" && align != "right") || !strings.Contains(font, "Arabic") || title != "وزير الخارجية العراقي في طهران" {
		t.Errorf("Arabic record: direction %q, align %q, font %q, title %q", dir, align, font, title)
	}
	// the histogram: dragging across the bars narrows to their days (app.js)
	do(t, ctx,
		chromedp.Navigate(f.URL+"/?q=tehran&interval=day"),
		chromedp.WaitVisible(chromedp.CSS(`#hist svg`)),
	)
	bars := value(t, ctx, chromedp.Evaluate[int](`(function(){
		var bars = document.querySelectorAll("#hist a[data-since]");
		var a = bars[0], b = bars[bars.length-1];
		function ev(el, type){ el.dispatchEvent(new MouseEvent(type, {bubbles:true})); }
		ev(a, "mousedown"); ev(b, "mouseenter"); ev(document, "mouseup");
		return bars.length;
	})()`))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`input#since[value^="2020"]`)))
	since := value(t, ctx, chromedp.Value(chromedp.CSS(`#since`)))
	until := value(t, ctx, chromedp.Value(chromedp.CSS(`#until`)))
	if since != "2020-10-17" || until != "2020-11-20" {
		t.Errorf("after dragging across %d bars: %s to %s, want 2020-10-17 to 2020-11-20", bars, since, until)
	}
}
