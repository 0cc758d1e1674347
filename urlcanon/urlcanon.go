// Package urlcanon turns the many spellings of a page's address into one
// canonical URL, so that a page is identified, fetched and stored once.
package urlcanon

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
)

// trackingParams are query parameters that identify a campaign or a click,
// never the page. Keys are lower case.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "igshid": true, "mc_cid": true, "mc_eid": true,
	"_ga": true, "_gl": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true,
	"oly_anon_id": true, "oly_enc_id": true, "vero_id": true, "wickedid": true,
	"rb_clickid": true, "s_cid": true, "ref_src": true, "ref_url": true,
	"cmpid": true, "ocid": true, "ito": true, "at_medium": true, "at_campaign": true,
	"ns_mchannel": true, "ns_source": true, "ns_campaign": true, "ns_linkname": true,
	"ns_fee": true,
}

// IsTrackingParam reports whether a query parameter only tracks the visitor.
func IsTrackingParam(key string) bool {
	k := strings.ToLower(key)
	return strings.HasPrefix(k, "utm_") || strings.HasPrefix(k, "pk_") ||
		strings.HasPrefix(k, "hsa_") || trackingParams[k]
}

// Canonical resolves ref against base (which may be nil) and returns the
// canonical form: http(s) only, lower-case scheme and host, no default port,
// no fragment, no user info, no tracking parameters, remaining query
// parameters sorted, and "/" for an empty path.
func Canonical(ref string, base *url.URL) (string, error) {
	u, err := Parse(ref, base)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Parse is Canonical returning the parsed URL.
func Parse(ref string, base *url.URL) (*url.URL, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("empty URL")
	}
	u, err := url.Parse(ref)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message repeats the URL, userinfo and all
		}
		return nil, fmt.Errorf("parse URL %q: %w", truncate(Redact(ref)), err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q: scheme %q is not http or https", truncate(ref), u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", truncate(ref))
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".") // "example.com." is example.com
	if host == "" || strings.HasPrefix(host, ".") || strings.Contains(host, "..") {
		return nil, fmt.Errorf("URL %q has no valid host", truncate(ref))
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		if net.ParseIP(strings.SplitN(host, "%", 2)[0]) == nil {
			return nil, fmt.Errorf("URL %q has no valid host", truncate(ref))
		}
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
		u.RawPath = ""
	}
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	// The canonical form must read back as itself (a safety net for hosts
	// and paths url.Parse accepts but cannot print back).
	if back, err := url.Parse(u.String()); err != nil || back.Hostname() == "" {
		return nil, fmt.Errorf("URL %q cannot be made canonical", truncate(ref))
	}
	return u, nil
}

// cleanQuery drops tracking parameters and sorts the rest by key, keeping the
// order of repeated keys. It works on the raw query so that the encoding of
// values is preserved.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == '&' || r == ';' })
	kept := parts[:0]
	for _, p := range parts {
		key := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			key = p[:i]
		}
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if key == "" || IsTrackingParam(key) {
			continue
		}
		kept = append(kept, escapeQuery(p)) // escaped before sorting, so the order is stable
	}
	sort.SliceStable(kept, func(i, j int) bool { return paramKey(kept[i]) < paramKey(kept[j]) })
	return strings.Join(kept, "&")
}

// escapeQuery percent-encodes what may not stand in a query as written
// (spaces, controls, quotes, angle brackets, non-ASCII bytes); existing
// escapes are kept.
func escapeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '`' || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func paramKey(p string) string {
	if i := strings.IndexByte(p, '='); i >= 0 {
		return p[:i]
	}
	return p
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// Key identifies a page whatever spelling links use: the canonical
// URL without scheme and without "www.".
func Key(u *url.URL) string {
	host := strings.TrimPrefix(u.Host, "www.")
	k := host + u.EscapedPath()
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// SamePage reports whether two URLs name the same page for presscrawl:
// equal once canonical, scheme and "www." aside.
func SamePage(a, b string) bool {
	ua, err := Parse(a, nil)
	if err != nil {
		return false
	}
	ub, err := Parse(b, nil)
	if err != nil {
		return false
	}
	return Key(ua) == Key(ub)
}

// PageKey is the key under which presscrawl knows a URL's page: two URLs
// have the same key when SamePage holds.
func PageKey(raw string) (string, error) {
	u, err := Parse(raw, nil)
	if err != nil {
		return "", err
	}
	return Key(u), nil
}

// Redact is a URL fit to print: without its userinfo (user:password@),
// whether or not the rest parses.
func Redact(raw string) string {
	scheme := strings.Index(raw, "://")
	if scheme < 0 {
		return raw
	}
	rest := raw[scheme+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
		return raw[:scheme+3] + rest[at+1:]
	}
	return raw
}

// MaskPassword hides the password of a URL's userinfo, keeping the user
// name (redis://user:xxxxx@host): for addresses shown to say which account
// is used. Redact drops the userinfo whole.
func MaskPassword(raw string) string {
	at := strings.LastIndex(raw, "@")
	scheme := strings.Index(raw, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return raw
	}
	userinfo := raw[scheme+3 : at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return raw[:scheme+3] + userinfo[:i] + ":xxxxx" + raw[at:]
	}
	return raw
}
