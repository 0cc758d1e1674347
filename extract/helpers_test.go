package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"golang.org/x/net/html"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mustParse(src string) *html.Node {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		panic(err)
	}
	return doc
}
