package extract

import "testing"

func TestAppShell(t *testing.T) {
	for page, want := range map[string]bool{
		`<html><body><div id="app"></div><script src="/app.js"></script></body></html>`:                                                          true,
		`<html><body><div id="root"><noscript>You need to enable JavaScript to run this app.</noscript></div><script>x()</script></body></html>`: true,
		`<html><body><div id="__next"><div class="spinner"></div></div><script>x()</script></body></html>`:                                       true,
		`<html><body><div id="app"></div></body></html>`:                                                                                         false, // no script to fill it
		`<html><body><div id="app"><p>One.</p><p>Two.</p><p>Three.</p></div><script>x()</script></body></html>`:                                  false,
		`<html><body><div id="content"></div><script>x()</script></body></html>`:                                                                 false,
	} {
		if got := AppShell([]byte(page)); got != want {
			t.Errorf("%s: %v, want %v", page, got, want)
		}
	}
	// The development set's pages are read from their HTML: none is a shell
	// that our extraction cannot read.
	n := 0
	for _, p := range loadDevSet(t) {
		if AppShell(p.body) {
			n++
		}
	}
	if n > 10 {
		t.Errorf("%d of the development set's pages taken for application shells", n)
	}
}
