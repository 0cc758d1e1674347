package extract

import "testing"

func TestDetectLanguage(t *testing.T) {
	en := "The city council approved a new plan on Monday to expand the tram network into the northern districts, after two years of public consultation."
	de := "Der Stadtrat hat am Montag einen neuen Plan gebilligt, das Straßenbahnnetz in die nördlichen Bezirke zu erweitern, nach zwei Jahren öffentlicher Beratung."
	fr := "Le conseil municipal a approuvé lundi un nouveau plan visant à étendre le réseau de tramway vers les quartiers du nord, après deux ans de consultation publique."
	fa := "شورای شهر روز دوشنبه طرح جدیدی را برای گسترش شبکه تراموا به مناطق شمالی تصویب کرد، پس از دو سال مشورت عمومی و بحثی طولانی درباره هزینه آن."
	for _, tc := range []struct {
		name, text string
		declared   []string
		want       string
	}{
		{"html lang", en, []string{"en-US"}, "en"},
		{"underscore tag", de, []string{"de_DE"}, "de"},
		{"Content-Language when html lang is missing", fr, []string{"", "fr-FR, en"}, "fr"},
		{"no declaration: detector", de, nil, "de"},
		{"no declaration: Arabic", arabicSentence + " " + arabicSentence, nil, "ar"},
		{"no declaration: Persian", fa, nil, "fa"},
		{"no declaration: Japanese", "東京都は月曜日、新しい路面電車の計画を承認した。東京都は月曜日、新しい路面電車の計画を承認した。", nil, "ja"},
		{"template says en, text is Arabic", arabicSentence + " " + arabicSentence, []string{"en-US"}, "ar"},
		{"invalid tag skipped", en, []string{"english", "x"}, "en"},
		{"too little text to judge", "OK", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectLanguage(tc.text, tc.declared...); got != tc.want {
				t.Errorf("detectLanguage = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWordCount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"Iraq’s foreign minister arrived", 4},
		{"وصل وزير الخارجية العراقي", 4},
		{"two-day visit, 5,000 soldiers", 4},
		{"東京都は", 4},
		{"", 0},
	} {
		if got := wordCount(tc.in); got != tc.want {
			t.Errorf("wordCount(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
