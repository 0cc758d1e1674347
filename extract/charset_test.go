package extract

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"
)

const arabicSentence = "وصل وزير الخارجية العراقي فؤاد حسين إلى طهران صباح السبت في زيارة تستغرق يومين"

func page(metaTag, lang, body string) string {
	return "<!DOCTYPE html><html lang=\"" + lang + "\"><head>" + metaTag + "<title>t</title></head><body><article><p>" + body + "</p></article></body></html>"
}

func encodeWith(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestCharsets(t *testing.T) {
	japaneseSentence := "東京都は月曜日、新しい路面電車の計画を承認した。"
	for _, tc := range []struct {
		name, contentType, wantCharset, wantText string
		body                                     []byte
	}{
		{name: "windows-1256 in meta http-equiv", wantCharset: "windows-1256", wantText: arabicSentence,
			body: encodeWith(t, charmap.Windows1256, page(`<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">`, "ar", arabicSentence))},
		{name: "windows-1256 in the HTTP header only", contentType: "text/html; charset=windows-1256", wantCharset: "windows-1256", wantText: arabicSentence,
			body: encodeWith(t, charmap.Windows1256, page("", "ar", arabicSentence))},
		{name: "HTTP header wins over meta", contentType: "text/html; charset=windows-1256", wantCharset: "windows-1256", wantText: arabicSentence,
			body: encodeWith(t, charmap.Windows1256, page(`<meta charset="iso-8859-1">`, "ar", arabicSentence))},
		{name: "ISO-8859-6 in meta charset", wantCharset: "iso-8859-6", wantText: arabicSentence,
			body: encodeWith(t, charmap.ISO8859_6, page(`<meta charset="ISO-8859-6">`, "ar", arabicSentence))},
		{name: "UTF-8 with BOM and no declaration", wantCharset: "utf-8", wantText: arabicSentence,
			body: append([]byte{0xEF, 0xBB, 0xBF}, page("", "ar", arabicSentence)...)},
		{name: "UTF-16LE with BOM", wantCharset: "utf-16le", wantText: arabicSentence,
			body: encodeWith(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), page("", "ar", arabicSentence))},
		{name: "UTF-16BE with BOM", wantCharset: "utf-16be", wantText: japaneseSentence,
			body: encodeWith(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), page("", "ja", japaneseSentence))},
		{name: "Shift_JIS in meta charset", wantCharset: "shift_jis", wantText: japaneseSentence,
			body: encodeWith(t, japanese.ShiftJIS, page(`<meta charset="Shift_JIS">`, "ja", japaneseSentence))},
		{name: "meta says latin-1 but the bytes are UTF-8", wantCharset: "utf-8", wantText: arabicSentence,
			body: []byte(page(`<meta charset="iso-8859-1">`, "ar", arabicSentence))},
		{name: "meta says UTF-8 but the bytes are windows-1256", wantCharset: "windows-1256", wantText: arabicSentence,
			body: encodeWith(t, charmap.Windows1256, page(`<meta charset="utf-8">`, "ar", arabicSentence))},
		{name: "no declaration, not UTF-8, Latin page", wantCharset: "windows-1252", wantText: "Grüße aus Köln",
			body: encodeWith(t, charmap.Windows1252, page("", "de", "Grüße aus Köln"))},
		{name: "unknown label falls through to sniffing", wantCharset: "utf-8", wantText: "naïve café",
			body: []byte(page(`<meta charset="no-such-charset">`, "fr", "naïve café"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, cs, err := decode(tc.body, tc.contentType)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if cs != tc.wantCharset {
				t.Errorf("charset = %q, want %q", cs, tc.wantCharset)
			}
			if !strings.Contains(text, tc.wantText) {
				t.Errorf("decoded text lacks %q", tc.wantText)
			}
		})
	}
}

func TestNotHTMLInputs(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10")
	for _, tc := range []struct {
		name string
		body []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"white space only", []byte(" \n\t "), ErrEmpty},
		{"PNG image", png, ErrNotHTML},
		{"PDF", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ErrNotHTML},
		{"gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x00\x00"), ErrNotHTML},
		{"binary with NUL bytes", []byte("abc\x00\x01\x02\x03\x00def\x00\x00\x05\x06"), ErrNotHTML},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Extract(Input{Body: tc.body})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		_, err := Extractor{MaxBytes: 100}.Extract(Input{Body: []byte(strings.Repeat("<p>x</p>", 100))})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
	})
}

// Malformed markup still gives a record: the parser repairs what browsers
// repair.
func TestMalformedHTML(t *testing.T) {
	in := "<html><body><div><p>" + strings.Repeat("Unclosed paragraph text that goes on and on. ", 20) + "<p><b><i>misnested</b></i><table><td>cell"
	rec, err := Extract(Input{Body: []byte(in)})
	if err != nil {
		t.Fatalf("Extract: %v", err)
	}
	if !strings.Contains(rec.Text, "Unclosed paragraph text") {
		t.Errorf("text = %q", rec.Text)
	}
}
