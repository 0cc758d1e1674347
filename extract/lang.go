package extract

import (
	"strings"
	"sync"
	"unicode"

	"github.com/pemistahl/lingua-go"
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

// detectLanguage chooses the record's language: the first declaration (in
// the order given) that the text's script does not contradict, else what a
// detector finds in the text. "" when unknown.
func detectLanguage(text string, declared ...string) string {
	sample := text
	if len(sample) > 3000 {
		sample = sample[:3000]
		for !strings.HasSuffix(sample, " ") && len(sample) > 2900 {
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
	lang, ok := detector().DetectLanguageOf(sample)
	if !ok {
		return ""
	}
	return strings.ToLower(lang.IsoCode639_1().String())
}

// detector is built on first use: its models load lazily and cost memory
// that a run which never needs them should not pay. Low-accuracy mode keeps
// it near 100 MB; high accuracy costs over 1 GB and seconds to load.
var detector = sync.OnceValue(func() lingua.LanguageDetector {
	return lingua.NewLanguageDetectorBuilder().FromLanguages(
		lingua.Arabic, lingua.Persian, lingua.Urdu,
		lingua.English, lingua.German, lingua.French, lingua.Spanish, lingua.Italian, lingua.Portuguese,
		lingua.Dutch, lingua.Polish, lingua.Swedish, lingua.Danish, lingua.Bokmal, lingua.Finnish,
		lingua.Czech, lingua.Slovak, lingua.Hungarian, lingua.Romanian, lingua.Turkish, lingua.Indonesian,
		lingua.Malay, lingua.Catalan, lingua.Croatian, lingua.Slovene, lingua.Vietnamese, lingua.Somali,
		lingua.Swahili, lingua.Tagalog,
		lingua.Russian, lingua.Ukrainian, lingua.Bulgarian, lingua.Belarusian, lingua.Macedonian, lingua.Serbian,
		lingua.Kazakh, lingua.Mongolian,
	).WithLowAccuracyMode().Build()
})
