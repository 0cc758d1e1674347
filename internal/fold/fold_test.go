package fold

import "testing"

func TestDigits(t *testing.T) {
	for in, want := range map[string]string{"١٧ أكتوبر ٢٠٢٠": "17 أكتوبر 2020", "۱۴۰۲": "1402", "２０２４年": "2024年", "abc 12": "abc 12"} {
		if got := Digits(in); got != want {
			t.Errorf("Digits(%q) = %q, want %q", in, got, want)
		}
	}
}
