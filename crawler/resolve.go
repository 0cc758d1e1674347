package crawler

import (
	"fmt"
	"net"
	"strings"
)

// Resolver maps host names to addresses: exact names, and *.suffix for
// every name under a suffix. The zero Resolver maps nothing.
type Resolver struct {
	exact  map[string]string
	suffix map[string]string // ".example" -> address
}

// ParseResolve reads HOST=ADDRESS entries (news.test=127.0.0.1,
// *.test=127.0.0.1, a.example=[::1]); a bad one is an error naming it.
func ParseResolve(entries []string) (Resolver, error) {
	r := Resolver{exact: map[string]string{}, suffix: map[string]string{}}
	for _, e := range entries {
		host, addr, ok := strings.Cut(strings.TrimSpace(e), "=")
		host = strings.ToLower(strings.TrimSpace(host))
		addr = strings.Trim(strings.TrimSpace(addr), "[]")
		if !ok || host == "" || net.ParseIP(addr) == nil {
			return Resolver{}, fmt.Errorf("%q: want HOST=IP (news.test=127.0.0.1, *.test=127.0.0.1)", e)
		}
		if rest, wild := strings.CutPrefix(host, "*."); wild {
			r.suffix["."+rest] = addr
		} else {
			r.exact[host] = addr
		}
	}
	return r, nil
}

// Lookup is the address host is sent to, if the resolver names it.
func (r Resolver) Lookup(host string) (string, bool) {
	if len(r.exact) == 0 && len(r.suffix) == 0 {
		return "", false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if a, ok := r.exact[host]; ok {
		return a, true
	}
	for i := strings.IndexByte(host, '.'); i >= 0; {
		if a, ok := r.suffix[host[i:]]; ok {
			return a, true
		}
		j := strings.IndexByte(host[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return "", false
}
