package crawler

import (
	"net/http"
	"net/url"
	"strings"
)

// credentials are the user:password a seed URL carries (https://user:pw@
// site/), by host (with its port), so that a site a researcher may read
// with an account is crawled with it: each request to that host, robots.txt
// included, gets Basic authentication (RFC 7617), requests to any other
// host never do (Go's client drops Authorization on a redirect to another
// host too). The password is in no URL the crawl stores or prints: the
// canonical URLs have no userinfo. Read-only once the crawl runs.
type credentials map[string]*url.Userinfo

// add takes the userinfo of a seed, if it has one.
func (cs credentials) add(seed string) {
	u, err := url.Parse(strings.TrimSpace(seed))
	if err != nil || u.User == nil || u.Host == "" {
		return
	}
	cs[strings.ToLower(u.Host)] = u.User
}

// apply sets Basic authentication on a request to a host with
// credentials, unless the request has its own.
func (cs credentials) apply(u *url.URL, h *http.Header) {
	if len(cs) == 0 || u == nil || h == nil || h.Get("Authorization") != "" {
		return
	}
	ui, ok := cs[strings.ToLower(u.Host)]
	if !ok {
		return
	}
	pw, _ := ui.Password()
	r := http.Request{Header: http.Header{}}
	r.SetBasicAuth(ui.Username(), pw)
	h.Set("Authorization", r.Header.Get("Authorization"))
}
