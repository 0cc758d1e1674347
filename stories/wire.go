package stories

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Agencies are the news agencies Wire knows, by the name a record's wire
// field gives them, with the ways articles credit them (English, French,
// German, Spanish, Arabic names and abbreviations).
var Agencies = map[string][]string{
	"reuters":   {"Reuters", "رويترز"},
	"ap":        {"AP", "Associated Press", "أ ب", "ا ب", "أسوشيتد برس"},
	"afp":       {"AFP", "Agence France-Presse", "أ ف ب", "ا ف ب", "أ.ف.ب", "فرانس برس"},
	"dpa":       {"dpa", "DPA", "د ب أ", "د.ب.أ"},
	"bloomberg": {"Bloomberg"},
	"xinhua":    {"Xinhua", "شينخوا"},
	"anadolu":   {"Anadolu", "AA", "الأناضول"},
	"efe":       {"EFE"},
	"ansa":      {"ANSA"},
	"kyodo":     {"Kyodo"},
	"tass":      {"TASS", "Tass"},
	"upi":       {"UPI"},
	"yonhap":    {"Yonhap"},
	"pa":        {"PA"},
	"spa":       {"SPA", "واس"},
	"qna":       {"QNA", "قنا"},
	"wam":       {"WAM", "وام"},
	"kuna":      {"KUNA", "كونا"},
	"petra":     {"Petra", "بترا"},
	"sana":      {"SANA", "سانا"},
	"aps":       {"APS", "واج"},
	"mena":      {"MENA", "أ ش أ", "أ.ش.أ"},
	"ina":       {"INA", "واع"},
	"bna":       {"BNA", "بنا"},
	"ona":       {"ONA", "العمانية"},
	"nna":       {"NNA", "الوكالة الوطنية للإعلام"},
	"irna":      {"IRNA", "إرنا"},
	"apa":       {"APA"},
	"ips":       {"IPS"},
}

type wireRules struct {
	dateline, credit, reporting *regexp.Regexp
	byName                      map[string]string // an alias, lower-cased -> the agency
}

// rules are compiled on first use: pages read by a process that never
// stores a record (search, export) pay nothing.
var rules = sync.OnceValue(func() *wireRules {
	var alts []string
	byName := map[string]string{}
	for agency, names := range Agencies {
		for _, n := range names {
			alts = append(alts, regexp.QuoteMeta(n))
			byName[strings.ToLower(n)] = agency
		}
	}
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) }) // the longest name first
	names := "(" + strings.Join(alts, "|") + ")"
	return &wireRules{
		// a dateline at a paragraph's start: "BEIRUT (Reuters) -", "WASHINGTON, March 5 (AFP) —",
		// "(AP) —", "بيروت (رويترز) -", "الرياض (واس) -", "(واس)", "Berlin (dpa) -"; also a
		// slash of two agencies "(AFP/Reuters)" (the first counts)
		dateline: regexp.MustCompile(`^[^()\n]{0,80}\(\s*` + names + `\s*(?:[/,][^)\n]{0,40})?\)\s*(?:[-–—:|]|$)`),
		// a credit line closing the text: "— dpa", "- AFP", "Source: Reuters", "المصدر: رويترز", "(AFP)"
		credit: regexp.MustCompile(`(?:^|[\s.])(?:[-–—]\s*|(?:Source|Quelle|Fuente|Source\s*:|المصدر|مصدر)\s*:?\s*|\(\s*)` + names + `\s*\)?\s*\.?$`),
		// Reuters' closing line: "(Reporting by ...; Editing by ...)"
		reporting: regexp.MustCompile(`^\((?:Reporting|Additional reporting|Writing) by [^)]{2,300}\)\.?$`),
		byName:    byName,
	}
})

// Wire is the agency an article's text credits as its source, or "": read
// from a dateline opening one of its first three paragraphs ("BEIRUT
// (Reuters) -", "بيروت (رويترز) -") or a credit line closing it ("— dpa",
// "(Reporting by ...; Editing by ...)"), never from the agency's name in a
// sentence ("Reuters reported that ...").
func Wire(text string) string {
	paras := strings.Split(text, "\n\n")
	r := rules()
	for i, p := range paras {
		if i >= 3 {
			break
		}
		p = strings.TrimSpace(p)
		if m := r.dateline.FindStringSubmatch(p); m != nil {
			if a := r.byName[strings.ToLower(m[1])]; a != "" {
				return a
			}
		}
	}
	for i := len(paras) - 1; i >= 0 && i >= len(paras)-2; i-- {
		p := strings.TrimSpace(paras[i])
		if len(p) > 400 {
			p = p[len(p)-400:]
		}
		if r.reporting.MatchString(p) {
			return "reuters"
		}
		if m := r.credit.FindStringSubmatch(p); m != nil {
			if a := r.byName[strings.ToLower(m[1])]; a != "" {
				return a
			}
		}
	}
	return ""
}
