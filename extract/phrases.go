package extract

import "golang.org/x/net/html"

// phrases is a list of lower-case phrases to find anywhere in a line. A line
// is scanned once, its byte pairs checked against a bitset of the phrases'
// first two bytes; only where one begins are the phrases compared. Several
// times faster than a strings.Contains per phrase on the lists of text.go
// (the closing checks ran 90 of them on every candidate block).
type phrases struct {
	first  [1 << 16 / 64]uint64 // bit p set: some phrase begins with byte pair p
	byPair map[uint16][]string
}

// phraseSet makes the set of the given phrases, each at least two bytes.
func phraseSet(list ...string) *phrases {
	p := &phrases{byPair: make(map[uint16][]string, len(list))}
	for _, s := range list {
		if len(s) < 2 {
			panic("phraseSet: a phrase of under two bytes: " + s) // a programming error, caught by every test
		}
		k := uint16(s[0])<<8 | uint16(s[1])
		p.first[k>>6] |= 1 << (k & 63)
		p.byPair[k] = append(p.byPair[k], s)
	}
	return p
}

// containsAny reports whether s contains one of the phrases of set, its
// ASCII letters in any case ("Veröffentlicht", "POSTED ON") without a
// lower-cased copy; the phrases are written so that their other letters
// need no folding (or s is lower-cased already).
func containsAny(s string, set *phrases) bool {
	for i := 0; i+1 < len(s); i++ {
		k := uint16(lowerASCII(s[i]))<<8 | uint16(lowerASCII(s[i+1]))
		if set.first[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, ph := range set.byPair[k] {
			if hasPrefixFold(s[i:], ph) {
				return true
			}
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// hasPrefixFold reports whether s begins with the lower-case phrase p, s's
// ASCII letters folded.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for j := 0; j < len(p); j++ {
		if lowerASCII(s[j]) != p[j] {
			return false
		}
	}
	return true
}

// ownTextHolds reports whether one of n's own text nodes holds a phrase of
// set, in any ASCII case.
func ownTextHolds(n *html.Node, set *phrases) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode && containsAny(c.Data, set) {
			return true
		}
	}
	return false
}
