package extract

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/presscrawl/presscrawl/internal/fold"
	"github.com/presscrawl/presscrawl/record"
)

var zeroTime time.Time

// zonedLayouts carry a UTC offset; their times are kept with it.
var zonedLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00",
	time.RFC1123Z, time.RFC1123, time.RFC822Z, "Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	time.UnixDate, // "Mon Oct 11 14:57:21 CEST 2021" (Java's Date.toString, in several CMSs)
}

// zoneOffsets are the offsets of the zone abbreviations news sites write
// ("Mon Oct 11 14:57:21 CEST 2021"); Go gives an abbreviation it does not
// know a zero offset, which would pass the local time off as UTC.
var zoneOffsets = map[string]int{
	"CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "WET": 0, "WEST": 1, "EET": 2, "EEST": 3, "BST": 1, "MSK": 3,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

// knownZone gives a time parsed with an unknown zone abbreviation its
// offset, when the abbreviation is one of zoneOffsets.
func knownZone(t time.Time) time.Time {
	name, offset := t.Zone()
	if h, ok := zoneOffsets[name]; ok && offset != h*3600 {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, h*3600))
	}
	return t
}

// localLayouts carry no offset: only the day is certain.
var localLayouts = []string{
	"2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "2006-01-02", "2006/01/02", "20060102",
}

// parseStructured reads a machine-readable date from metadata or a
// datetime attribute. A time without an offset gives only its day.
func parseStructured(s string) (record.Timestamp, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return record.Timestamp{}, false
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			t = knownZone(t)
			return record.Timestamp{Time: t}, plausibleYear(t.Year()) && !epoch(t)
		}
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if epoch(t) {
				return record.Timestamp{}, false
			}
			return dayOf(t.Year(), int(t.Month()), t.Day())
		}
	}
	return parseVisibleDate(s, zeroTime)
}

// epoch reports a time within a day of the Unix epoch: in a date field, a
// zero written out (1970-01-01T01:00:00+01:00), not a date.
func epoch(t time.Time) bool {
	u := t.Unix()
	return u > -86400 && u < 86400
}

func plausibleYear(y int) bool { return y >= 1900 && y <= 2200 }

func dayOf(y, m, d int) (record.Timestamp, bool) {
	if !plausibleYear(y) || m < 1 || m > 12 || d < 1 || d > 31 {
		return record.Timestamp{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31 February
		return record.Timestamp{}, false
	}
	return record.Timestamp{Time: t, DayOnly: true}, true
}

// monthNames maps month names (lower case, several spellings) to numbers:
// English, Modern Standard Arabic, Levantine and Maghrebi Arabic, German,
// French, Spanish, Italian, Portuguese, Dutch, Russian and Polish (the
// genitive of a date and the nominative) and Turkish (with and without its
// dotless i, as strings.ToLower leaves "ARALIK").
var monthNames = func() map[string]int {
	m := map[string]int{}
	add := func(n int, names ...string) {
		for _, s := range names {
			m[s] = n
		}
	}
	add(1, "january", "jan", "يناير", "كانون الثاني", "جانفي", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "janeiro", "januari")
	add(2, "february", "feb", "فبراير", "شباط", "فيفري", "februar", "février", "fevrier", "févr", "febrero", "febbraio", "fevereiro", "februari")
	add(3, "march", "mar", "مارس", "آذار", "اذار", "märz", "maerz", "mars", "marzo", "março", "maart")
	add(4, "april", "apr", "أبريل", "ابريل", "إبريل", "نيسان", "أفريل", "افريل", "avril", "abril", "aprile")
	add(5, "may", "مايو", "أيار", "ايار", "ماي", "mai", "mayo", "maggio", "maio", "mei")
	add(6, "june", "jun", "يونيو", "يونيه", "حزيران", "جوان", "يونيو", "juni", "juin", "junio", "giugno", "junho")
	add(7, "july", "jul", "يوليو", "يوليه", "تموز", "جويلية", "يوليوز", "juli", "juillet", "julio", "luglio", "julho")
	add(8, "august", "aug", "أغسطس", "اغسطس", "آب", "أوت", "اوت", "غشت", "août", "aout", "agosto", "augustus")
	add(9, "september", "sep", "sept", "سبتمبر", "أيلول", "ايلول", "شتنبر", "septembre", "septiembre", "setiembre", "settembre", "setembro")
	add(10, "october", "oct", "أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول", "أكتوبر", "oktober", "okt", "octobre", "octubre", "ottobre", "outubro")
	add(11, "november", "nov", "نوفمبر", "تشرين الثاني", "نونبر", "novembre", "noviembre", "novembro")
	add(12, "december", "dec", "ديسمبر", "كانون الأول", "كانون الاول", "دجنبر", "dezember", "dez", "décembre", "decembre", "diciembre", "dicembre", "dezembro")
	add(1, "января", "январь", "янв", "stycznia", "styczeń", "ocak")
	add(2, "февраля", "февраль", "фев", "lutego", "luty", "şubat", "subat", "fevereiro")
	add(3, "марта", "март", "marca", "marzec", "mart")
	add(4, "апреля", "апрель", "апр", "kwietnia", "kwiecień", "nisan")
	add(5, "мая", "май", "maja", "maj", "mayıs", "mayis")
	add(6, "июня", "июнь", "czerwca", "czerwiec", "haziran")
	add(7, "июля", "июль", "lipca", "lipiec", "temmuz")
	add(8, "августа", "август", "авг", "sierpnia", "sierpień", "ağustos", "agustos")
	add(9, "сентября", "сентябрь", "сен", "сент", "września", "wrzesień", "eylül", "eylul")
	add(10, "октября", "октябрь", "окт", "października", "październik", "ekim")
	add(11, "ноября", "ноябрь", "ноя", "listopada", "listopad", "kasım", "kasim")
	add(12, "декабря", "декабрь", "дек", "grudnia", "grudzień", "aralık", "aralik")
	return m
}()

var (
	isoDay = regexp.MustCompile(`\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b`)
	dmyDay = regexp.MustCompile(`\b(\d{1,2})([./-])(\d{1,2})[./-](\d{4})\b`)
	// dmyShort is a day with a two-digit year and dots ("17.7.11",
	// "28.09.19 12:44"), read in visible text only.
	dmyShort   = regexp.MustCompile(`(?:^|[^\d.])(\d{1,2})\.(\d{1,2})\.(\d{2})(?:$|[^\d.]|\.\s)`)
	cjkDay     = regexp.MustCompile(`(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日`)
	relative   = regexp.MustCompile(`(?i)(?:(\d+)\s*(minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago|(?:منذ|قبل)\s+(\d+)?\s*(دقيقتين|دقيقة|دقائق|ساعتين|ساعة|ساعات|يومين|يوم|أيام|ايام|أسبوعين|أسبوع|أسابيع)|vor\s+(\d+)\s*(minuten?|stunden?|tagen?|wochen?)|il y a\s+(\d+)\s*(minutes?|heures?|jours?|semaines?)|hace\s+(\d+)\s*(minutos?|horas?|días?|dias?|semanas?))`)
	leadingTag = regexp.MustCompile(`^[^\d:]{1,40}:\s*`)
)

// parseVisibleDate reads a date written for people: "October 17, 2020",
// "السبت ١٧ أكتوبر ٢٠٢٠", "17. Oktober 2020", "17.10.2020", "2020年10月17日",
// or a relative one ("3 hours ago", "منذ ٣ ساعات") against ref when ref is
// set. It gives a day, or a time for relative dates within a day.
func parseVisibleDate(s string, ref time.Time) (record.Timestamp, bool) {
	s = fold.Digits(collapse(s))
	if len(s) > 200 || !strings.ContainsFunc(s, unicode.IsDigit) && !relative.MatchString(s) {
		return record.Timestamp{}, false
	}
	s = leadingTag.ReplaceAllString(s, "") // "Published:", "نُشر في:"
	if m := isoDay.FindStringSubmatch(s); m != nil {
		return dayOf(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := cjkDay.FindStringSubmatch(s); m != nil {
		return dayOf(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := dmyDay.FindStringSubmatch(s); m != nil {
		a, b, y := atoi(m[1]), atoi(m[3]), atoi(m[4])
		switch {
		case a > 12 || m[2] != "/":
			return dayOf(y, b, a)
		case b > 12:
			return dayOf(y, a, b)
		}
		return record.Timestamp{}, false // 05/06/2020: day and month cannot be told apart
	}
	if t, ok := namedMonthDate(s); ok {
		return t, true
	}
	if m := dmyShort.FindStringSubmatch(s); m != nil {
		if y := fullYear(atoi(m[3]), ref); y >= 1995 { // the web's years: 1.12.50 is a price, not 1950
			return dayOf(y, atoi(m[2]), atoi(m[1]))
		}
	}
	if !ref.IsZero() {
		return relativeDate(s, ref)
	}
	return record.Timestamp{}, false
}

// fullYear reads a two-digit year as the latest year that is not more than
// a year after ref (or now): 11 is 2011, 99 is 1999.
func fullYear(yy int, ref time.Time) int {
	if ref.IsZero() {
		ref = time.Now()
	}
	y := ref.Year()/100*100 + yy
	if y > ref.Year()+1 {
		y -= 100
	}
	return y
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// namedMonthDate finds day, month name and year in either order.
func namedMonthDate(s string) (record.Timestamp, bool) {
	toks := dateTokens(strings.ToLower(s))
	type item struct {
		num   int
		month int
		digs  int
	}
	var seq []item
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t[0] >= '0' && t[0] <= '9' {
			seq = append(seq, item{num: atoi(t), digs: len(t)})
			continue
		}
		if i+1 < len(toks) {
			if m, ok := monthNames[t+" "+toks[i+1]]; ok {
				seq = append(seq, item{month: m})
				i++
				continue
			}
		}
		if m, ok := monthNames[t]; ok {
			if n := len(seq); n > 0 && seq[n-1].month == m {
				continue // the same month named twice: "17 آذار (مارس) 2024", Syriac and Latin names
			}
			seq = append(seq, item{month: m})
		}
	}
	for i := range seq {
		if seq[i].month == 0 {
			continue
		}
		m := seq[i].month
		// day month year: 17 October 2020
		if i > 0 && i+1 < len(seq) && seq[i-1].month == 0 && seq[i-1].digs <= 2 && seq[i+1].digs == 4 {
			return dayOf(seq[i+1].num, m, seq[i-1].num)
		}
		// month day year: October 17, 2020
		if i+2 < len(seq) && seq[i+1].digs <= 2 && seq[i+1].digs > 0 && seq[i+2].digs == 4 {
			return dayOf(seq[i+2].num, m, seq[i+1].num)
		}
		// year month day: 2020 October 17
		if i > 0 && i+1 < len(seq) && seq[i-1].digs == 4 && seq[i+1].digs > 0 && seq[i+1].digs <= 2 {
			return dayOf(seq[i-1].num, m, seq[i+1].num)
		}
	}
	return record.Timestamp{}, false
}

// dateTokens splits into runs of digits and runs of letters (with their
// combining marks); ordinal suffixes ("17th") and fillers ("de", "of") are
// dropped.
func dateTokens(s string) []string {
	var out []string
	var cur []rune
	digits := false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range s {
		isD := r >= '0' && r <= '9'
		isL := unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
		switch {
		case isD:
			if !digits {
				flush()
			}
			digits = true
			cur = append(cur, r)
		case isL:
			if digits {
				flush()
				digits = false
			}
			cur = append(cur, r)
		default:
			flush()
			digits = false
		}
	}
	flush()
	// drop ordinal suffixes left as their own tokens
	kept := out[:0]
	for _, t := range out {
		switch t {
		case "st", "nd", "rd", "th", "er", "e", "de", "del", "of":
			continue
		}
		kept = append(kept, t)
	}
	return kept
}

var relUnits = map[string]time.Duration{
	"minute": time.Minute, "minutes": time.Minute, "min": time.Minute, "mins": time.Minute,
	"hour": time.Hour, "hours": time.Hour, "hr": time.Hour, "hrs": time.Hour,
	"day": 24 * time.Hour, "days": 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"دقيقة": time.Minute, "دقائق": time.Minute, "ساعة": time.Hour, "ساعات": time.Hour,
	"يوم": 24 * time.Hour, "أيام": 24 * time.Hour, "ايام": 24 * time.Hour, "أسبوع": 7 * 24 * time.Hour, "أسابيع": 7 * 24 * time.Hour,
	"minuten": time.Minute, "stunde": time.Hour, "stunden": time.Hour,
	"tag": 24 * time.Hour, "tagen": 24 * time.Hour, "woche": 7 * 24 * time.Hour, "wochen": 7 * 24 * time.Hour,
	"heure": time.Hour, "heures": time.Hour, "jour": 24 * time.Hour, "jours": 24 * time.Hour,
	"semaine": 7 * 24 * time.Hour, "semaines": 7 * 24 * time.Hour,
	"minuto": time.Minute, "minutos": time.Minute, "hora": time.Hour, "horas": time.Hour,
	"día": 24 * time.Hour, "días": 24 * time.Hour, "dia": 24 * time.Hour, "dias": 24 * time.Hour,
	"semana": 7 * 24 * time.Hour, "semanas": 7 * 24 * time.Hour,
}

// Arabic dual forms stand for two units with no number before them.
var arabicDual = map[string]time.Duration{"دقيقتين": 2 * time.Minute, "ساعتين": 2 * time.Hour, "يومين": 48 * time.Hour, "أسبوعين": 14 * 24 * time.Hour}

func relativeDate(s string, ref time.Time) (record.Timestamp, bool) {
	m := relative.FindStringSubmatch(s)
	if m == nil {
		return record.Timestamp{}, false
	}
	var d time.Duration
	for i := 1; i+1 < len(m); i += 2 {
		unit := strings.ToLower(m[i+1])
		if unit == "" {
			continue
		}
		if dual, ok := arabicDual[unit]; ok && m[i] == "" {
			d = dual
			break
		}
		n := 1
		if m[i] != "" {
			n = atoi(m[i])
		}
		d = time.Duration(n) * relUnits[unit]
		break
	}
	if d == 0 {
		return record.Timestamp{}, false
	}
	t := ref.Add(-d)
	if d >= 24*time.Hour {
		return dayOf(t.Year(), int(t.Month()), t.Day())
	}
	return record.Timestamp{Time: t}, true
}

var (
	urlDate = regexp.MustCompile(`/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)`)
	// urlCompactDate is /20030331_Rede2.html, /news-20210517/: eight digits
	// with no digit on either side, the last segment's or a whole one's.
	urlCompactDate = regexp.MustCompile(`[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[-_./]|$)`)
)

// dateFromURL reads /2020/10/17/, /2020-10-17- or /20201017_ in a URL's
// path.
func dateFromURL(path string) (record.Timestamp, bool) {
	if m := urlDate.FindStringSubmatch(path); m != nil {
		return dayOf(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	if m := urlCompactDate.FindStringSubmatch(path); m != nil {
		return dayOf(atoi(m[1]), atoi(m[2]), atoi(m[3]))
	}
	return record.Timestamp{}, false
}
