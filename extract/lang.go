package extract

import (
	"strings"
	"sync"
	"unicode"

	"github.com/RadhiFadlillah/whatlanggo"
)

// scriptOf names the writing systems we tell apart.
type script int

const (
	scriptOther script = iota
	scriptLatin
	scriptArabic
	scriptCyrillic
	scriptHan
	scriptKana
	scriptHangul
	scriptHebrew
	scriptGreek
	scriptDevanagari
	scriptThai
)

var scriptTables = []struct {
	s script
	t *unicode.RangeTable
}{
	{scriptLatin, unicode.Latin}, {scriptArabic, unicode.Arabic}, {scriptCyrillic, unicode.Cyrillic},
	{scriptHan, unicode.Han}, {scriptKana, unicode.Hiragana}, {scriptKana, unicode.Katakana},
	{scriptHangul, unicode.Hangul}, {scriptHebrew, unicode.Hebrew}, {scriptGreek, unicode.Greek},
	{scriptDevanagari, unicode.Devanagari}, {scriptThai, unicode.Thai},
}

// dominantScript returns the script of most letters in s, whether kana
// occur (which makes Han text Japanese), and the number of letters seen.
func dominantScript(s string) (script, bool, int) {
	var counts [scriptThai + 1]int
	letters := 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		for _, st := range scriptTables {
			if unicode.Is(st.t, r) {
				counts[st.s]++
				break
			}
		}
	}
	best := scriptOther
	for s, c := range counts {
		if c > counts[best] {
			best = script(s)
		}
	}
	if best == scriptKana {
		best = scriptHan
	}
	return best, counts[scriptKana] > 0, letters
}

// langScript is the script a language is written in, for the languages
// written in other than Latin letters.
var langScript = map[string]script{
	"ar": scriptArabic, "fa": scriptArabic, "ur": scriptArabic, "ps": scriptArabic, "ku": scriptArabic, "sd": scriptArabic, "ug": scriptArabic,
	"ru": scriptCyrillic, "uk": scriptCyrillic, "bg": scriptCyrillic, "be": scriptCyrillic, "mk": scriptCyrillic, "kk": scriptCyrillic, "mn": scriptCyrillic, "sr": scriptCyrillic,
	"zh": scriptHan, "ja": scriptHan, "ko": scriptHangul, "he": scriptHebrew, "yi": scriptHebrew, "el": scriptGreek,
	"hi": scriptDevanagari, "mr": scriptDevanagari, "ne": scriptDevanagari, "th": scriptThai,
}

// primaryTag turns a language tag ("en-US", "ar_EG", "EN") into its ISO
// 639-1 code, or "" when it is not one.
func primaryTag(tag string) string {
	tag = strings.TrimSpace(strings.ToLower(tag))
	if i := strings.IndexAny(tag, ",;"); i >= 0 {
		tag = tag[:i]
	}
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) != 2 || tag[0] < 'a' || tag[0] > 'z' || tag[1] < 'a' || tag[1] > 'z' {
		return ""
	}
	return tag
}

// sampleBytes is how much text the detector reads: a thousand characters
// say the language as well as three thousand (the dev set: 869 of 901
// pages agree with <html lang> either way) at a third of the time.
const sampleBytes = 1000

// detectLanguage chooses the record's language: the first declaration (in
// the order given) that the text's script does not contradict, else what a
// detector finds in the text. "" when unknown.
func detectLanguage(text string, declared ...string) string {
	sample := text
	if len(sample) > sampleBytes {
		sample = sample[:sampleBytes]
		for !strings.HasSuffix(sample, " ") && len(sample) > sampleBytes-100 {
			sample = sample[:len(sample)-1]
		}
	}
	sc, kana, letters := dominantScript(sample)
	for _, d := range declared {
		code := primaryTag(d)
		if code == "" {
			continue
		}
		want, ok := langScript[code]
		if !ok {
			want = scriptLatin
		}
		if letters < 40 || want == sc || (code == "sr" && sc == scriptLatin) {
			return code
		}
	}
	if letters < 20 {
		return ""
	}
	switch sc {
	case scriptHan:
		if kana {
			return "ja"
		}
		return "zh"
	case scriptHangul:
		return "ko"
	case scriptHebrew:
		return "he"
	case scriptGreek:
		return "el"
	case scriptThai:
		return "th"
	case scriptDevanagari:
		return "hi"
	case scriptOther:
		return ""
	}
	info := whatlanggo.DetectWithOptions(sample, whatlanggo.Options{Whitelist: candidates()})
	if _, ok := whatlanggo.Langs[info.Lang]; !ok {
		return ""
	}
	return info.Lang.Iso6391()
}

// detectable are the languages the detector chooses among (those written
// in Latin, Arabic and Cyrillic letters that news sites use most; the other
// scripts are told apart by dominantScript alone).
var detectable = []string{
	"ar", "fa", "ur",
	"en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "nb", "fi", "cs", "sk", "hu", "ro", "tr", "id",
	"ms", "ca", "hr", "sl", "vi", "so", "sw", "tl",
	"ru", "uk", "bg", "be", "mk", "sr", "kk", "mn",
}

// candidates is the detector's whitelist, built on first use.
// RadhiFadlillah/whatlanggo (whatlang's trigram profiles, compiled in:
// about 1 MB of tables, nothing to load; the fork go-trafilatura uses,
// kept up to date) replaced lingua-go, whose models took 124 MB of the
// binary and 26 MB of heap and whose confidence arithmetic (big decimals
// once the probabilities underflow) cost 5-10 ms a page on article-length
// text, at the same agreement with <html lang> on the dev set.
var candidates = sync.OnceValue(func() map[whatlanggo.Lang]bool {
	want := map[string]bool{}
	for _, c := range detectable {
		want[c] = true
	}
	out := map[whatlanggo.Lang]bool{}
	for l := range whatlanggo.Langs {
		if want[l.Iso6391()] {
			out[l] = true
		}
	}
	return out
})
