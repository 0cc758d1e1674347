package extract

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// Errors for input that is not an HTML page. Each is wrapped with details.
var (
	ErrEmpty    = errors.New("empty input")
	ErrNotHTML  = errors.New("not an HTML page")
	ErrTooLarge = errors.New("page too large")
	// ErrTooComplex is a page with far more tags than any article page.
	ErrTooComplex = errors.New("page too complex")
)

var metaCharset = regexp.MustCompile(`(?i)<meta[^>]+?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)`)

// arabicScriptLang spots a page that declares an Arabic-script language, to
// choose the legacy code page when nothing declares one.
var arabicScriptLang = regexp.MustCompile(`(?i)<html[^>]+lang\s*=\s*["']?(ar|fa|ur)\b`)

// decode returns the page as UTF-8 and the name of the charset it was read
// as. The charset is the first of: a byte-order mark, the HTTP Content-Type
// charset, the <meta> charset (either form), sniffing. A declaration that the
// bytes contradict is not believed: bytes that are not valid UTF-8 are not
// UTF-8, and valid multi-byte UTF-8 is not a legacy single-byte charset.
func decode(body []byte, contentType string) (string, string, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", "", ErrEmpty
	}
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return decodeWith(body, unicode.UTF8, "utf-8")
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		return decodeWith(body, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le")
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		return decodeWith(body, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be")
	}
	if err := sniffBinary(body); err != nil {
		return "", "", err
	}
	var declared []string
	if _, params, err := mime.ParseMediaType(contentType); err == nil && params["charset"] != "" {
		declared = append(declared, params["charset"])
	}
	head := body
	if len(head) > 4096 {
		head = head[:4096]
	}
	if m := metaCharset.FindSubmatch(head); m != nil {
		declared = append(declared, string(m[1]))
	}
	valid := utf8.Valid(body)
	for _, label := range declared {
		enc, err := htmlindex.Get(label)
		if err != nil {
			continue // unknown label: try the next source
		}
		name, _ := htmlindex.Name(enc)
		isUTF8 := name == "utf-8"
		if isUTF8 && !valid {
			continue // declared UTF-8, but it is not
		}
		if !isUTF8 && valid && hasMultiByte(body) && singleByte(name) {
			return decodeWith(body, unicode.UTF8, "utf-8") // a legacy label on UTF-8 bytes
		}
		return decodeWith(body, enc, name)
	}
	if valid {
		return decodeWith(body, unicode.UTF8, "utf-8")
	}
	name := "windows-1252"
	if arabicScriptLang.Match(head) {
		name = "windows-1256"
	}
	enc, _ := htmlindex.Get(name)
	return decodeWith(body, enc, name)
}

func decodeWith(body []byte, enc encoding.Encoding, name string) (string, string, error) {
	if name == "utf-8" && utf8.Valid(body) { // most pages: the decoder would copy them byte for byte
		return string(bytes.TrimPrefix(body, []byte("\uFEFF"))), name, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return "", "", fmt.Errorf("decode as %s: %w", name, err)
	}
	out = bytes.TrimPrefix(out, []byte("\uFEFF"))
	return string(out), name, nil
}

func hasMultiByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// singleByte reports whether a WHATWG charset name is a one-byte-per-character
// code page (where any byte sequence is valid, so UTF-8 bytes can hide).
func singleByte(name string) bool {
	return strings.HasPrefix(name, "windows-") || strings.HasPrefix(name, "iso-8859-") ||
		strings.HasPrefix(name, "koi8") || name == "ibm866" || name == "macintosh" || name == "x-mac-cyrillic"
}

// sniffBinary rejects images, archives, PDFs and other non-text bytes.
func sniffBinary(body []byte) error {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/") {
		return nil
	}
	if ct == "application/octet-stream" && bytes.IndexByte(head, 0) < 0 && controlShare(head) < 0.1 {
		return nil // unrecognised but text-like
	}
	return fmt.Errorf("%w: the bytes look like %s", ErrNotHTML, ct)
}

func controlShare(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	n := 0
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			n++
		}
	}
	return float64(n) / float64(len(b))
}
