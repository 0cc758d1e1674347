package crawler

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// scope decides which URLs belong to the crawl: the seeds' sites (a host
// and its www. twin; with subdomains, everything under the registrable
// domain), narrowed by --allow and --deny patterns.
type scope struct {
	sites       map[string]bool
	includeSubs bool
	allow, deny []*regexp.Regexp
}

func newScope(includeSubs bool, allow, deny []string) (*scope, error) {
	s := &scope{sites: map[string]bool{}, includeSubs: includeSubs}
	for _, list := range []struct {
		what string
		in   []string
		out  *[]*regexp.Regexp
	}{{"allow pattern", allow, &s.allow}, {"deny pattern", deny, &s.deny}} {
		for _, p := range list.in {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", list.what, p, err)
			}
			*list.out = append(*list.out, re)
		}
	}
	return s, nil
}

// site names the site a host belongs to: the host without "www." (and its
// port), or with subdomains included, its registrable domain.
func (s *scope) site(host string) string {
	name, port, err := net.SplitHostPort(host)
	if err != nil {
		name, port = host, ""
	}
	name = strings.TrimPrefix(strings.ToLower(name), "www.")
	if s.includeSubs && net.ParseIP(strings.Trim(name, "[]")) == nil {
		if d, err := publicsuffix.EffectiveTLDPlusOne(name); err == nil {
			name = d
		}
	}
	if port != "" {
		return name + ":" + port
	}
	return name
}

func (s *scope) addSeed(u *url.URL) string {
	site := s.site(u.Host)
	s.sites[site] = true
	return site
}

func (s *scope) contains(u *url.URL) bool {
	if !s.sites[s.site(u.Host)] {
		return false
	}
	raw := u.String()
	for _, re := range s.deny {
		if re.MatchString(raw) {
			return false
		}
	}
	if len(s.allow) == 0 {
		return true
	}
	for _, re := range s.allow {
		if re.MatchString(raw) {
			return true
		}
	}
	return false
}

// hostPattern is the colly limit-rule pattern for the hosts of a site.
func (s *scope) hostPattern(site string) string {
	name, port, err := net.SplitHostPort(site)
	if err != nil {
		name, port = site, ""
	}
	p := `^(www\.)?`
	if s.includeSubs {
		p = `^([^/]+\.)?`
	}
	p += regexp.QuoteMeta(name)
	if port != "" {
		p += ":" + regexp.QuoteMeta(port)
	}
	return p + `$`
}
